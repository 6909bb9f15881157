"""目录导入导出 in the workbench: who sees the page and its forms, problems by row, the summary, the
exports and templates as downloads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.catalog.enums import Platform
from gongkai.catalog.exports import ITEM_HEADERS
from gongkai.catalog.models import Item, Post
from gongkai.catalog.services import account_save
from tests.catalog.sheets import csv_bytes, read_xlsx, xlsx
from tests.catalog.test_imports import HEAD, WECHAT, row

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"workbench:{name}", args=args)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_the_page_for_a_reviewer_and_for_a_clerk(client, tree, reviewer, clerk, columns):
    client.force_login(reviewer)
    page = client.get(url("catalog_io")).content.decode()
    assert (
        "目录导入导出" in page and "检查并导入" in page and "法定主动公开内容/政策文件/行政规范性文件" in page
    )
    assert f"{url('catalog_export', 'items')}?agency={tree['a'].pk}" in page
    assert 'aria-current="page">主动公开' in page
    client.force_login(clerk)
    page = client.get(url("catalog_io")).content.decode()
    assert "须由本机关的审核人、负责人或管理员办理" in page
    assert url("catalog_import_items") not in page and url("catalog_import_posts") in page


def test_people_without_an_agency_to_write_in_get_a_403(client, tree, supervisor, columns):
    client.force_login(supervisor)
    assert client.get(url("catalog_io")).status_code == 403
    client.logout()
    assert client.get(url("catalog_io")).status_code == 302


def test_an_import_with_problems_lists_them_and_writes_nothing(client, tree, reviewer, columns):
    client.force_login(reviewer)
    data = xlsx([HEAD, row(), row(发布日期="2020-13-01"), row(栏目="无此栏目")])
    response = client.post(
        url("catalog_import_items"), {"agency": tree["a"].pk, "file": upload("目录.xlsx", data), "column": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "“目录.xlsx”中有 2 处问题，没有导入任何内容" in page
    assert "第 3 行：发布日期“2020-13-01”无效" in page and "第 4 行：栏目“无此栏目”不存在" in page
    assert not Item.objects.exists()


def test_an_import_shows_its_summary(client, tree, reviewer, columns):
    client.force_login(reviewer)
    data = csv_bytes([HEAD[:-1] + ["备注"], row()[:-1] + ["无"]], encoding="gbk")
    form = {"agency": tree["a"].pk, "column": columns["other_documents"].pk, "check_only": "on"}
    response = client.post(url("catalog_import_items"), {**form, "file": upload("目录.csv", data)})
    assert response.status_code == 200 and "检查通过，可以导入 1 条目录信息" in response.content.decode()
    assert not Item.objects.exists()
    del form["check_only"]
    response = client.post(url("catalog_import_items"), {**form, "file": upload("目录.csv", data)})
    page = response.content.decode()
    assert "已导入 1 条目录信息（文件共 1 行数据）：已发布 1 条；新生成索引号 1 个。" in page
    assert "以下列未识别，未导入：备注" in page
    assert Item.objects.get().published_on.isoformat() == "2020-03-05"


def test_a_clerk_cannot_post_an_items_import_nor_into_another_agency(client, tree, clerk, reviewer, columns):
    client.force_login(clerk)
    data = {"agency": tree["a"].pk, "file": upload("目录.xlsx", xlsx([HEAD, row()]))}
    assert client.post(url("catalog_import_items"), data).status_code == 403
    client.force_login(reviewer)
    data = {"agency": tree["b"].pk, "file": upload("目录.xlsx", xlsx([HEAD, row()]))}
    assert client.post(url("catalog_import_items"), data).status_code == 403
    assert not Item.objects.exists()


def test_the_web_takes_a_limited_number_of_rows(client, tree, reviewer, columns, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("gongkai.workbench.views.catalog_io"), "WEB_MAX_ROWS", 1)
    client.force_login(reviewer)
    data = {"agency": tree["a"].pk, "file": upload("目录.xlsx", xlsx([HEAD, row(), row(标题="二")]))}
    response = client.post(url("catalog_import_items"), data)
    assert (
        response.status_code == 400 and "文件超过 1 行数据，请分成几个文件导入" in response.content.decode()
    )


def test_posts_into_a_chosen_account(client, tree, clerk):
    news = account_save(agency=tree["a"], by=clerk, platform=Platform.WECHAT, name="沙坡头发布")
    client.force_login(clerk)
    assert "微信公众号“沙坡头发布”" in client.get(url("catalog_io")).content.decode()
    data = {"agency": tree["a"].pk, "account": news.pk, "file": upload("微信.csv", csv_bytes(WECHAT))}
    response = client.post(url("catalog_import_posts"), data)
    assert response.status_code == 200 and "已导入 3 条政务新媒体发布" in response.content.decode()
    data["file"] = upload("微信.csv", csv_bytes(WECHAT))
    assert "已存在 3 条，跳过" in client.post(url("catalog_import_posts"), data).content.decode()
    assert Post.objects.count() == 3
    missing = client.post(url("catalog_import_posts"), {"agency": tree["a"].pk, "account": news.pk})
    assert missing.status_code == 400 and "此项为必填项" in missing.content.decode()


def test_exports_and_templates_download(client, tree, clerk, clerk_b, publish):
    publish()
    client.force_login(clerk)
    response = client.get(url("catalog_export", "items") + f"?agency={tree['a'].pk}")
    assert response.status_code == 200 and response["Content-Type"].endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0][:3] == ("索引号", "标题", "文号") and len(rows) == 2
    response = client.get(url("catalog_export", "posts") + f"?agency={tree['a'].pk}")
    assert read_xlsx(b"".join(response.streaming_content))[0][0] == "账号"
    template = client.get(url("catalog_template", "items"))
    assert read_xlsx(b"".join(template.streaming_content)) == [ITEM_HEADERS[:-2]]
    for bad in (url("catalog_export", "other") + "?agency=1", url("catalog_export", "items") + "?agency=x",
                url("catalog_template", "other")):  # fmt: skip
        assert client.get(bad).status_code == 404
    client.force_login(clerk_b)
    assert client.get(url("catalog_export", "items") + f"?agency={tree['a'].pk}").status_code == 404
