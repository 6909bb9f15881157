"""`gongkai serve`: the production server (migrate, collect static files, then gunicorn)."""

from __future__ import annotations

import importlib.util
import ipaddress
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
    allow_ips, notices = forwarded_allow_ips(
        explicit=os.environ.get("GONGKAI_FORWARDED_ALLOW_IPS", ""), trusted=settings.TRUSTED_PROXIES
    )
    for notice in notices:
        print(notice, file=sys.stderr)
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
        allow_ips,
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


def forwarded_allow_ips(*, explicit: str, trusted: list[str]) -> tuple[str, list[str]]:
    """gunicorn's --forwarded-allow-ips (whom it takes X-Forwarded-Proto from) and the notices to print.

    It follows GONGKAI_TRUSTED_PROXIES unless GONGKAI_FORWARDED_ALLOW_IPS says otherwise; gunicorn takes
    single addresses only, so networks among the trusted proxies are left out (and said so)."""
    if explicit:
        return explicit, []
    if not trusted:
        return "127.0.0.1", [
            "提示：未设置 GONGKAI_TRUSTED_PROXIES，客户端地址取自直接连接（REMOTE_ADDR）。"
            "在 nginx 等反向代理之后运行时，所有访问者都会显示为代理的地址，共用同一个提交频率限制和登录限制；"
            "请把代理的地址写入 GONGKAI_TRUSTED_PROXIES（例如 127.0.0.1）。"
        ]
    networks = [ipaddress.ip_network(entry, strict=False) for entry in trusted]
    hosts = [str(network.network_address) for network in networks if network.num_addresses == 1]
    notices = []
    if len(hosts) < len(networks):
        notices.append(
            "提示：gunicorn 只接受单个地址，GONGKAI_TRUSTED_PROXIES 中的网段未传给它（--forwarded-allow-ips）；"
            "需要时请用 GONGKAI_FORWARDED_ALLOW_IPS 逐个列出代理的地址。"
        )
    return ",".join(hosts) or "127.0.0.1", notices
