import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

SHARED = Path(__file__).resolve().parents[2] / "shared"

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


@pytest.fixture
def seed_path() -> Path:
    path = SHARED / "seeds" / "2020-shapotou-kejiju-annual-report.md"
    if not path.exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    return path


@pytest.fixture
def samples_dir() -> Path:
    path = SHARED / "samples"
    if not (path / "expected.json").exists():
        pytest.skip("../shared/samples is not beside this checkout")
    return path


@pytest.fixture
def expected_samples(samples_dir) -> dict:
    return json.loads((samples_dir / "expected.json").read_text(encoding="utf-8"))
