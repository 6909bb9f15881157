"""The probe's bad-input set over every form and every API operation, found by walking the site itself: no
answer is a 500, a refused request leaves every table and the media folder as they were, an accepted one
stores no control character, and no error is in English.

The pages come from the URLconf (django.urls.get_resolver): each is opened as every kind of user (the
public, a clerk, a reviewer, a head, an agency's administrator, a supervisor, a superuser), with its URL
parameters filled from the objects `world` creates for the purpose (an application in each status, letters
in each state, an approval, a review case, an attachment). Every <form> on every page is filled with good
values, then each field in turn gets each bad value of its kind. The API's operations come from its OpenAPI
schema. A page or form added later is covered without editing this test; a URL parameter it does not know
makes it fail (give it values in `candidate_kwargs`), and a page it cannot reach must be skipped with a
reason (`SKIPPED`).

Each request runs inside a savepoint that is rolled back afterwards (the media folder is restored too), so
every bad value meets the same state, and requests that were accepted do not change what the next one sees.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import ERROR
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from gongkai.agencies.models import Agency, LoginFailure
from gongkai.api.services import token_create
from gongkai.approvals.models import ApprovalRequest
from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import approval_decide
from gongkai.cases import letters, services
from gongkai.cases.attachments import attachments_of
from gongkai.cases.calendar import work_calendar_invalidate
from gongkai.cases.models import Application, CalendarOverride, ConfirmedYear, Letter
from gongkai.cases.procedure import Step
from gongkai.cases.tasks import daily_sweep
from gongkai.catalog.services import account_save, catalog_bootstrap, item_create
from gongkai.tasks.schedule import enqueue_due_jobs
from gongkai.web.attachments import check_upload
from tests import factories
from tests.web import walk

# Routes not walked, each with its reason.
SKIPPED = {
    "api": "the API is walked through its OpenAPI schema (test_every_api_operation_survives_bad_input)",
    "admin/(?P<url>.*)$": "the admin's catch-all only redirects unknown admin URLs to its login",
    "admin:view_on_site": "no model has a public page of its own (get_absolute_url): it answers 404 for all",
    "portal:receipt": "shows what the session holds after an accepted online application; no form",
}
# What a refused request may still write, and why.
REFUSAL_WRITES = {
    "workbench:login": {"audit.AuditEvent", "agencies.LoginFailure"},
    "admin:login": {"audit.AuditEvent", "agencies.LoginFailure"},
    # the staff API counts every request of a token (gongkai.web.ratelimit)
    "api:staff": {"web.RateCounter"},
    # the portal's limits per client count submissions and missed query codes (gongkai.web.ratelimit)
    "portal:apply": {"web.RateCounter"},
    "portal:status": {"web.RateCounter"},
    "portal:status_correction": {"web.RateCounter"},
    "portal:status_reply_download": {"web.RateCounter"},
}  # a failed login is recorded: the lockout counts it (gongkai.agencies.login_guard)
# Rows that any request may write: the session of the user making it.
NOT_COUNTED = frozenset({"sessions.Session"})
USERS = ("anonymous", "clerk", "reviewer", "head", "admin_a", "supervisor", "superuser")
GOOD = {
    "applicant_name": "张三",
    "id_number": factories.VALID_ID,
    "phone": "13800138000",
    "email": "zhangsan@example.cn",
    "address": "宁夏中卫市沙坡头区文萃路1号",
    "postcode": "755000",
    "contact_person": "李四",
    "description": "2025年度科技项目资金分配结果及相关文件",
    "items": "请补充身份证明材料",
    "party": "某科技有限公司",
    "answer": "同意公开",
    "reason": "需调档核查",
    "comment": "同意",
    "case_number": "（2026）宁0502行初1号",
    "note": "测试说明",
    "username": "clerk_a",
    "password": factories.PASSWORD,
    "quantity": "150",
    "days": "10",
    "day": "2027-02-06",
    "correction_due_on": "2026-12-11",
    "role": "head",
    "text": "已补充身份证明材料",
    "year": "2028",
    "old_password": factories.PASSWORD,
    "new_password1": "Zheng-Wu-2027!x",
    "new_password2": "Zheng-Wu-2027!x",
    "password1": "Zheng-Wu-2027!x",
    "password2": "Zheng-Wu-2027!x",
}
NOTICE_2027 = (Path(__file__).parents[1] / "fixtures" / "notices" / "2027-example.txt").read_text(
    encoding="utf-8"
)
# Forms whose file is required: a good file for each, sent with every request of the form.
GOOD_FILES = {
    "workbench:catalog_import_items": (
        "目录.csv",
        "标题,成文日期,发布日期,栏目\r\n关于印发2026年科技工作要点的通知,2026-03-02,2026-03-05,其他文件\r\n".encode(),
    ),
    "workbench:catalog_import_posts": (
        "发布.csv",
        "发布时间,标题,链接,是否原创\r\n2026-11-01 10:30,科技活动周开幕,https://mp.weixin.qq.com/s/a,是\r\n".encode(),
    ),
}
# Where a field's good value depends on the form it is in.
GOOD_IN = {
    "admin:login": {"username": "root"},
    "admin:auth_user_add": {"username": "new_clerk"},
    "workbench:holidays": {"text": NOTICE_2027},
}


@dataclass
class World:
    users: dict
    agencies: list
    applications: dict[str, Application]
    letters: list
    review_cases: list
    approvals: list
    attachments: list  # (application pk, name)
    id_last4: dict[str, str] = field(default_factory=dict)
    catalog: dict = field(
        default_factory=dict
    )  # items, columns, accounts (workbench); public pages' parameters


@pytest.fixture
def fast_passwords(settings):
    """Logins are part of the walk: a hasher that takes no time (before the users are created)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(fast_passwords, tree, clerk, reviewer, head, admin_a, supervisor, clerk_b, today) -> World:
    on = today.value
    superuser = get_user_model().objects.create_superuser("root", password=factories.PASSWORD)
    token_create(user=clerk, name="对接脚本")  # the admin lists, shows and revokes tokens
    a, b = tree["a"], tree["b"]
    factories.set_letter_levels(a, factories.TWO_LEVELS)
    serial = itertools.count(1)

    def new(agency=a, by=clerk):
        return factories.register(agency, by, next(serial))

    apps = {"received": new()}
    apps["awaiting_correction"] = new()
    services.application_request_correction(
        application=apps["awaiting_correction"], by=clerk, on=on, items="请补充身份证明",
        correction_due_on=on + dt.timedelta(days=15),
    )  # fmt: skip
    apps["consulting"] = new()
    services.application_start_consultation(
        application=apps["consulting"], by=clerk, kind="third_party", party="某科技有限公司", on=on
    )
    apps["awaiting_fee"] = new()
    services.application_issue_fee_notice(
        application=apps["awaiting_fee"], by=clerk, on=on, scale="by_volume", quantity=150
    )
    apps["extension_asked"] = new()
    services.application_request_extension(
        application=apps["extension_asked"], by=clerk, on=on, days=10, reason="需调档核查"
    )
    # letters of one case: a draft, one in approval (the reviewer decides), one signed off (to issue)
    apps["letters"] = new()
    draft = letters.letter_draft(application=apps["letters"], by=clerk, kind="receipt")
    pending = factories.fill_placeholders(
        letters.letter_draft(application=apps["letters"], by=clerk, kind="receipt"), clerk
    )
    letters.letter_submit(letter=pending, by=clerk, on=on)
    approved = factories.fill_placeholders(
        letters.letter_draft(application=apps["letters"], by=clerk, kind="receipt"), clerk
    )
    letters.letter_submit(letter=approved, by=clerk, on=on)
    approval_decide(request=pending_request(subject=approved), by=reviewer, approved=True, on=on)
    approval_decide(request=pending_request(subject=approved), by=head, approved=True, on=on)
    # concluded with an issued reply (agency b issues directly): the public download form
    apps["concluded"] = factories.reply(new(b, clerk_b), clerk_b, on, "granted")
    # submitted online with an attachment
    pdf = SimpleUploadedFile(
        "证明.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "application/pdf"
    )
    apps["online"] = services.application_submit_online(
        agency=a, applicant=factories.applicant(next(serial)), attachment=check_upload(pdf)
    )
    case = services.review_case_register(
        agency=a, by=clerk, kind="review", case_number="沙政复〔2026〕1号", filed_on=on,
        application=apps["received"],
    )  # fmt: skip
    staff_catalog = _catalog(a, b, clerk, reviewer, head, clerk_b)
    account_save(agency=a, by=clerk, platform="wechat", name="沙坡头发布")
    Group.objects.create(name="公开办")
    daily_sweep.enqueue()  # a row of the task queue and of the periodic jobs for their admin pages
    enqueue_due_jobs()
    LoginFailure.objects.create(username="clerk_a", ip="127.0.0.1")
    CalendarOverride.objects.create(day=dt.date(2027, 2, 5), is_workday=False, note="春节")
    ConfirmedYear.objects.create(year=2027, note="国务院办公厅关于2027年部分节假日安排的通知")
    catalog = _public_catalog(a, clerk, reviewer, head, on) | staff_catalog
    everything = {
        "anonymous": None, "clerk": clerk, "reviewer": reviewer, "head": head, "admin_a": admin_a,
        "supervisor": supervisor, "superuser": superuser,
    }  # fmt: skip
    online = apps["online"]
    return World(
        users=everything,
        agencies=[a, b],
        applications={k: Application.objects.get(pk=v.pk) for k, v in apps.items()},
        letters=[draft, pending, approved, *Letter.objects.filter(application=apps["concluded"])],
        review_cases=[case],
        approvals=list(ApprovalRequest.objects.filter(status="pending")),
        attachments=[(online.pk, x.key) for x in attachments_of(application=online)],
        id_last4={v.query_code: v.id_number[-4:] for v in apps.values()},
        catalog=catalog,
    )


def _public_catalog(agency, clerk, reviewer, head, on) -> dict:
    """Agency a's catalog with a published item and its file: the public 政府信息公开 pages' parameters."""
    from gongkai.catalog.attachments import attachment_path
    from gongkai.catalog.models import Column, ItemAttachment
    from gongkai.catalog.services import item_create, item_submit

    column = Column.objects.get(agency=agency, code="other_documents")
    item = item_create(
        agency=agency, column=column, by=clerk,
        data={"title": "关于印发科技扶贫工作方案的通知", "formed_on": on, "topic": "科技", "body": "<p>正文</p>"},
    )  # fmt: skip
    item_submit(item=item, by=clerk, method="政府网站", scope="社会公众")
    for user in (reviewer, head):
        approval_decide(request=pending_request(subject=item), by=user, approved=True, on=on)
    key = "c0ffee00c0ffee00c0ffee00c0ffee00"
    attachment_path(key).parent.mkdir(parents=True, exist_ok=True)
    attachment_path(key).write_bytes(b"%PDF-1.4\n%%EOF\n")
    ItemAttachment.objects.create(item=item, key=key, name="方案.pdf", extension="pdf", size=14)
    return {
        "portal:catalog_item": [{"pk": item.pk}],
        "portal:catalog_attachment": [{"pk": item.pk, "key": key}],
        "column_pk": [column.pk],
        "bucket": [item.pk // 50_000],
    }


def _catalog(a, b, clerk, reviewer, head, clerk_b) -> dict[str, list]:
    """Agency a's catalog: an item in each state the pages act on, its columns, an account with a post."""
    from gongkai.catalog.models import Column
    from gongkai.catalog.services import (
        account_save,
        catalog_bootstrap,
        item_create,
        item_submit,
        post_create,
    )

    catalog_bootstrap(agency=a)
    catalog_bootstrap(agency=b)
    # one standard column missing: the columns page offers to set it up again
    Column.objects.filter(agency=a, code="apply").delete()
    columns = {c.code: c for c in Column.objects.filter(agency=a).exclude(code="")}

    def item(title, column="other_documents", agency=a, by=clerk):
        data = {"title": title, "formed_on": dt.date(2026, 11, 2), "summary": "测试信息的内容概述"}
        if agency != a:
            column = Column.objects.get(agency=agency, code=column)
            return item_create(agency=agency, column=column, by=by, data=data)
        return item_create(agency=agency, column=columns[column], by=by, data=data)

    draft = item("草稿信息")
    reviewing = item("审查中的信息")
    item_submit(item=reviewing, by=clerk, method="政府网站", scope="社会公众")
    published = item("已发布的信息", "normative_documents")
    item_submit(item=published, by=clerk, method="政府网站", scope="社会公众")
    for user in (reviewer, head):
        approval_decide(
            request=pending_request(subject=published), by=user, approved=True, on=published.formed_on
        )
    other = item("教育局的信息", agency=b, by=clerk_b)
    account = account_save(agency=a, by=clerk, platform="wechat", name="沙坡头科技")
    post_create(account=account, by=clerk, posted_on=dt.date(2026, 11, 20), title="科技活动周", original=True)
    return {
        "items": [draft, reviewing, published, other],
        "columns": [columns["regulations"], columns["other_documents"]],
        "accounts": [account],
    }


# --- URL parameters from the world ------------------------------------------------------------------------


def candidate_kwargs(route: walk.Route, w: World) -> list[dict] | None:
    """The URL parameters to open a route with, from the world's objects; None for parameters it does not
    know (the test then fails and names them)."""
    params = set(route.params)
    if route.name in w.catalog:
        return w.catalog[route.name]
    groups: list[list[dict]] = []
    apps = list(w.applications.values())
    if {"pk", "letter_pk"} <= params:
        groups.append([{"pk": x.application_id, "letter_pk": x.pk} for x in w.letters])
        params -= {"pk", "letter_pk"}
    if {"pk", "key"} <= params:
        groups.append([{"pk": pk, "key": key} for pk, key in w.attachments])
        params -= {"pk", "key"}
    if {"pk", "action"} <= params:
        groups.append([{"pk": x.pk, "action": step.value} for x in apps for step in Step])
        params -= {"pk", "action"}
    if {"content_type_id", "object_id"} <= params:
        kind = ContentType.objects.get_for_model(Agency)
        groups.append([{"content_type_id": kind.pk, "object_id": str(w.agencies[0].pk)}])
        params -= {"content_type_id", "object_id"}
    simple = {
        "pk": [x.pk for x in apps] + [x.pk for x in w.review_cases],
        "approval_pk": [x.pk for x in w.approvals],
        "agency_pk": [x.pk for x in w.agencies],
        "item_pk": [x.pk for x in w.catalog["items"]],
        "column_pk": [x.pk for x in w.catalog["columns"]] + w.catalog["column_pk"],
        "account_pk": [x.pk for x in w.catalog["accounts"]],
        "to": ["docx", "pdf", "json", "xlsx"],
        "what": ["items", "posts"],
        "app_label": sorted({m._meta.app_label for m in admin.site._registry}),
        "id": [u.pk for u in w.users.values() if u is not None][:2],
        "bucket": w.catalog.get("bucket", []),
    }
    model_admin = getattr(route.callback, "model_admin", None)
    if "object_id" in params and model_admin is not None:
        simple["object_id"] = [
            str(pk) for pk in model_admin.model._default_manager.values_list("pk", flat=True)[:2]
        ]
    for name in sorted(params):
        if name not in simple:
            return None
        groups.append([{name: value} for value in simple[name]])
    return [dict(item for part in combo for item in part.items()) for combo in itertools.product(*groups)]


def extra_queries(route: walk.Route, w: World) -> list[str]:
    """Known-good query strings of pages that take one: the status page of each application shows its own
    forms; the others' parameters are given bad values in turn (`fuzz_query`)."""
    if route.name == "portal:status":
        return [f"?code={x.query_code}" for x in w.applications.values()]
    if route.name == "workbench:agency_settings":
        return [f"?agency={x.pk}" for x in w.agencies]
    a = w.agencies[0]
    queries = {
        "workbench:dashboard": ["?year=2026"],
        "workbench:application_list": ["?q=张&status=received&year=2026&page=1"],
        "workbench:application_export": ["?q=张&year=2026"],
        "workbench:review_case_list": ["?page=1"],
        "portal:catalog": ["?topic=科技&year=2026&page=1"],
        "workbench:guide_edit": [f"?agency={a.pk}&version=1", f"?agency={a.pk}&default=1"],
        "workbench:annual_tables": [f"?agency={a.pk}&year=2025"],
        "workbench:annual_tables_download": [f"?agency={a.pk}&year=2025"],
        "workbench:catalog_export": [f"?agency={a.pk}"],
        "workbench:catalog_items": [f"?q=信息&status=draft&year=2026&late=1&agency={a.pk}&page=1"],
        "workbench:catalog_item_new": [f"?agency={a.pk}"],
        "workbench:catalog_columns": [f"?agency={a.pk}"],
        "workbench:media_accounts": [f"?agency={a.pk}"],
        "workbench:catalog_art20": [f"?agency={a.pk}&year=2025"],
        "admin:autocomplete": ["?term=张&app_label=agencies&model_name=membership&field_name=user"],
    }
    return queries.get(route.name or "", [])


def _url(route: walk.Route, kwargs: dict) -> str:
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    # an unnamed route (the admin's redirect of <object_id>/ to its change page): its converters filled in
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route.route)
    if "^" in path or "(?" in path:
        raise NoReverseMatch(route.route)
    return "/" + path


def _skipped(route: walk.Route) -> str | None:
    if route.route.startswith("api/"):
        return SKIPPED["api"]
    return SKIPPED.get(route.label)


# --- requests inside a savepoint, with the checks -----------------------------------------------------------


@dataclass
class Probe:
    world: World
    media: Path
    failures: list[str] = field(default_factory=list)
    refused_good: list[str] = field(default_factory=list)  # forms whose good values were refused
    last_refused: bool = False
    requests: int = 0
    clients: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)  # staff API tokens by user kind
    _errors: list = field(default_factory=list)

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client(enforce_csrf_checks=True, raise_request_exception=False)
            if self.world.users[who] is not None:
                client.force_login(self.world.users[who])
            self.clients[who] = client
        return self.clients[who]

    def _caught(self, sender, request=None, **kwargs):
        self._errors.append("".join(traceback.format_exception(*sys.exc_info())))

    def send(self, who: str, method: str, path: str, what: str, *, route: str = "", **kwargs):
        """One request as `who`, checked and rolled back. Returns the response (status, content) or None."""
        client = self.client(who)
        cookies = copy.deepcopy(client.cookies)
        media_before = walk.media_files(self.media)
        self._errors.clear()
        self.requests += 1
        savepoint = transaction.savepoint()
        got_request_exception.connect(self._caught)
        try:
            before = walk.row_counts(NOT_COUNTED)
            response = getattr(client, method)(path, **kwargs)
            self._check(who, method, path, what, route, response, before, media_before)
            return response
        except DatabaseError as error:
            self.failures.append(f"{who} {method.upper()} {path} [{what}]: database error {error!r}")
            return None
        finally:
            got_request_exception.disconnect(self._caught)
            transaction.savepoint_rollback(savepoint)
            walk.restore_media(self.media, media_before)
            work_calendar_invalidate()
            # the session as it was (the rollback restored its row); the CSRF cookie a first page set is kept
            if "csrftoken" not in cookies and "csrftoken" in client.cookies:
                cookies["csrftoken"] = client.cookies["csrftoken"]
            client.cookies = cookies

    def _check(self, who, method, path, what, route, response, before, media_before):
        where = f"{who} {method.upper()} {path} [{what}]"
        status = response.status_code
        self.last_refused = False
        body = b"" if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        if status >= 500:
            detail = self._errors[-1][-1500:] if self._errors else text[:300]
            self.failures.append(f"{where}: {status}\n{detail}")
            return
        if walk.MARKUP in text and "html" in response.get("Content-Type", ""):
            self.failures.append(f"{where}: the markup came back unescaped ({status})")
        for english in walk.ENGLISH_ERRORS:
            if english in text:
                self.failures.append(f"{where}: English error text {english!r} in the answer ({status})")
        if "html" in response.get("Content-Type", "") and (english := walk.english_in_errors(text)):
            self.failures.append(f"{where}: an error message in English: {english[0]!r} ({status})")
        queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
        for message in queued:
            if message.level >= ERROR and not walk.has_chinese(str(message)):
                self.failures.append(f"{where}: an error message in English: {str(message)[:80]!r}")
        refused = (
            status >= 400
            or any(m.level >= ERROR for m in queued)
            or 'class="errorlist' in text
            or 'class="errornote' in text
            or 'class="notice error' in text
        )
        self.last_refused = refused
        after = walk.row_counts(NOT_COUNTED)
        if refused:
            allowed = REFUSAL_WRITES.get(route, set())
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k] and k not in allowed}
            if changed:
                self.failures.append(f"{where}: refused ({status}) but written: {changed}")
            if walk.media_files(self.media) != media_before:
                self.failures.append(f"{where}: refused ({status}) but the media folder changed")
        elif (method != "get" or after != before) and (stored := walk.stored_control_characters()):
            self.failures.append(f"{where}: accepted ({status}) and stored control characters: {stored[:3]}")


@pytest.fixture
def probe(world, settings) -> Probe:
    assert walk.stored_control_characters() == []
    return Probe(world, Path(settings.MEDIA_ROOT))


def report(failures: list[str]) -> str:
    """Every problem on one line, then the first ones in full (with their tracebacks)."""
    lines = [f.splitlines()[0][:200] for f in failures]
    return "\n".join([f"{len(failures)} problems:", *lines, "", *failures[:5]])


# --- the walk -----------------------------------------------------------------------------------------------------


@dataclass
class Discovered:
    forms: list[tuple[str, walk.Form]] = field(default_factory=list)  # (who saw it first, the form)
    reached: set[str] = field(default_factory=set)  # routes that answered a page (or refused one: 403)
    queried: list[tuple[str, str, str]] = field(default_factory=list)  # (route, who, URL with a query)


def discover(probe: Probe) -> Discovered:
    """Open every page as every user: the forms found, each once with the first user who saw it."""
    found: dict[tuple, tuple[str, walk.Form]] = {}
    seen = Discovered()
    for route in walk.routes():
        if _skipped(route):
            continue
        kwargs_list = candidate_kwargs(route, probe.world)
        if kwargs_list is None:
            probe.failures.append(f"{route.label}: no values for its parameters {sorted(route.params)}")
            continue
        urls = []
        for kwargs in kwargs_list:
            try:
                urls.append(_url(route, kwargs))
            except NoReverseMatch:
                probe.failures.append(f"{route.label}: cannot be reversed with {kwargs}")
        queries = [u + q for u in urls[:1] for q in extra_queries(route, probe.world)]
        for url in urls + queries:
            response = None
            for who in USERS:
                response = probe.send(who, "get", url, "page", route=route.name)
                if response is None or response.status_code == 405:
                    break  # a route for POST only: reached through the forms that post to it
                status = response.status_code
                if status in (200, 403) or (300 <= status < 400 and not _to_login(response)):
                    seen.reached.add(route.label)
                if status != 200:
                    continue
                if url in queries and not any(q[2] == url for q in seen.queried):
                    seen.queried.append((route.label, who, url))
                if "html" not in response.get("Content-Type", ""):
                    break  # a download: the same for everyone who may have it
                for form in walk.forms_of(url, response.content.decode()):
                    found.setdefault(form.key, (who, form))
            if response is not None and response.status_code == 405:
                break
    seen.forms = list(found.values())
    return seen


def _to_login(response) -> bool:
    return route_of(urlsplit(response["Location"]).path) in ("workbench:login", "admin:login")


def fuzz_query(probe: Probe, route: str, who: str, url: str) -> None:
    """Each parameter of a page's query string in turn gets the bad values (numbers where a number was)."""
    path, query = url.split("?", 1)
    good = dict(parse_qsl(query))
    for name, value in good.items():
        values = walk.NUMBER_VALUES if value.isdigit() else walk.TEXT_VALUES
        for label, bad in values.items():
            probe.send(who, "get", path, f"?{name}: {label}", route=route, data={**good, name: bad})


def route_of(path: str) -> str | None:
    try:
        return resolve(path.split("?", 1)[0]).view_name
    except Resolver404:
        return None


def good_values(probe: Probe, form: walk.Form, route: str | None) -> dict[str, str]:
    w = probe.world
    ids = {
        "user": str(w.users["clerk"].pk),
        "agency": str(w.agencies[0].pk),
        "code": w.applications["awaiting_correction"].query_code,
    }
    return GOOD | ids | GOOD_IN.get(route or "", {}) | _secrets(w, form)


def fuzz(probe: Probe, who: str, form: walk.Form, today: dt.date) -> None:
    route = route_of(form.action)
    good = walk.good_fill(form, good_values(probe, form, route), today)
    if route in GOOD_FILES:
        good |= {
            name: walk.Rewound(*GOOD_FILES[route]) for name, f in form.fields.items() if f.kind == "file"
        }
    send = "get" if form.method == "get" else "post"
    response = probe.send(who, send, form.action, "good values", route=route, data=good)
    if response is not None and response.status_code != 403 and probe.last_refused:
        probe.refused_good.append(f"{who} {send.upper()} {form.action}: good values refused")
    if send == "post":
        # without its token: the Chinese "page expired" page, nothing written
        data = {k: v for k, v in good.items() if k != "csrfmiddlewaretoken"}
        response = probe.send(who, "post", form.action, "no CSRF token", route=route, data=data)
        if response is not None and (
            response.status_code != 403 or "页面已过期" not in response.content.decode()
        ):
            probe.failures.append(f"{who} POST {form.action} without a token: {response.status_code}")
        probe.send(
            who, "post", form.action, "huge JSON", route=route, data=walk.HUGE_JSON,
            content_type="application/json", HTTP_X_CSRFTOKEN=form.csrf or "",
        )  # fmt: skip
    fuzzed = set()
    for name, f in form.fields.items():
        if f.kind == "csrf" or walk.same_field(name) in fuzzed:
            continue  # the other rows of a formset are the same fields as its first
        fuzzed.add(walk.same_field(name))
        for label, value in walk.bad_values(f).items():
            data = {**good, name: value}
            probe.send(who, send, form.action, f"{name}: {label}", route=route, data=data)


def _secrets(w: World, form: walk.Form) -> dict[str, str]:
    """The second secret of a status-page form: the ID suffix of the application whose code it carries."""
    code = form.fields.get("code")
    if code and code.initial and code.initial[0] in w.id_last4:
        return {"id_last4": w.id_last4[code.initial[0]]}
    return {}


@pytest.mark.django_db
def test_every_form_survives_bad_input(probe, today):
    started = time.monotonic()
    seen = discover(probe)
    for who, form in seen.forms:
        fuzz(probe, who, form, today.value)
    for route, who, url in seen.queried:
        fuzz_query(probe, route, who, url)
    # every route is reached: opened as a page, posted to by a form found on one, or skipped with a reason
    posted = {route_of(form.action) for _who, form in seen.forms}
    for route in walk.routes():
        if not (_skipped(route) or route.label in seen.reached or route.name in posted):
            probe.failures.append(f"{route.label}: never reached (no page answered, no form posts to it)")
    elapsed = time.monotonic() - started
    print(f"{len(seen.forms)} forms, {probe.requests} requests, {elapsed:.0f} s")
    probe.failures += [
        f"{refused} (give its fields good values in GOOD or GOOD_IN)" for refused in probe.refused_good
    ]
    assert not probe.failures, report(probe.failures)


# --- the API, from its OpenAPI schema -----------------------------------------------------------------------


def _api_values(schema: dict) -> dict[str, object]:
    kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    if "integer" in kinds or "number" in kinds:
        return walk.NUMBER_VALUES
    if schema.get("format") == "date":
        return walk.DATE_VALUES
    return walk.TEXT_VALUES


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    parameters: tuple
    takes_body: bool


def call(probe: Probe, op: Operation, values: dict, what: str, *, body=None, who: str = "clerk") -> None:
    """One call of an API operation with these parameter values (and JSON body), checked: JSON always, an
    error in the shape {"code", "detail"} with a Chinese detail."""
    url, query = op.path, {}
    for p in op.parameters:
        value = values[p["name"]]
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", quote(str(value), safe=""))
        elif value != "" or p.get("required"):
            query[p["name"]] = value
    full = url + ("?" + urlencode(query) if query else "")
    extra = {}
    if url.startswith("/api/staff/") and who != "anonymous":  # the staff API takes the user's token
        extra = {"HTTP_AUTHORIZATION": f"Bearer {probe.tokens[who]}", "route": "api:staff"}
    if body is None:
        response = probe.send(who, op.method, full, what, **extra)
    else:  # a body: to the operation that takes one, else where none is expected
        verb = op.method if op.takes_body else "post"
        response = probe.send(who, verb, full, what, data=body, content_type="application/json", **extra)
    if response is None or response.status_code >= 500:
        return
    where = f"{op.method.upper()} {full[:120]} [{what}]"
    if not response.get("Content-Type", "").startswith("application/json"):
        probe.failures.append(f"{where}: {response.status_code} not JSON")
    elif response.status_code >= 400:
        answer = response.json()
        if set(answer) != {"code", "detail"} or not walk.has_chinese(answer["detail"]):
            probe.failures.append(f"{where}: {response.status_code} {answer}")


@pytest.mark.django_db
def test_every_api_operation_survives_bad_input(probe, world, today):
    spec = probe.client("clerk").get("/api/openapi.json").json()
    clerk = world.users["clerk"]
    probe.tokens = {"clerk": token_create(user=clerk, name="接口测试")[1]}
    catalog_bootstrap(agency=world.agencies[0])
    column = world.agencies[0].catalog_columns.get(code="other_documents")
    item = item_create(
        agency=world.agencies[0], column=column, by=clerk, data={"title": "草稿", "formed_on": today.value}
    )
    known = {
        "pk": world.applications["received"].pk, "agency_id": world.agencies[0].pk,
        "year": today.value.year, "page": 1, "per_page": 50, "status": "received", "q": "张",
        "item_id": item.pk, "column_id": column.pk, "title": "测试信息", "formed_on": today.value.isoformat(),
        "written_on": today.value.isoformat(), "method": "政府网站", "scope": "社会公众", "doc_number": "",
        "publisher": "", "topic": "", "genre": "", "summary": "", "body": "<p>正文</p>",
        "disclosure": "proactive", "withheld_reason": "", "validity": "valid", "validity_changed_on": None,
        "statutory_kind": "other", "channels": ["website"], "publish_at": None, "withdraw_at": None,
        "confirm_warnings": False,
    }  # fmt: skip
    operations = 0
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            operations += 1
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            op = Operation(path, method, tuple(operation.get("parameters", [])), body is not None)
            good = {p["name"]: known.get(p["name"], 1) for p in op.parameters}
            call(probe, op, good, "good")
            call(probe, op, good, "anonymous", who="anonymous")
            call(probe, op, good, "huge JSON", body=walk.HUGE_JSON)
            for p in op.parameters:
                for label, value in _api_values(p.get("schema", {})).items():
                    call(probe, op, {**good, p["name"]: value}, f"{p['name']}: {label}")
            if body:  # every field of the body in turn
                ref = body["schema"].get("$ref", "").rsplit("/", 1)[-1]
                properties = spec["components"]["schemas"].get(ref, body["schema"]).get("properties", {})
                for name, schema in properties.items():
                    for label, value in _api_values(schema).items():
                        payload = {n: known.get(n, 1) for n in properties} | {name: value}
                        call(probe, op, good, f"body {name}: {label}", body=json.dumps(payload))
    assert operations >= 3
    assert not probe.failures, report(probe.failures)
