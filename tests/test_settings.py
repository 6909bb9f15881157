"""Production settings pass Django's deployment checks; the database comes from DATABASE_URL."""

import os
import subprocess
import sys

import pytest

from gongkai.settings import database_from_url


def test_check_deploy_is_clean(tmp_path):
    # the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "GONGKAI_DATA_DIR": str(tmp_path),
        "GONGKAI_PRODUCTION": "1",
        "GONGKAI_ALLOWED_HOSTS": "gongkai.example.gov.cn",
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
    }
    done = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_database_url_parsing():
    pg = database_from_url("postgresql://user:p%40ss@db.example:5433/gongkai")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "gongkai",
        "user",
        "p@ss",
        "db.example",
        "5433",
    )
    assert database_from_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(ValueError, match="DATABASE_URL"):
        database_from_url("mysql://x/y")
