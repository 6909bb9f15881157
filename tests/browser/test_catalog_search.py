"""The public search of the 公开目录 in a real browser, on a desktop and a phone: a word, the highlighted
results with their metadata, a filter, the next page, a 文号, and the empty state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from gongkai.catalog.search import search_rebuild
from tests.catalog.conftest import columns, publish

FIXTURES = (
    columns,
    publish,
)  # the catalog's fixtures, used here too


@pytest.fixture
def published(live_server, publish, today):
    search_rebuild()  # rows an earlier transactional test left in the index
    titles = []
    for n in range(1, 26):
        today.set(dt.date(2026, 1, 1) + dt.timedelta(days=n * 7))
        item = publish(
            title=f"沙坡头区科学技术局关于第{n}批科技特派员服务乡村振兴情况的公示",
            doc_number=f"卫科发〔2026〕{n}号",
            summary=f"公示第{n}批科技特派员名单、服务单位和服务内容，公示期间如有异议请向我局反映。",
        )
        titles.append(item.title)
    today.set(dt.date(2026, 11, 27))
    yield titles
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_search")


@pytest.mark.parametrize(("width", "height", "name"), [(1366, 900, "desktop"), (390, 844, "phone")])
def test_search_page(page: Page, live_server, published, screenshots, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/gongkai/search/")
    expect(page.get_by_role("heading", name="政府信息公开目录检索")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="请输入检索词")).to_be_visible()
    page.get_by_label("检索词").fill("科技特派员")
    page.get_by_role("button", name="检索").click()
    expect(page.get_by_text("共25条")).to_be_visible()
    results = page.locator("ol.search-results > li")
    expect(results).to_have_count(20)
    first = results.first
    expect(first.get_by_role("link")).to_have_text(published[-1])
    expect(first.locator("mark").first).to_have_text("科技特派员")
    expect(first).to_contain_text("发布机构：中卫市沙坡头区科学技术局")
    expect(first).to_contain_text("栏目：其他文件")
    page.screenshot(path=screenshots / f"search-1-results-{name}.png", full_page=True)
    page.screenshot(path=screenshots / f"search-1-top-{name}.png")

    page.get_by_role("navigation", name="分页").get_by_role("link", name="下一页").click()
    expect(results).to_have_count(5)
    expect(page.get_by_role("navigation", name="分页").locator("[aria-current=page]")).to_have_text("2")

    page.get_by_label("检索词").fill("卫科发[2026]7号")
    page.get_by_label("发布年度").select_option("2026")
    page.get_by_role("button", name="检索").click()
    expect(page.get_by_text("共1条")).to_be_visible()
    expect(results.first.get_by_role("link")).to_contain_text("第7批")
    expect(results.first).to_contain_text("文号：卫科发〔2026〕7号")

    page.get_by_label("检索词").fill("量子通信")
    page.get_by_role("button", name="检索").click()
    expect(page.get_by_role("status")).to_contain_text("没有找到与“量子通信”相关的政府信息")
    page.screenshot(path=screenshots / f"search-2-empty-{name}.png", full_page=True)
