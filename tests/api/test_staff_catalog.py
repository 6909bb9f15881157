"""The staff API with tokens: drafting and submitting catalog items as the token's user, with that user's
rights; errors {"code", "detail"} in Chinese (401 token, 403 agency, 404 item, 409 confirm, 422 field)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.api import staff
from gongkai.api.models import ApiToken
from gongkai.api.services import token_create, token_revoke
from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import approval_decide
from gongkai.audit.models import AuditEvent
from gongkai.catalog.models import Column, Item, ReviewSheet
from gongkai.catalog.services import catalog_bootstrap, column_create
from gongkai.cli import main
from tests import factories

ITEMS = "/api/staff/catalog/items"


@pytest.fixture
def catalog(tree):
    for agency in (tree["a"], tree["b"]):
        catalog_bootstrap(agency=agency)
    return {(c.agency_id, c.code): c for c in Column.objects.exclude(code="")}


@pytest.fixture
def api(client):
    """Call the staff API with a token: api(method, url, token, body=None)."""

    def call(method, url, token=None, body=None, **headers):
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if body is not None:
            headers["data"] = json.dumps(body) if not isinstance(body, str) else body
            headers["content_type"] = "application/json"
        return getattr(client, method)(url, **headers)

    return call


def token_for(user, name="测试脚本") -> str:
    return token_create(user=user, name=name)[1]


def error(response, status) -> tuple[str, str]:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert set(body) == {"code", "detail"}, body
    return body["code"], body["detail"]


def draft(tree, catalog, **overrides) -> dict:
    return {
        "agency_id": tree["a"].pk,
        "column_id": catalog[(tree["a"].pk, "other_documents")].pk,
        "title": "沙坡头区科学技术局关于开展2026年科技活动周活动的通知",
        "doc_number": "卫沙科发[2026]12号",
        "written_on": "2026-11-20",
        "summary": "科技活动周的主题、时间和活动安排。",
        "body": "<p>各乡镇：</p><p>现将有关事项通知如下。</p><script>alert(1)</script>",
    } | overrides


def state():
    """What a refused request must not have changed."""
    return (
        Item.objects.count(),
        ReviewSheet.objects.count(),
        AuditEvent.objects.exclude(action__startswith="api_token").count(),
    )


def test_a_draft_is_created_read_and_submitted_as_the_tokens_user(api, tree, catalog, clerk, reviewer, head):
    token = token_for(clerk)
    response = api("post", ITEMS, token, draft(tree, catalog))
    assert response.status_code == 201, response.content.decode()
    created = response.json()
    assert created["status"] == "draft" and created["status_label"] == "草稿"
    assert created["index_number"] == "640502001/2026-00001"
    assert created["doc_number"] == "卫沙科发〔2026〕12号"  # normalised by the service
    assert "<script>" not in created["body"]
    assert created["agency"] == {"id": tree["a"].pk, "name": tree["a"].name} and created["review"] is None
    event = AuditEvent.objects.get(action="catalog.item_create", object_id=str(created["id"]))
    assert event.actor == clerk

    assert api("get", f"{ITEMS}/{created['id']}", token).json() == created
    response = api(
        "post", f"{ITEMS}/{created['id']}/submit", token, {"method": "政府网站", "scope": "社会公众"}
    )
    assert response.status_code == 200, response.content.decode()
    submitted = response.json()
    assert submitted["status"] == "reviewing" and submitted["review"]["approved"] is None
    # the review goes on in the workbench's queue, as for any item
    item = Item.objects.get(pk=created["id"])
    for user in (reviewer, head):
        approval_decide(request=pending_request(subject=item), by=user, approved=True, on=dt.date.today())
    assert api("get", f"{ITEMS}/{created['id']}", token).json()["status"] == "published"


def test_the_agency_may_be_left_out_when_the_user_has_one(api, tree, catalog, clerk):
    token = token_for(clerk)
    body = draft(tree, catalog)
    del body["agency_id"]
    assert api("post", ITEMS, token, body).status_code == 201
    # a local column: its position counts among its siblings only
    column_create(agency=tree["a"], parent=catalog[(tree["a"].pk, "functions")], name="权责清单", by=clerk)
    columns = api("get", "/api/staff/catalog/columns", token).json()
    assert {"id": catalog[(tree["a"].pk, "plans")].pk, "name": "规划计划"}.items() <= next(
        c for c in columns if c["code"] == "plans"
    ).items()
    assert next(c for c in columns if c["code"] == "statutory")["accepts_items"] is False
    seen = set()
    for column in columns:  # the catalog's order: a parent before its children
        assert column["parent_id"] is None or column["parent_id"] in seen
        seen.add(column["id"])


def test_no_token_a_wrong_one_and_a_revoked_one_are_401(api, tree, catalog, clerk):
    before = state()
    response = api("post", ITEMS, None, draft(tree, catalog))
    code, detail = error(response, 401)
    assert code == "not_authenticated" and "Authorization: Bearer" in detail
    assert response["WWW-Authenticate"] == 'Bearer realm="gongkai"'  # RFC 9110: a 401 names its scheme
    code, detail = error(api("get", f"{ITEMS}/1", None, HTTP_AUTHORIZATION="Basic abc"), 401)
    assert "Authorization: Bearer" in detail
    assert error(api("get", f"{ITEMS}/1", "gk_not-a-token"), 401) == (
        "not_authenticated",
        "接口令牌无效，请核对令牌",
    )
    assert error(api("get", f"{ITEMS}/1", "x" * 5000), 401)[1] == "接口令牌无效，请核对令牌"
    row, token = token_create(user=clerk, name="旧脚本")
    token_revoke(token=row)
    assert (
        error(api("post", ITEMS, token, draft(tree, catalog)), 401)[1] == "接口令牌已吊销，请使用新签发的令牌"
    )
    live = token_for(clerk)
    clerk.is_active = False
    clerk.save()
    assert error(api("get", f"{ITEMS}/1", live), 401)[1] == "令牌所属的账号已停用"
    assert state() == before
    # the session of a logged-in user is not a token
    clerk.is_active = True
    clerk.save()


def test_only_a_hash_is_stored_and_use_is_noted(api, tree, catalog, clerk, today):
    row, token = token_create(user=clerk, name="发布系统")
    assert token.startswith("gk_") and len(token) > 40
    assert token not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert row.prefix == token[:9] and row.last_used_at is None
    api("get", "/api/staff/catalog/columns", token)
    row.refresh_from_db()
    assert abs(row.last_used_at - timezone.now()) < dt.timedelta(seconds=5)
    used = row.last_used_at
    api("get", "/api/staff/catalog/columns", token)  # again within the minute: not written again
    row.refresh_from_db()
    assert row.last_used_at == used


def test_another_agency_is_403_and_its_items_404(api, tree, catalog, clerk, clerk_b):
    token = token_for(clerk)
    before = state()
    code, detail = error(api("post", ITEMS, token, draft(tree, catalog, agency_id=tree["b"].pk)), 403)
    assert code == "permission_denied" and tree["b"].name in detail
    # the agency's own id with the other agency's column
    code, detail = error(
        api("post", ITEMS, token, draft(tree, catalog, column_id=catalog[(tree["b"].pk, "plans")].pk)), 422
    )
    assert detail == "栏目编号（column_id）：栏目不属于本机关"
    assert (
        error(api("post", ITEMS, token, draft(tree, catalog, agency_id=2**31 - 1)), 404)[1] == "未找到该机关"
    )
    assert state() == before

    theirs = api("post", ITEMS, token_for(clerk_b), draft(tree, catalog, agency_id=tree["b"].pk,
                 column_id=catalog[(tree["b"].pk, "plans")].pk)).json()  # fmt: skip
    assert error(api("get", f"{ITEMS}/{theirs['id']}", token), 404) == ("not_found", "未找到该信息")
    assert error(api("post", f"{ITEMS}/{theirs['id']}/submit", token, {}), 404)[0] == "not_found"
    assert Item.objects.get(pk=theirs["id"]).status == "draft"
    assert error(api("get", "/api/staff/catalog/columns?agency_id=" + str(tree["b"].pk), token), 403)[0] == (
        "permission_denied"
    )


def test_a_supervisor_reads_but_cannot_submit(api, tree, catalog, clerk, supervisor):
    created = api("post", ITEMS, token_for(clerk), draft(tree, catalog)).json()
    token = token_for(supervisor)
    assert api("get", f"{ITEMS}/{created['id']}", token).json()["id"] == created["id"]
    assert error(api("post", f"{ITEMS}/{created['id']}/submit", token, {}), 403)[0] == "permission_denied"
    assert error(api("post", ITEMS, token, draft(tree, catalog)), 403)[0] == "permission_denied"
    # no agency of its own to write in: it must name one
    body = draft(tree, catalog)
    del body["agency_id"]
    assert "机关编号（agency_id）" in error(api("post", ITEMS, token, body), 422)[1]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"title": ""}, "标题（title）：请填写标题"),
        ({"title": "标题\x00"}, "标题（title）"),
        ({"title": 12}, "标题（title）格式不正确"),
        ({"written_on": "2026-13-01"}, "成文日期（written_on）：成文日期应为日期"),
        ({"written_on": "2027-01-01"}, "成文日期（written_on）：成文日期不能晚于今天"),
        ({"doc_number": "第12号"}, "文号（doc_number）"),
        ({"column_id": "abc"}, "栏目编号（column_id）格式不正确"),
        ({"column_id": 2**40}, "栏目编号（column_id）格式不正确"),
        ({"column_id": 2**31 - 1}, "栏目编号（column_id）：栏目不存在"),
        ({"agency_id": 0}, "机关编号（agency_id）格式不正确"),
        ({"channels": ["website", "telegram"]}, "发布渠道（channels）：未知的发布渠道：telegram"),
        ({"channels": "website"}, "发布渠道（channels）格式不正确"),
        ({"disclosure": "withheld"}, "不予公开的理由和依据（withheld_reason）：公开属性为“不予公开”的，请写明理由和依据"),
        ({"summary": "长" * 301}, "内容概述（summary）：内容概述不能超过300字"),
    ],
)  # fmt: skip
def test_bad_fields_are_422_naming_the_field_and_write_nothing(api, tree, catalog, clerk, overrides, named):
    token = token_for(clerk)
    before = state()
    code, detail = error(api("post", ITEMS, token, draft(tree, catalog, **overrides)), 422)
    assert named in detail, detail
    assert state() == before


def test_a_body_that_is_not_json_is_refused(api, tree, catalog, clerk):
    token = token_for(clerk)
    before = state()
    code, detail = error(api("post", ITEMS, token, "{not json"), 400)
    assert code == "invalid_parameter" and "应为 JSON" in detail
    assert state() == before


def test_the_scans_findings_are_409_until_confirmed(api, tree, catalog, clerk):
    token = token_for(clerk)
    body = draft(tree, catalog, body=f"<p>联系人张三，身份证{factories.VALID_ID}，电话13800138000。</p>")
    created = api("post", ITEMS, token, body).json()
    url = f"{ITEMS}/{created['id']}/submit"
    before = state()
    code, detail = error(api("post", url, token, {"method": "政府网站"}), 409)
    assert code == "confirmation_required" and '"confirm_warnings": true' in detail
    assert "138****8000" in detail and factories.VALID_ID not in detail and "13800138000" not in detail
    assert state() == before and Item.objects.get(pk=created["id"]).status == "draft"
    submitted = api("post", url, token, {"method": "政府网站", "confirm_warnings": True}).json()
    assert submitted["status"] == "reviewing"
    assert [w["kind"] for w in submitted["review"]["warnings"]] == ["id_number", "mobile"]
    # submitted already: a step that is not allowed now
    code, detail = error(api("post", url, token, {"confirm_warnings": True}), 422)
    assert code == "step_not_allowed" and "审查中" in detail


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"publish_at": "明天上午"}, "公开时间（publish_at）：公开时间应为日期时间"),
        ({"withdraw_at": "2026-13-01T09:00"}, "定时撤回时间（withdraw_at）：定时撤回时间应为日期时间"),
        ({"publish_at": "2026-12-01T09:00", "withdraw_at": "2026-11-30T09:00"}, "定时撤回时间（withdraw_at）：定时撤回时间应晚于发布时间"),
        ({"method": "网站\x07"}, "拟公开方式（method）"),
        ({"confirm_warnings": "也许"}, "确认提示（confirm_warnings）格式不正确"),
    ],
)  # fmt: skip
def test_bad_submission_fields_are_422_and_write_nothing(api, tree, catalog, clerk, body, named):
    token = token_for(clerk)
    created = api("post", ITEMS, token, draft(tree, catalog)).json()
    before = state()
    code, detail = error(api("post", f"{ITEMS}/{created['id']}/submit", token, body), 422)
    assert named in detail, detail
    assert state() == before


def test_a_scheduled_submission_keeps_its_time(api, tree, catalog, clerk):
    token = token_for(clerk)
    created = api("post", ITEMS, token, draft(tree, catalog)).json()
    submitted = api(
        "post", f"{ITEMS}/{created['id']}/submit", token, {"publish_at": "2026-12-01T09:00"}
    ).json()
    assert submitted["review"]["publish_at"] == "2026-12-01T09:00:00+08:00"  # 北京时间


def test_bad_tokens_from_one_address_are_limited(api, tree, catalog, clerk):
    good = token_for(clerk)
    for _ in range(staff.BAD_TOKEN_LIMIT):
        error(api("get", "/api/staff/catalog/columns", "gk_wrong"), 401)
    code, detail = error(api("get", "/api/staff/catalog/columns", "gk_wrong"), 429)
    assert code == "rate_limited"
    # the address is paused, good token or not
    assert error(api("get", "/api/staff/catalog/columns", good), 429)[0] == "rate_limited"
    other = api("get", "/api/staff/catalog/columns", good, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_a_token_has_a_request_rate(api, tree, catalog, clerk, monkeypatch):
    monkeypatch.setattr(staff, "TOKEN_RATE_LIMIT", 3)
    token = token_for(clerk)
    for _ in range(3):
        assert api("get", "/api/staff/catalog/columns", token).status_code == 200
    code, detail = error(api("get", "/api/staff/catalog/columns", token), 429)
    assert code == "rate_limited" and "每分钟最多3次" in detail
    assert api("get", "/api/staff/catalog/columns", token_for(clerk, "另一脚本")).status_code == 200


# --- issuing and revoking: the command and the admin ---------------------------------------------------------


def test_the_command_issues_lists_and_revokes(tree, clerk, capsys):
    assert main(["token", "new", "--user", "clerk_a", "--name", "政务网站发布系统对接"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    row = ApiToken.objects.get()
    assert token.startswith(row.prefix) and "只显示这一次" in err and f"gongkai token revoke {row.pk}" in err
    created = AuditEvent.objects.get(action="api_token.create")
    assert created.actor is None and created.after["via"] == "命令行 gongkai token"
    assert token not in json.dumps(created.after)

    assert main(["token", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{row.pk}\tclerk_a\t{row.prefix}…\t政务网站发布系统对接" in listed and "有效" in listed
    assert token not in listed

    assert main(["token", "revoke", str(row.pk)]) == 0
    assert "已吊销令牌" in capsys.readouterr().out
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(row.pk)).count() == 1
    assert main(["token", "revoke", str(row.pk)]) == 1
    assert "已于" in capsys.readouterr().err
    assert main(["token", "list", "--user", "clerk_a"]) == 0
    assert "已吊销" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["token", "new", "--user", "nobody", "--name", "x"], 2, "没有用户“nobody”"),
        (["token", "new", "--user", "clerk_a", "--name", "  "], 1, "请写明令牌的用途"),
        (["token", "revoke", "999"], 2, "没有编号为 999 的令牌"),
        (["token", "list", "--user", "nobody"], 2, "没有用户“nobody”"),
    ],
)
def test_the_command_refuses_what_it_cannot_do(tree, clerk, capsys, argv, status, message):
    assert main(argv) == status
    assert message in capsys.readouterr().err
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exclude(user=clerk).exists()
    assert not AuditEvent.objects.filter(action__startswith="api_token").exists()


def test_the_command_lists_nothing_and_refuses_a_stopped_user(tree, clerk, capsys):
    assert main(["token", "list"]) == 0
    assert "没有令牌" in capsys.readouterr().out
    clerk.is_active = False
    clerk.save()
    with pytest.raises(ValidationError, match="已停用"):
        token_create(user=clerk, name="x")


def test_the_admin_issues_shows_once_and_revokes(admin_client, tree, clerk):
    response = admin_client.post(
        "/admin/api/apitoken/add/", {"user": clerk.pk, "name": "数据报送脚本"}, follow=True
    )
    assert response.status_code == 200
    row = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any("只显示这一次" in m and row.prefix in m for m in shown)
    assert AuditEvent.objects.get(action="api_token.create").after["via"] == "管理后台"
    page = admin_client.get(f"/admin/api/apitoken/{row.pk}/change/").content.decode()
    assert row.prefix in page and "gk_" in page and row.token_hash not in page
    response = admin_client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}, follow=True
    )
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert AuditEvent.objects.get(action="api_token.revoke").actor.is_superuser
    clerk.is_active = False
    clerk.save()
    response = admin_client.post("/admin/api/apitoken/add/", {"user": clerk.pk, "name": "再来一个"})
    assert "该用户已停用" in response.content.decode() and ApiToken.objects.count() == 1


def test_the_admin_list_says_which_tokens_are_live(admin_client, tree, clerk):
    live, _ = token_create(user=clerk, name="在用脚本")
    gone, _ = token_create(user=clerk, name="停用脚本")
    token_revoke(token=gone)
    page = admin_client.get("/admin/api/apitoken/?state=active").content.decode()
    assert "在用脚本" in page and "停用脚本" not in page
    page = admin_client.get("/admin/api/apitoken/?state=revoked").content.decode()
    assert "停用脚本" in page and "已吊销（" in page and "在用脚本" not in page
    assert "在用脚本" in admin_client.get("/admin/api/apitoken/?state=x").content.decode()
