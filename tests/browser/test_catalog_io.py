"""目录导入导出 in a real browser: a reviewer uploads the office's catalog with mistakes, reads the problems
by row, uploads the corrected file, downloads the export."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from gongkai.catalog.models import Item
from gongkai.catalog.services import catalog_bootstrap
from tests import factories
from tests.catalog.sheets import read_xlsx, xlsx
from tests.catalog.test_imports import HEAD, row


@pytest.fixture
def reviewer_a(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = factories.make_tree()
    catalog_bootstrap(agency=tree["a"])
    return factories.make_user("reviewer_a", tree["a"], "reviewer", first_name="赵审核")


def test_import_a_catalog_with_mistakes_then_corrected(
    page: Page, live_server, reviewer_a, screenshots, tmp_path
):
    page.goto(f"{live_server.url}/workbench/login/")
    page.get_by_label("用户名").fill("reviewer_a")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="主动公开").click()
    page.get_by_role("navigation", name="主动公开").get_by_role("link", name="目录导入导出").click()
    expect(page.get_by_role("heading", name="目录导入导出")).to_be_visible()
    page.screenshot(path=screenshots / "catalog-io-1-page.png", full_page=True)

    rows = [
        HEAD,
        row(
            索引号="640502001/2020-00007",
            栏目="法定主动公开内容/政策文件/行政规范性文件",
            文件类别="行政规范性文件",
        ),
        row(标题="沙坡头区科学技术局2020年部门预算", 发布日期="2020-13-01", 栏目="财政预决算"),
        row(标题="关于开展科技活动周的通知", 栏目="通知公告"),
        row(标题="关于某事项的答复", 公开属性="依申请公开"),
    ]
    wrong = tmp_path / "2020年公开目录.xlsx"
    wrong.write_bytes(xlsx(rows, above=[["沙坡头区科学技术局政府信息公开目录"]]))
    page.get_by_label("目录文件").set_input_files(wrong)
    page.get_by_role("button", name="检查并导入").first.click()
    expect(page.get_by_role("alert").filter(has_text="中有 3 处问题，没有导入任何内容")).to_be_visible()
    expect(page.get_by_role("cell", name="第 4 行：发布日期“2020-13-01”无效")).to_be_visible()
    page.screenshot(path=screenshots / "catalog-io-2-problems.png", full_page=True)
    assert not Item.objects.exists()

    rows[2] = row(标题="沙坡头区科学技术局2020年部门预算", 发布日期="2020-03-10", 栏目="财政预决算")
    rows[3] = row(标题="关于开展科技活动周的通知", 发布日期=dt.date(2020, 5, 20), 栏目="其他文件")
    rows[4] = row(标题="关于某事项的答复", 公开属性="依申请公开", 不予公开的理由和依据="涉及第三方合法权益")
    right = tmp_path / "2020年公开目录（改）.xlsx"
    right.write_bytes(xlsx(rows, above=[["沙坡头区科学技术局政府信息公开目录"]]))
    page.get_by_label("目录文件").set_input_files(right)
    page.get_by_role("button", name="检查并导入").first.click()
    expect(page.get_by_role("status").filter(has_text="已导入 4 条目录信息")).to_be_visible()
    page.screenshot(path=screenshots / "catalog-io-3-imported.png", full_page=True)
    assert Item.objects.count() == 4

    with page.expect_download() as download:
        page.get_by_role("link", name="目录信息（全部）.xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    exported = read_xlsx(download.value.path().read_bytes())
    assert len(exported) == 5 and exported[0][0] == "索引号"
