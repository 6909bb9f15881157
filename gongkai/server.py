"""`gongkai serve`: the production server (migrate, collect static files, then gunicorn)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys

from django.conf import settings
from django.core.management import call_command


def run_production_server(*, bind: str, workers: int) -> int:
    """Migrate, collect static files, then replace this process with gunicorn."""
    from django.core.exceptions import ImproperlyConfigured

    from gongkai.privacy.keys import keyring

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    try:
        keyring()
    except ImproperlyConfigured as exc:
        print(exc, file=sys.stderr)
        return 1
    call_command("migrate", interactive=False, verbosity=1)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"静态文件已收集到 {settings.STATIC_ROOT}，由本服务直接提供（WhiteNoise）。")
    if not shutil.which("gunicorn") and not _module_available("gunicorn"):
        print("找不到 gunicorn，请先安装：pip install gunicorn", file=sys.stderr)
        return 1
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "gongkai.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        # the path without its query string: a query code or an ID number searched for stays out of the log
        "--access-logformat",
        '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms',
        "--forwarded-allow-ips",
        os.environ.get("GONGKAI_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    print(f"以生产模式启动：{bind}，{workers} 个工作进程。")
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(sys.executable, argv)
    except OSError as exc:
        print(f"无法启动 gunicorn：{exc}", file=sys.stderr)
        return 1
    return 0  # pragma: no cover - execv does not return


def _module_available(name: str) -> bool:
    return importlib.util.find_spec(name) is not None
