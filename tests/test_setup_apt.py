"""scripts/setup waits for another apt or dpkg (unattended-upgrades) instead of failing on apt's lock."""

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@contextmanager
def held(path: Path, how: str):
    """The lock file held by another process: with flock(1), or with an fcntl lock as dpkg and apt take it."""
    path.touch()
    if how == "flock":
        if not shutil.which("flock"):
            pytest.skip("flock(1) is not installed")
        holder = subprocess.Popen(["flock", str(path), "sleep", "60"])
    else:
        code = "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX); time.sleep(60)"
        holder = subprocess.Popen([sys.executable, "-c", code, str(path)])
    try:
        for _ in range(100):  # until the lock is taken
            if str(path) in busy(path):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the test could not take the lock")
        yield holder
    finally:
        holder.kill()
        holder.wait()


def bash(script: str, locks: list[Path], wait: int, **env) -> subprocess.CompletedProcess:
    environment = dict(
        os.environ, GONGKAI_APT_LOCKS=" ".join(map(str, locks)), GONGKAI_APT_WAIT=str(wait), **env
    )
    return subprocess.run(
        ["bash", "-c", f'source "{SCRIPTS}/apt-lock.sh"; {script}'],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def busy(path: Path) -> str:
    return bash("apt_busy_lock", [path], 1).stdout


def wait_for_apt(locks: list[Path], wait: int) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = bash('APT_LATER="apt-get update && apt-get install -y fonts-noto-cjk"; wait_for_apt', locks, wait)
    return done, time.monotonic() - started


def test_free_or_missing_locks_need_no_wait(tmp_path):
    (tmp_path / "lock-frontend").touch()
    done, seconds = wait_for_apt([tmp_path / "lock-frontend", tmp_path / "absent"], 30)
    assert done.returncode == 0 and done.stdout == done.stderr == ""
    assert seconds < 5


@pytest.mark.parametrize("how", ["flock", "fcntl"])
def test_a_held_lock_is_waited_for_then_explained(tmp_path, how):
    lock = tmp_path / "lock-frontend"
    with held(lock, how) as holder:
        done, seconds = wait_for_apt([tmp_path / "absent", lock], 2)
    assert done.returncode == 1
    (line,) = done.stdout.splitlines()  # one line says what it waits for
    assert line.startswith("正在等待其他软件包管理程序") and str(lock) in line and "最多等待 2 秒" in line
    assert f"进程 {holder.pid}" in line  # who holds it, when /proc/locks tells
    assert "仍被占用" in done.stderr and "unattended-upgrades" in done.stderr
    assert (
        "scripts/setup" in done.stderr
        and "apt-get update && apt-get install -y fonts-noto-cjk" in done.stderr
    )
    assert "Could not get lock" not in done.stdout + done.stderr
    assert 2 <= seconds < 20


def test_waiting_ends_when_the_lock_is_released(tmp_path):
    lock = tmp_path / "lock"
    with held(lock, "fcntl") as holder:
        started = time.monotonic()
        waiting = subprocess.Popen(
            ["bash", "-c", f'source "{SCRIPTS}/apt-lock.sh"; wait_for_apt'],
            env=dict(os.environ, GONGKAI_APT_LOCKS=str(lock), GONGKAI_APT_WAIT="30"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)
        holder.kill()
        out, err = waiting.communicate(timeout=30)
    assert waiting.returncode == 0 and err == ""
    assert len(out.splitlines()) == 1 and "正在等待" in out
    assert time.monotonic() - started < 15


@pytest.fixture
def sandbox(tmp_path):
    """scripts/setup in a checkout of its own, with fake dpkg-query (nothing installed) and apt-get (logs
    its arguments) on PATH, and a Python that cannot make the virtualenv: setup stops after the apt step."""
    if os.geteuid() != 0:
        pytest.skip("setup installs system packages only as root")
    (tmp_path / "scripts").mkdir()
    for name in ("setup", "apt-lock.sh"):
        shutil.copy(SCRIPTS / name, tmp_path / "scripts" / name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> "{tmp_path}/apt-get.log"\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return tmp_path


def setup(sandbox: Path, lock: Path) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        PATH=f"{sandbox / 'bin'}:{os.environ['PATH']}",
        PYTHON="false",
        GONGKAI_APT_LOCKS=str(lock),
        GONGKAI_APT_WAIT="1",
    )
    return subprocess.run(
        ["bash", str(sandbox / "scripts" / "setup")], env=env, capture_output=True, text=True, timeout=60
    )


def test_setup_waits_and_explains_instead_of_running_apt(sandbox):
    lock = sandbox / "lock-frontend"
    with held(lock, "flock"):
        done = setup(sandbox, lock)
    assert done.returncode != 0
    assert "正在等待其他软件包管理程序" in done.stdout
    assert (
        "请等它结束后再运行 scripts/setup" in done.stderr
        and "apt-get install -y fonts-noto-cjk" in done.stderr
    )
    assert not (sandbox / "apt-get.log").exists()


def test_setup_runs_apt_when_the_locks_are_free(sandbox):
    lock = sandbox / "lock-frontend"
    lock.touch()
    setup(sandbox, lock)  # fails afterwards, at the virtualenv: PYTHON=false
    update, install = (sandbox / "apt-get.log").read_text().splitlines()
    assert update == "-o DPkg::Lock::Timeout=1 update -qq"
    assert install.startswith("-o DPkg::Lock::Timeout=1 install -y -qq fonts-noto-cjk")
