"""Load on the production server: N clients on the portal and the workbench, then every accepted row checked.

Per database engine (SQLite in a fresh data dir, PostgreSQL in a database of its own that the run creates and
drops), the benchmark sets up agencies with a clerk each and a few applications, starts `gongkai serve`
(gunicorn, production settings, on 127.0.0.1) with bench/load_site.py as its settings (gongkai's settings
plus one bare Django view, `/bench-bare/`), and then:

1. home against bare: one client, alternately the portal home and the bare view (same server, same
   workers, same middleware), p50 of each and their ratio; goal: home within 2x of the bare view's p50;
2. mixed load: `--clients` clients for `--seconds` seconds without pause. 15 % of them are clerks, logged in
   to the workbench before the clock starts (a login hashes a password on purpose: once a day, not part of
   the load), registering applications; the others are the public, each time drawing the portal home, the
   status page with a valid query code, an online application (form, submission from a fresh client address
   in 10.0.0.0/8 through the trusted proxy header, receipt) or the bare view. Per kind of request: count,
   req/s, p50, p99 as the client saw them, p50 inside the gunicorn worker (its access log), and errors (a
   status other than the expected one, or no response), with the first reasons;
3. integrity: every submission the clients saw accepted (the receipt's 申请编号 and 查询码, the page of the
   registered application) is stored exactly once, nothing refused was stored, no extra rows, no
   申请编号 twice in an agency;
4. `kill -9` during a write load: online applications with a PDF attachment; the gunicorn master and its
   workers are killed mid-load; then every accepted application is there with its attachment row and its
   file (decrypted: the bytes sent), every stored one of this phase has its attachment, and the only files
   without a row belong to submissions whose answer never came; the daily sweep (`attachments_sweep`)
   removes exactly those; the restarted server takes a new application.

The server is reached as nginx would reach it: `GONGKAI_TRUSTED_PROXIES=127.0.0.1`, each request sending
`X-Forwarded-For: <client>` and `X-Forwarded-Proto: https` (so Django's SECURE_PROXY_SSL_HEADER sees HTTPS:
secure cookies, no SSL redirect, the CSRF origin check against https://127.0.0.1:PORT). The clients keep
their cookies themselves (a cookie jar does not send secure cookies over plain HTTP).

    .venv/bin/python -m pip install -e '.[bench]'       # httpx (the load generator), once
    .venv/bin/python bench/load.py                      # both engines, 50 clients x 60 s
    .venv/bin/python bench/load.py --engine sqlite --clients 5 --seconds 5      # a smoke run
    .venv/bin/python bench/load.py --engine postgresql \\
        --database-url postgresql://postgres@127.0.0.1:5432/gongkai_load        # created and dropped

Goals (hardening issue): 50 clients x 60 s with 0 errors and 0 lost or duplicated rows on both databases;
the portal home within 2x of the bare view's p50; a kill -9 during the write load leaves every accepted row
and no orphan file other than those of unanswered submissions, which the sweep removes.
The load generator runs on the same machine as the server and takes its share of the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(BENCH)]

HOME_RATIO_GOAL = 2.0
PASSWORD = "gongkai-load-2020"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/gongkai_load"
# the mixed load: how often a client picks each action (each is one to three requests)
# The clients: CLERK_SHARE of them are clerks registering applications in the workbench, the others are the
# public, each action drawn by these weights (an application is three requests: form, submission, receipt).
CLERK_SHARE = 0.15
WEIGHTS = {"home": 35, "status": 25, "apply": 28, "bare": 12}
KINDS = [
    ("home", "门户首页 GET /"),
    ("bare", "空视图 GET /bench-bare/"),
    ("status", "进度查询 GET /status/?code="),
    ("apply_form", "网上申请表 GET /apply/<机关>/"),
    ("apply_post", "网上申请提交 POST"),
    ("receipt", "回执 GET /apply/receipt/"),
    ("login_form", "工作台登录页 GET /workbench/login/"),
    ("login_post", "工作台登录 POST"),
    ("register_form", "登记表 GET /workbench/applications/new/"),
    ("register_post", "登记提交 POST"),
]
AGENCIES = [
    "沙坡头区科学技术局",
    "沙坡头区自然资源局",
    "沙坡头区住房和城乡建设局",
    "沙坡头区生态环境局",
    "沙坡头区财政局",
    "沙坡头区教育体育局",
    "沙坡头区卫生健康局",
    "沙坡头区市场监督管理局",
    "沙坡头区交通运输局",
    "沙坡头区农业农村和水务局",
    "沙坡头区民政局",
    "沙坡头区人力资源和社会保障局",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明"
TOPICS = [
    "集体土地征收补偿安置方案",
    "国有建设用地使用权出让合同",
    "建设工程规划许可证及附图",
    "某项目环境影响评价批复文件",
    "2026年度部门预算执行情况",
    "城中村改造项目拆迁补偿协议",
    "农村危房改造补助资金分配结果",
    "某路段道路拓宽工程立项批复",
]
NUMBER_RE = re.compile(r"<dt>申请编号</dt><dd class=\"num\">([^<]+)</dd>")
CODE_RE = re.compile(r"id=\"query-code\">([^<]+)<")
TOKEN_RE = re.compile(r"name=\"csrfmiddlewaretoken\" value=\"([^\"]+)\"")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="生产服务器（gongkai serve）的并发压测与数据完整性检查")
    parser.add_argument(
        "--engine", choices=["sqlite", "postgresql", "both"], default="both", help="数据库（默认两种都测）"
    )
    parser.add_argument("--clients", type=int, default=50, help="并发客户端数（默认 50）")
    parser.add_argument("--seconds", type=float, default=60, help="混合负载持续秒数（默认 60）")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn 工作进程数（默认 2×核数+1）",
    )
    parser.add_argument("--port", type=int, default=0, help="服务器端口（默认任选一个空闲端口）")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_PG,
        help=f"PostgreSQL：压测新建的数据库（结束后删除；已存在则拒绝，除非 --drop-existing）；默认 {DEFAULT_PG}",
    )
    parser.add_argument("--drop-existing", action="store_true", help="该 PostgreSQL 数据库已存在时先删除")
    parser.add_argument("--data-dir", help="数据目录的上级目录（默认临时目录；每种数据库一个子目录）")
    parser.add_argument("--keep", action="store_true", help="保留数据目录和数据库（打印其位置）")
    parser.add_argument(
        "--compare", type=int, default=300, help="首页与空视图各请求几次（单客户端，默认 300）"
    )
    parser.add_argument(
        "--kill-after",
        type=float,
        default=8,
        help="带附件写入负载开始几秒后 kill -9 服务器（默认 8；0 表示不做这项检查）",
    )
    parser.add_argument("--timeout", type=float, default=30, help="单个请求的超时秒数（默认 30）")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument(
        "--json", help=argparse.SUPPRESS
    )  # where an engine's run writes its figures (--engine both)
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.workers < 1:
        parser.error("--clients、--seconds、--workers 须为正数")
    return args


# --- the server and its database ---------------------------------------------------------------------------


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # not Linux
        return "?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Engine:
    name: str
    data_dir: Path
    env: dict
    cleanup: callable


def prepare(args, engine: str) -> Engine:
    """The environment of the benchmark process and of the server: one data dir, one database, one key."""
    parent = Path(args.data_dir).resolve() if args.data_dir else None
    if parent:
        data_dir = parent / f"load-{engine}"
        if data_dir.exists():
            shutil.rmtree(data_dir)
        data_dir.mkdir(parents=True)
    else:
        data_dir = Path(tempfile.mkdtemp(prefix=f"gongkai-load-{engine}-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "load_site",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
        "GONGKAI_PRODUCTION": "1",
        "GONGKAI_DATA_DIR": str(data_dir),
        "GONGKAI_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "GONGKAI_TRUSTED_PROXIES": "127.0.0.1",
        "GONGKAI_ALLOWED_HOSTS": "127.0.0.1",
        "GONGKAI_SMTP_HOST": "",
    }
    scratch = None
    if engine == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{data_dir / 'gongkai.sqlite3'}"
    else:
        import psycopg

        target = urlparse(args.database_url)
        if target.scheme not in ("postgres", "postgresql"):
            raise SystemExit("--database-url 只支持 postgresql://")
        scratch = target.path.lstrip("/")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", scratch or "") or scratch in (
            "postgres",
            "template1",
        ):
            raise SystemExit(f"--database-url 须指明一个供压测新建的数据库名（收到 {scratch!r}）")
        server = urlunparse(target._replace(path="/postgres"))
        with psycopg.connect(server, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [scratch]).fetchone()
            if exists and not args.drop_existing:
                raise SystemExit(f"数据库 {scratch} 已存在：换一个名字，或加 --drop-existing 先删除它")
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            conn.execute(f'CREATE DATABASE "{scratch}"')
        env["DATABASE_URL"] = args.database_url

    def cleanup():
        if args.keep:
            # the data key too (a throwaway one, owner-only like the rest): without it the kept rows cannot be read
            saved = data_dir / "bench.env"
            saved.write_text("".join(f"export {k}='{v}'\n" for k, v in env.items()))
            saved.chmod(0o600)
            print(
                f"数据保留在 {data_dir}"
                + (f"，数据库 {scratch}" if scratch else "")
                + f"；环境变量见 {saved}"
            )
            return
        shutil.rmtree(data_dir, ignore_errors=True)
        if scratch:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')

    return Engine(engine, data_dir, env, cleanup)


class Server:
    """`gongkai serve` in a session (process group) of its own, so that the master and its workers can be
    signalled together by that group's id."""

    def __init__(self, engine: Engine, *, port: int, workers: int):
        self.engine, self.port, self.workers = engine, port, workers
        self.log = engine.data_dir / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gongkai.cli", "serve", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", str(self.workers)],
                env=os.environ | self.engine.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.engine.data_dir,
                start_new_session=True,
            )  # fmt: skip
        import httpx

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"服务器未能启动（退出码 {self.process.returncode}），见 {self.log}")
            try:
                if httpx.get(self.url("/bench-bare/"), headers=PROXY, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"服务器 3 分钟内未就绪，见 {self.log}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def pids(self) -> list[int]:
        """The master and its workers (the members of its process group)."""
        pgid = self.process.pid
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == pgid:
                    found.append(int(entry.name))
        return sorted(found)

    def kill9(self) -> list[int]:
        pids = self.pids()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        return pids

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.255.255.254"}


# --- data ---------------------------------------------------------------------------------------------------


@dataclass
class World:
    agencies: list[int]
    clerks: list[tuple[str, int, int]]  # user name, agency id, user id
    codes: list[str]


def set_up_data(rng: random.Random) -> World:
    """Agencies under a district government, a clerk each, and a few applications for the status page."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from gongkai.agencies.models import Role
    from gongkai.agencies.services import agency_create, membership_grant
    from gongkai.cases.applicant import Applicant
    from gongkai.cases.services import application_submit_online

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    password = make_password(PASSWORD)
    User = get_user_model()
    agencies, clerks = [], []
    with transaction.atomic():
        top = agency_create(name="中卫市沙坡头区人民政府", is_supervisor=True)
        for i, name in enumerate(AGENCIES):
            agency = agency_create(
                name=name, parent=top, office_name=f"{name}办公室", address=f"中卫市沙坡头区文萃路{i + 1}号",
                phone=f"0955-70{i:02d}123", hours="工作日 8:30-12:00，14:30-18:00",
            )  # fmt: skip
            clerk = User.objects.create(username=f"load_clerk_{i + 1}", password=password)
            membership_grant(user=clerk, agency=agency, role=Role.CLERK)
            agencies.append(agency)
            clerks.append((clerk.username, agency.pk, clerk.pk))
    codes = []
    for agency in agencies:
        for _ in range(3):
            fields = applicant_fields(rng, "预置")
            codes.append(application_submit_online(agency=agency, applicant=Applicant.of(fields)).query_code)
    return World([a.pk for a in agencies], clerks, codes)


def id_number(rng: random.Random) -> str:
    from gongkai.agencies.validators import id_check_char

    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
    body = f"640502{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_check_char(body)


def applicant_fields(rng: random.Random, marker: str) -> dict:
    return {
        "applicant_kind": "natural_person",
        "applicant_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "id_type": "resident_id",
        "id_number": id_number(rng),
        "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        "email": f"user{rng.randrange(10**6)}@example.cn",
        "address": "",
        "postcode": "",
        "contact_person": "",
        "description": f"申请公开{rng.choice(TOPICS)}。{marker}",
        "requested_form": "electronic",
        "delivery": "email",
    }


def pdf(seq: int, rng: random.Random, size: int = 16 * 1024) -> bytes:
    """A small one-page PDF (the text names the submission), padded after %%EOF like a scanner's output."""
    text = f"gongkai load test attachment {seq}".encode()
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    out += b"%" + rng.randbytes(max(0, size - len(out) - 1))
    return bytes(out)


# --- the clients --------------------------------------------------------------------------------------------


class Jar:
    """A browser's cookies for one site, kept by hand: the server sets them Secure (it believes it is behind
    HTTPS), and a standard cookie jar would not send them back over http://127.0.0.1."""

    def __init__(self):
        self.values: dict[str, str] = {}

    def update(self, response) -> None:
        for header in response.headers.get_list("set-cookie"):
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.values.pop(name, None)
                else:
                    self.values[name] = morsel.value

    def header(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.values.items())} if self.values else {}


@dataclass
class Attempt:
    """One submission (online or by a clerk) and what its client saw."""

    seq: int
    kind: str  # "online" or "clerk"
    agency: int
    outcome: str = "unknown"  # accepted, refused, unknown (no answer: timeout, connection lost)
    number: str = ""
    code: str = ""
    pk: int | None = None
    user: int | None = None
    attachment: bytes | None = None


@dataclass
class Recorder:
    seconds: dict = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    reasons: dict = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, seconds: float, error: str | None = None) -> None:
        self.seconds[kind].append(seconds)
        if error:
            self.errors[kind] += 1
            if len(self.reasons[kind]) < 5:
                self.reasons[kind].append(error)


def snippet(response) -> str:
    text = response.text
    found = re.findall(r"<ul class=\"errorlist[^\"]*\"[^>]*>(.*?)</ul>", text, re.S)
    if found:
        text = " ".join(found)
    elif "<title>" in text:
        text = text.split("<title>", 1)[1].split("</title>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:160]


class Traffic:
    """The clients' actions on one server. Every request goes through the trusted proxy's headers."""

    def __init__(self, client, port: int, world: World, tag: str, recorder: Recorder, rng: random.Random):
        self.client, self.world, self.tag, self.recorder, self.rng = client, world, tag, recorder, rng
        self.origin = f"https://127.0.0.1:{port}"
        self.attempts: dict[int, Attempt] = {}
        self.codes = list(world.codes)
        self._seq = 0
        self._address = 0

    def fresh_address(self) -> str:
        """A new client address in 10.0.0.0/8 (each online submission its own: 5 per address per 10 min)."""
        self._address += 1
        n = self._address
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}"

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    async def request(self, kind: str, method: str, path: str, *, address: str, jar: Jar | None, expect: int,
                      **kwargs):  # fmt: skip
        """The response when it has the expected status; None (an error recorded) otherwise."""
        headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
        if jar is not None:
            headers |= jar.header()
        if method == "POST":
            headers |= {"Origin": self.origin, "Referer": self.origin + path}
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, headers=headers, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure is a figure of the benchmark
            self.recorder.add(kind, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:160])
            raise NoAnswer from exc
        elapsed = time.perf_counter() - started
        if jar is not None:
            jar.update(response)
        if response.status_code != expect:
            self.recorder.add(kind, elapsed, f"HTTP {response.status_code}: {snippet(response)}")
            return None
        self.recorder.add(kind, elapsed)
        return response

    async def home(self, address: str) -> None:
        await self.request("home", "GET", "/", address=address, jar=None, expect=200)

    async def bare(self, address: str) -> None:
        await self.request("bare", "GET", "/bench-bare/", address=address, jar=None, expect=200)

    async def status(self, address: str) -> None:
        code = self.rng.choice(self.codes)
        response = await self.request(
            "status", "GET", "/status/", address=address, jar=None, expect=200, params={"code": code}
        )
        if response is not None and "<dt>申请编号</dt>" not in response.text:
            self.recorder.errors["status"] += 1
            if len(self.recorder.reasons["status"]) < 5:
                self.recorder.reasons["status"].append(f"查询码 {code} 的页面未显示申请")

    async def apply(self, *, attachment: bool = False) -> Attempt | None:
        """A new visitor from a new address: the form, the submission, the receipt."""
        jar, address = Jar(), self.fresh_address()
        agency = self.rng.choice(self.world.agencies)
        path = f"/apply/{agency}/"
        form = await self.request("apply_form", "GET", path, address=address, jar=jar, expect=200)
        if form is None:
            return None
        seq = self.next_seq()
        attempt = self.attempts[seq] = Attempt(seq, "online", agency)
        data = applicant_fields(self.rng, f"（{self.tag}-{seq:07d}）")
        data["csrfmiddlewaretoken"] = TOKEN_RE.search(form.text).group(1)
        files = None
        if attachment:
            attempt.attachment = pdf(seq, self.rng)
            files = {"attachment": ("身份证明.pdf", attempt.attachment, "application/pdf")}
        posted = await self.request(
            "apply_post", "POST", path, address=address, jar=jar, expect=302, data=data, files=files
        )
        if posted is None:
            attempt.outcome = "refused"
            return attempt
        if posted.headers.get("location") != "/apply/receipt/":
            attempt.outcome = "refused"
            self.recorder.errors["apply_post"] += 1
            self.recorder.reasons["apply_post"].append(f"转向 {posted.headers.get('location')}")
            return attempt
        attempt.outcome = "accepted"
        receipt = await self.request(
            "receipt", "GET", "/apply/receipt/", address=address, jar=jar, expect=200
        )
        if receipt is not None:
            number, code = NUMBER_RE.search(receipt.text), CODE_RE.search(receipt.text)
            if number and code:
                attempt.number, attempt.code = number.group(1), code.group(1)
                self.codes.append(attempt.code)
            else:
                self.recorder.errors["receipt"] += 1
                self.recorder.reasons["receipt"].append("回执上没有申请编号或查询码")
        return attempt

    async def login(self, jar: Jar, address: str, username: str) -> bool:
        form = await self.request(
            "login_form", "GET", "/workbench/login/", address=address, jar=jar, expect=200
        )
        if form is None:
            return False
        data = {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": TOKEN_RE.search(form.text).group(1),
        }
        done = await self.request(
            "login_post", "POST", "/workbench/login/", address=address, jar=jar, expect=302, data=data
        )
        return done is not None

    async def register(self, jar: Jar, address: str, clerk: tuple[str, int, int]) -> None:
        _, agency, user = clerk
        path = "/workbench/applications/new/"
        form = await self.request("register_form", "GET", path, address=address, jar=jar, expect=200)
        if form is None:
            return
        seq = self.next_seq()
        attempt = self.attempts[seq] = Attempt(seq, "clerk", agency, user=user)
        data = applicant_fields(self.rng, f"（{self.tag}-{seq:07d}）")
        data |= {
            "csrfmiddlewaretoken": TOKEN_RE.search(form.text).group(1),
            "agency": str(agency),
            "channel": "letter",
            "received_on": dt.date.today().isoformat(),
            "past_year_reason": "",
        }
        posted = await self.request(
            "register_post", "POST", path, address=address, jar=jar, expect=302, data=data
        )
        found = (
            re.fullmatch(r"/workbench/applications/(\d+)/", posted.headers.get("location", ""))
            if posted
            else None
        )
        if found:
            attempt.outcome, attempt.pk = "accepted", int(found.group(1))
        else:
            attempt.outcome = "refused"
            if posted is not None:
                self.recorder.errors["register_post"] += 1
                self.recorder.reasons["register_post"].append(f"转向 {posted.headers.get('location')}")


class NoAnswer(Exception):
    """A request got no response (timeout, connection refused or reset)."""


async def visitor(traffic: Traffic, index: int, deadline: float) -> None:
    """A member of the public: without pause, the home page, the status page, an application or the bare
    view, drawn by WEIGHTS."""
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    rng = random.Random(f"{traffic.tag}-{index}")
    address = f"10.254.{index // 250}.{index % 250 + 1}"
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        try:
            await (traffic.apply() if kind == "apply" else getattr(traffic, kind)(address))
        except NoAnswer:
            await asyncio.sleep(0.1)  # recorded; a refused connection must not spin


async def clerk(traffic: Traffic, index: int, jar: Jar, deadline: float) -> None:
    """A clerk, logged in before the clock started: registrations without pause."""
    account = traffic.world.clerks[index % len(traffic.world.clerks)]
    address = f"10.253.{index // 250}.{index % 250 + 1}"
    while time.monotonic() < deadline:
        try:
            await traffic.register(jar, address, account)
        except NoAnswer:
            await asyncio.sleep(0.1)


async def run_mixed(port: int, world: World, args, tag: str) -> tuple[Recorder, Traffic, float, Recorder]:
    """The clerks log in (untimed: once a day, and each login hashes a password on purpose), then the
    clerks and the visitors run together for args.seconds."""
    import httpx

    clerks = clerk_count(args.clients)
    limits = httpx.Limits(max_connections=args.clients * 2, max_keepalive_connections=args.clients)
    async with client_for(port, args, limits) as client:
        logins = Recorder()
        signing_in = Traffic(client, port, world, tag, logins, random.Random(args.seed))
        jars = [Jar() for _ in range(clerks)]
        accounts = [world.clerks[i % len(world.clerks)][0] for i in range(clerks)]
        await asyncio.gather(
            *(
                signing_in.login(jars[i], f"10.253.{i // 250}.{i % 250 + 1}", accounts[i])
                for i in range(clerks)
            )
        )
        recorder = Recorder()
        traffic = Traffic(client, port, world, tag, recorder, random.Random(args.seed))
        started = time.monotonic()
        deadline = started + args.seconds
        await asyncio.gather(
            *(clerk(traffic, i, jars[i], deadline) for i in range(clerks)),
            *(visitor(traffic, i, deadline) for i in range(args.clients - clerks)),
        )
        elapsed = time.monotonic() - started
    return recorder, traffic, elapsed, logins


def clerk_count(clients: int) -> int:
    """How many of the clients are clerks registering applications (the others are the public)."""
    return max(1, round(clients * CLERK_SHARE)) if clients > 1 else 0


def client_for(port: int, args, limits=None):
    import http.cookiejar

    import httpx

    # the jar refuses everything: each client keeps its own cookies (Jar)
    nothing = http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=args.timeout, follow_redirects=False, cookies=nothing,
        limits=limits or httpx.Limits(),
    )  # fmt: skip


async def run_compare(port: int, world: World, args) -> Recorder:
    """One client, the home page and the bare view in turn: each request alone on the server."""
    recorder = Recorder()
    async with client_for(port, args) as client:
        traffic = Traffic(client, port, world, "compare", recorder, random.Random(args.seed))
        for _ in range(5):  # warm up: templates, connections of every worker
            await traffic.home("10.253.0.1")
            await traffic.bare("10.253.0.1")
        recorder.seconds.clear()
        recorder.errors.clear()
        for _ in range(args.compare):
            await traffic.home("10.253.0.1")
            await traffic.bare("10.253.0.1")
    return recorder


async def run_writes(server: Server, world: World, args, tag: str) -> tuple[Recorder, Traffic, list[int]]:
    """Online applications with an attachment from every client, until the server is killed."""
    import httpx

    recorder = Recorder()
    limits = httpx.Limits(max_connections=args.clients * 2, max_keepalive_connections=args.clients)
    async with client_for(server.port, args, limits) as client:
        traffic = Traffic(client, server.port, world, tag, recorder, random.Random(args.seed + 1))
        killed = asyncio.Event()

        async def writer():
            while not killed.is_set():
                try:
                    await traffic.apply(attachment=True)
                except NoAnswer:
                    if killed.is_set():
                        return
                    await asyncio.sleep(0.1)

        async def killer():
            await asyncio.sleep(args.kill_after)
            pids = await asyncio.to_thread(server.kill9)
            killed.set()
            return pids

        results = await asyncio.gather(killer(), *(writer() for _ in range(args.clients)))
    return recorder, traffic, results[0]


# --- figures ------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def figures(recorder: Recorder, elapsed: float) -> dict:
    table = {}
    for kind, _ in KINDS:
        values = recorder.seconds.get(kind, [])
        if not values:
            continue
        table[kind] = {
            "count": len(values),
            "rps": len(values) / elapsed,
            "p50_ms": percentile(values, 0.50) * 1000,
            "p99_ms": percentile(values, 0.99) * 1000,
            "errors": recorder.errors[kind],
            "reasons": recorder.reasons.get(kind, []),
        }
    return table


ACCESS_RE = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d+) \S+ (\d+)ms')
ROUTES = [
    ("GET", r"/", "home"),
    ("GET", r"/bench-bare/", "bare"),
    ("GET", r"/status/", "status"),
    ("GET", r"/apply/\d+/", "apply_form"),
    ("POST", r"/apply/\d+/", "apply_post"),
    ("GET", r"/apply/receipt/", "receipt"),
    ("GET", r"/workbench/login/", "login_form"),
    ("POST", r"/workbench/login/", "login_post"),
    ("GET", r"/workbench/applications/new/", "register_form"),
    ("POST", r"/workbench/applications/new/", "register_post"),
]


def server_times(log: Path, start: int, end: int) -> dict[str, float]:
    """p50 of the time each kind of request spent in a gunicorn worker (its access log, %(M)s), from the
    part of the log the phase wrote: what the clients' time adds beyond it is waiting for a free worker
    (and the client itself)."""
    with log.open("rb") as f:
        f.seek(start)
        text = f.read(end - start).decode(errors="replace")
    times = defaultdict(list)
    for method, path, _status, ms in ACCESS_RE.findall(text):
        for want, pattern, kind in ROUTES:
            if method == want and re.fullmatch(pattern, path):
                times[kind].append(int(ms) / 1000)
    return {kind: percentile(values, 0.5) * 1000 for kind, values in times.items()}


def print_table(title: str, table: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(120, Console().width), highlight=False)
    out = Table(title=title)
    for name, justify in (("请求", "left"), ("次数", "right"), ("请求/秒", "right"), ("p50 毫秒", "right"),
                          ("p99 毫秒", "right"), ("服务端 p50", "right"), ("错误", "right")):  # fmt: skip
        out.add_column(name, justify=justify)
    labels = dict(KINDS)
    for kind, row in table.items():
        out.add_row(
            labels[kind], f"{row['count']:,}", f"{row['rps']:.1f}", f"{row['p50_ms']:.1f}", f"{row['p99_ms']:.1f}",
            f"{row['server_p50_ms']:.0f}" if row.get("server_p50_ms") is not None else "", str(row["errors"]),
        )  # fmt: skip
    total = sum(r["count"] for r in table.values())
    out.add_row("合计", f"{total:,}", f"{sum(r['rps'] for r in table.values()):.1f}", "", "", "",
                str(sum(r["errors"] for r in table.values())))  # fmt: skip
    console.print(out)
    for kind, row in table.items():
        for reason in row["reasons"]:
            console.print(f"  错误 {kind}: {reason}")


# --- checks on the database ---------------------------------------------------------------------------------


def verify(attempts: dict[int, Attempt], tag: str) -> dict:
    """Every accepted submission stored exactly once, as its client saw it; nothing else stored."""
    from django.db import connections
    from django.db.models import Count

    from gongkai.cases.models import Application

    marker = re.compile(rf"（{re.escape(tag)}-(\d+)）")
    rows = defaultdict(list)
    for row in Application.objects.filter(description__contains=f"（{tag}-").values(
        "pk", "description", "number", "query_code", "agency_id", "channel", "created_by_id"
    ):
        rows[int(marker.search(row["description"]).group(1))].append(row)
    problems: list[str] = []
    counts = Counter()
    for seq, attempt in attempts.items():
        stored = rows.get(seq, [])
        counts[f"{attempt.kind}_{attempt.outcome}"] += 1
        if attempt.outcome == "refused" and stored:
            problems.append(f"#{seq} 被拒绝，却存了 {len(stored)} 条")
        elif attempt.outcome == "unknown":
            counts["unknown_stored"] += len(stored)
            if len(stored) > 1:
                problems.append(f"#{seq}（未收到答复）存了 {len(stored)} 条")
        elif attempt.outcome == "accepted":
            if len(stored) != 1:
                problems.append(f"#{seq} 已受理，库中 {len(stored)} 条")
                continue
            row = stored[0]
            if row["agency_id"] != attempt.agency:
                problems.append(f"#{seq} 机关不符")
            if attempt.kind == "online" and (
                row["channel"] != "online"
                or (attempt.number and (row["number"], row["query_code"]) != (attempt.number, attempt.code))
            ):
                problems.append(
                    f"#{seq} 回执 {attempt.number}/{attempt.code}，库中 {row['number']}/{row['query_code']}"
                )
            if attempt.kind == "clerk" and (row["pk"] != attempt.pk or row["created_by_id"] != attempt.user):
                problems.append(f"#{seq} 登记后转向的申请 {attempt.pk}，库中 {row['pk']}")
    extra = sorted(set(rows) - set(attempts))
    if extra:
        problems.append(f"{len(extra)} 条库中记录没有对应的提交：{extra[:5]}")
    duplicates = (
        Application.objects.values("agency_id", "number").annotate(n=Count("id")).filter(n__gt=1).count()
        + Application.objects.values("query_code").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    if duplicates:
        problems.append(f"{duplicates} 个申请编号或查询码重复")
    accepted = sum(1 for a in attempts.values() if a.outcome == "accepted")
    stored = sum(len(v) for v in rows.values())
    connections.close_all()
    return {
        "accepted": accepted,
        "refused": sum(1 for a in attempts.values() if a.outcome == "refused"),
        "unknown": sum(1 for a in attempts.values() if a.outcome == "unknown"),
        "unknown_stored": counts["unknown_stored"],
        "stored": stored,
        "online_accepted": counts["online_accepted"],
        "clerk_accepted": counts["clerk_accepted"],
        "duplicates": duplicates,
        "problems": problems,
        "ok": not problems,
    }


def verify_files(attempts: dict[int, Attempt], tag: str) -> dict:
    """After the kill: each stored application of the phase has its one attachment row, its file, its bytes;
    the files without a row; the sweep."""
    from django.db import connections

    from gongkai.cases.attachments import SWEEP_GRACE, attachment_content, attachment_files, attachments_sweep
    from gongkai.cases.models import Application, Attachment

    marker = re.compile(rf"（{re.escape(tag)}-(\d+)）")
    problems = []
    stored = 0
    for application in Application.objects.filter(description__contains=f"（{tag}-").prefetch_related(
        "attachments"
    ):
        stored += 1
        attempt = attempts[int(marker.search(application.description).group(1))]
        files = list(application.attachments.all())
        if len(files) != 1:
            problems.append(f"#{attempt.seq} 有 {len(files)} 个附件记录")
            continue
        try:
            content = attachment_content(files[0])
        except OSError as exc:
            problems.append(f"#{attempt.seq} 的附件文件读不出：{exc}")
            continue
        if content != attempt.attachment:
            problems.append(f"#{attempt.seq} 的附件内容与提交的不同")
    known = set(Attachment.objects.values_list("key", flat=True))
    on_disk = attachment_files()
    orphans = [p for p in on_disk if p.name not in known]
    missing = len(known - {p.name for p in on_disk})
    if missing:
        problems.append(f"{missing} 个附件记录没有文件")
    unanswered = sum(1 for a in attempts.values() if a.outcome == "unknown")
    if len(orphans) > unanswered:
        problems.append(f"{len(orphans)} 个无记录的文件，多于未收到答复的提交（{unanswered}）")
    swept = attachments_sweep(now=time.time() + SWEEP_GRACE.total_seconds() + 60)
    left = [p for p in attachment_files() if p.name not in known]
    if swept != len(orphans) or left:
        problems.append(f"清理删除了 {swept} 个文件（应为 {len(orphans)}），仍有 {len(left)} 个无记录的文件")
    if len(attachment_files()) != len(known):
        problems.append("清理后文件数与附件记录数不等")
    connections.close_all()
    return {"stored_in_phase": stored, "orphans": len(orphans), "swept": swept, "problems": problems}


# --- one engine ---------------------------------------------------------------------------------------------


def run_engine(args, engine_name: str) -> dict:
    engine = prepare(args, engine_name)
    os.environ.update(engine.env)
    import django

    django.setup()
    from django.db import connection, connections

    result: dict = {"engine": engine_name, "load_before": loadavg(), "clients": args.clients,
                    "seconds": args.seconds, "workers": args.workers}  # fmt: skip
    server = None
    try:
        started = time.perf_counter()
        world = set_up_data(random.Random(args.seed))
        if connection.vendor == "sqlite":
            vendor = f"SQLite {connection.Database.sqlite_version}"
        else:
            version = connection.pg_version
            vendor = f"PostgreSQL {version // 10000}.{version % 100}"
        connections.close_all()
        port = args.port or free_port()
        server = Server(engine, port=port, workers=args.workers)
        server.start()
        print(
            f"\n== {engine_name}（{vendor}）：{len(world.agencies)} 个机关，gongkai serve 127.0.0.1:{port}，"
            f"{args.workers} 个工作进程；准备用时 {time.perf_counter() - started:.0f} 秒；"
            f"{os.cpu_count()} 核，负载 {loadavg()}",
            flush=True,
        )

        compare = asyncio.run(run_compare(port, world, args))
        home, bare = (percentile(compare.seconds[k], 0.5) * 1000 for k in ("home", "bare"))
        result["compare"] = {
            "home_p50_ms": home, "bare_p50_ms": bare, "ratio": home / bare,
            "home_p99_ms": percentile(compare.seconds["home"], 0.99) * 1000,
            "bare_p99_ms": percentile(compare.seconds["bare"], 0.99) * 1000,
            "errors": sum(compare.errors.values()),
        }  # fmt: skip
        c = result["compare"]
        print(
            f"首页与空视图（单客户端交替各 {args.compare} 次）：首页 p50 {home:.1f} 毫秒（p99 {c['home_p99_ms']:.1f}），"
            f"空视图 p50 {bare:.1f} 毫秒（p99 {c['bare_p99_ms']:.1f}）；首页 / 空视图 = {home / bare:.2f} 倍"
            f"（目标 ≤ {HOME_RATIO_GOAL}，{'达标' if home / bare <= HOME_RATIO_GOAL else '未达标'}）",
            flush=True,
        )

        tag = f"压测{secrets.token_hex(3)}"
        result["load_start"] = loadavg()
        cpu = time.process_time()
        log_start = server.log.stat().st_size
        recorder, traffic, elapsed, logins = asyncio.run(run_mixed(port, world, args, tag))
        result["client_cpu"] = (time.process_time() - cpu) / elapsed
        result["load_end"] = loadavg()
        table = figures(recorder, elapsed)
        for kind, p50 in server_times(server.log, log_start, server.log.stat().st_size).items():
            if kind in table:
                table[kind]["server_p50_ms"] = p50
        result["load"] = table
        result["logins"] = figures(logins, 1.0)
        clerks = clerk_count(args.clients)
        print_table(
            f"{engine_name}：{args.clients} 个客户端（{args.clients - clerks} 个公众，{clerks} 个经办人）× {elapsed:.1f} 秒"
            f"（负载 {result['load_start']} → {result['load_end']}；压测客户端占用 {result['client_cpu']:.2f} 核）",
            table,
        )
        if login := result["logins"].get("login_post"):
            print(
                f"经办人登录（计时开始前，{clerks} 人同时）：p50 {login['p50_ms']:.0f} 毫秒，"
                f"最长 {max(logins.seconds['login_post']) * 1000:.0f} 毫秒，错误 "
                f"{sum(r['errors'] for r in result['logins'].values())}"
                + "".join(
                    f"\n  错误 登录: {reason}" for r in result["logins"].values() for reason in r["reasons"]
                )
            )
        if "home" in table and "bare" in table:
            ratio = table["home"]["p50_ms"] / table["bare"]["p50_ms"]
            result["load_home_ratio"] = ratio
            print(f"负载下（含排队和 CPU 争用）：首页 p50 / 空视图 p50 = {ratio:.2f} 倍")
        checked = verify(traffic.attempts, tag)
        result["integrity"] = checked
        print(
            f"完整性：已受理 {checked['accepted']} 件（网上 {checked['online_accepted']}，登记 "
            f"{checked['clerk_accepted']}），库中 {checked['stored']} 条；被拒绝 {checked['refused']} 件；"
            f"未收到答复 {checked['unknown']} 件（其中入库 {checked['unknown_stored']}）；"
            f"申请编号或查询码重复 {checked['duplicates']}；"
            + ("逐件核对无误" if checked["ok"] else "问题：" + "；".join(checked["problems"][:10])),
            flush=True,
        )

        if args.kill_after > 0:
            result["kill"] = kill_check(server, world, args)
    finally:
        if server is not None:
            server.stop()
        engine.cleanup()
    errors = sum(r["errors"] for part in ("load", "logins") for r in result.get(part, {}).values())
    kill = result.get("kill", {})
    result["goals"] = {
        "no_errors": errors == 0,
        "integrity": result.get("integrity", {}).get("ok", False),
        "home_ratio": result.get("compare", {}).get("ratio", math.inf) <= HOME_RATIO_GOAL,
        "kill": (not kill.get("problems") and kill.get("restart_ok", False)) if args.kill_after > 0 else None,
    }
    return result


def kill_check(server: Server, world: World, args) -> dict:
    tag = f"断电{secrets.token_hex(3)}"
    recorder, traffic, pids = asyncio.run(run_writes(server, world, args, tag))
    checked = verify(traffic.attempts, tag)
    files = verify_files(traffic.attempts, tag)
    problems = checked["problems"] + files["problems"]
    # the server again, on the same data: it starts and takes a new application
    server.start()
    restart = Recorder()

    async def one():
        async with client_for(server.port, args) as client:
            again = Traffic(client, server.port, world, tag + "重启", restart, random.Random(args.seed + 2))
            await again.home("10.253.0.2")
            return await again.apply(attachment=True)

    attempt = asyncio.run(one())
    restart_ok = attempt is not None and attempt.outcome == "accepted" and not sum(restart.errors.values())
    server.stop()
    result = {
        "pids_killed": len(pids),
        "accepted": checked["accepted"],
        "stored": checked["stored"],
        "unanswered": checked["unknown"],
        "unanswered_stored": checked["unknown_stored"],
        "refused": checked["refused"],
        "orphans": files["orphans"],
        "swept": files["swept"],
        "problems": problems,
        "restart_ok": restart_ok,
    }
    print(
        f"kill -9（{args.clients} 个客户端提交带 PDF 附件的申请，{args.kill_after:g} 秒后杀死主进程和 {len(pids) - 1} 个"
        f"工作进程）：已受理 {checked['accepted']} 件全部在库（含附件记录、文件，内容一致）"
        if not problems
        else f"kill -9：问题：{'；'.join(problems[:10])}",
        flush=True,
    )
    print(
        f"  未收到答复 {checked['unknown']} 件（其中已入库 {checked['unknown_stored']} 件，附件齐全）；"
        f"无记录的附件文件 {files['orphans']} 个（均属未收到答复的提交），每日清理 attachments_sweep 删除 "
        f"{files['swept']} 个；重启后{'正常受理新申请' if restart_ok else '未能受理新申请'}",
        flush=True,
    )
    return result


# --- both engines -------------------------------------------------------------------------------------------


def summary(results: list[dict], args) -> int:
    print(f"\n== 结论（{args.clients} 个客户端 × {args.seconds:g} 秒，{args.workers} 个工作进程）")
    failed = False
    for r in results:
        goals = r.get("goals", {})
        load = r.get("load", {})
        total = sum(x["count"] for x in load.values())
        errors = sum(x["errors"] for x in load.values())
        compare = r.get("compare", {})
        integrity = r.get("integrity", {})
        kill = r.get("kill")
        line = (
            f"{r['engine']}: {total:,} 个请求，{sum(x['rps'] for x in load.values()):.0f} 请求/秒，错误 {errors}；"
            f"已受理 {integrity.get('accepted', 0)} 件，{'无丢失无重复' if goals.get('integrity') else '有问题'}；"
            f"首页 / 空视图 p50 = {compare.get('ratio', math.nan):.2f} 倍"
        )
        if kill is not None:
            line += f"；kill -9 {'通过' if goals.get('kill') else '未通过'}（遗留文件 {kill['orphans']}，已清理 {kill['swept']}）"
        print(line)
        missed = [name for name, ok in goals.items() if ok is False]
        if missed:
            failed = True
            print(f"  未达标：{', '.join(missed)}")
    return 1 if failed else 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    try:
        import httpx  # noqa: F401
    except ImportError:
        raise SystemExit("需要 httpx：.venv/bin/python -m pip install -e '.[bench]'") from None
    if args.engine != "both":
        result = run_engine(args, args.engine)
        if args.json:
            Path(args.json).write_text(json.dumps(result, ensure_ascii=False))
            return 0
        return summary([result], args)
    # each engine in a process of its own: Django is set up once per process
    results = []
    with tempfile.TemporaryDirectory(prefix="gongkai-load-") as tmp:
        for engine in ("sqlite", "postgresql"):
            out = Path(tmp) / f"{engine}.json"
            rest = [a for a in argv if not a.startswith("--engine")]
            if "--engine" in argv:  # "--engine both" as two arguments
                i = argv.index("--engine")
                rest = argv[:i] + argv[i + 2 :]
            done = subprocess.run([sys.executable, __file__, *rest, "--engine", engine, "--json", str(out)])
            if done.returncode or not out.exists():
                print(f"{engine} 的压测未完成（退出码 {done.returncode}）")
                results.append({"engine": engine, "goals": {"completed": False}})
                continue
            results.append(json.loads(out.read_text()))
    return summary(results, args)


if __name__ == "__main__":
    sys.exit(main())
