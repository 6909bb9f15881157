"""The public 政府信息公开 pages in a real browser, at desktop and phone widths: home → an agency's section →
a column → an item → its file → the column's feed → the 指南; with the keyboard's skip link and the screen
reader's landmarks. And a body that carries script (put into the database past the sanitiser) does not run:
the Content-Security-Policy blocks it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from gongkai.catalog.enums import Validity
from gongkai.catalog.models import Item
from gongkai.catalog.services import column_update, item_set_validity, item_withdraw
from tests import factories
from tests.catalog import conftest as catalog_fixtures
from tests.portal.test_catalog_pages import PDF, add_attachment

columns = catalog_fixtures.columns
publish = catalog_fixtures.publish

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def catalog(live_server, tree, clerk, reviewer, columns, publish, today):
    agency = tree["a"]
    agency.postcode, agency.hours = "755000", "工作日上午8:30—12:00，下午14:30—18:00"
    agency.fax, agency.email = "0955-7012346", "kjj@example.gov.cn"
    agency.save()
    column_update(
        column=columns["coercion"], by=clerk, name="行政强制", note="本机关无行政强制职权，本栏目不发布信息。"
    )
    today.set(dt.date(2021, 1, 25))
    publish("annual", title="中卫市沙坡头区科学技术局2020年政府信息公开工作年度报告", doc_number="",
            written_on=dt.date(2021, 1, 20), formed_on=dt.date(2021, 1, 20), topic="综合政务")  # fmt: skip
    today.set(dt.date(2026, 3, 10))
    old = publish("normative_documents", title="沙坡头区科技计划项目管理暂行办法",
                  doc_number="卫科发〔2019〕8号", written_on=dt.date(2019, 5, 6), formed_on=dt.date(2019, 5, 6),
                  topic="科技", genre="办法")  # fmt: skip
    item_set_validity(item=old, by=clerk, validity=Validity.REPEALED, on=dt.date(2026, 3, 1),
                      note="已被《沙坡头区科技计划项目管理办法》（卫科发〔2026〕2号）替代。")  # fmt: skip
    publish("rules", title="沙坡头区科学技术局政府信息公开保密审查制度", doc_number="", topic="综合政务")
    today.set(dt.date(2026, 11, 20))
    publish("plans", title="沙坡头区“十五五”科技创新规划", doc_number="", topic="科技", genre="规划")
    item = publish(
        "other_documents",
        title="沙坡头区科学技术局关于印发2026年科技特派员服务工作方案的通知",
        doc_number="卫科发〔2026〕15号", written_on=dt.date(2026, 11, 18), formed_on=dt.date(2026, 11, 18),
        topic="科技", genre="通知", summary="明确2026年科技特派员服务的对象、内容和保障措施。",
        body="<p>各乡镇人民政府，区直有关单位：</p><p>现将《沙坡头区2026年科技特派员服务工作方案》印发给你们，"
             "请结合实际认真贯彻落实。</p><p style='text-align:right'>中卫市沙坡头区科学技术局</p>"
             "<p>2026年11月18日</p>",
    )  # fmt: skip
    add_attachment(item, name="2026年科技特派员服务工作方案.pdf")
    withdrawn = publish("statistics", title="2026年1—10月全区科技型企业统计数据", doc_number="", topic="科技")
    today.set(dt.date(2026, 11, 27))
    item_withdraw(item=withdrawn, by=reviewer, reason="统计口径有误，更正后重新发布")
    return {"agency": agency, "item": item, "withdrawn": withdrawn, "base": live_server.url}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_walk_from_home_to_an_item_its_file_the_feed_and_the_guide(
    page: Page, catalog, screenshots, viewport
):
    base, agency, item = catalog["base"], catalog["agency"], catalog["item"]
    width = "phone" if viewport is PHONE else "desktop"
    page.set_viewport_size(viewport)

    def shot(name: str) -> None:
        page.screenshot(path=screenshots / f"catalog-{width}-{name}.png", full_page=True)

    page.goto(f"{base}/")
    # the keyboard's first stop is the skip link, and it leads into the main landmark
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    shot("home")
    page.get_by_role("link", name=re.compile(f"^政府信息公开.*{agency.name}")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("政府信息公开")
    for entry in ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报"):
        expect(
            page.get_by_role("navigation", name="政府信息公开栏目").get_by_role(
                "link", name=re.compile(entry)
            )
        ).to_be_visible()
    expect(page.get_by_role("link", name="在线提交申请")).to_be_visible()
    shot("section")

    page.get_by_role("region", name="法定主动公开内容").get_by_role(
        "link", name=re.compile("政策文件")
    ).click()
    expect(page.get_by_role("heading", level=1, name="政策文件")).to_be_visible()
    expect(page.get_by_role("navigation", name=re.compile("政府信息公开$"))).to_be_attached()
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="名称")).to_be_visible()
    expect(table.get_by_text("已废止")).to_be_visible()
    shot("column")
    page.get_by_label("主题分类").select_option("科技")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"topic="))
    table.get_by_role("link", name=item.title).click()

    expect(page.get_by_role("heading", level=1, name=item.title)).to_be_visible()
    assert page.locator('meta[name="ArticleTitle"]').get_attribute("content") == item.title
    assert page.locator('meta[name="ColumnName"]').get_attribute("content") == "其他文件"
    assert page.locator('meta[name="PubDate"]').get_attribute("content").startswith("2026-11-20")
    expect(page.locator(".doc-meta")).to_contain_text(item.index_number)
    expect(page.locator(".doc-meta")).to_contain_text("卫科发〔2026〕15号")
    shot("item")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="2026年科技特派员服务工作方案.pdf").click()
    download = downloading.value
    assert download.suggested_filename == "2026年科技特派员服务工作方案.pdf"
    assert download.path().read_bytes() == PDF

    # the repealed document says so on its own page
    page.get_by_role("link", name="返回“其他文件”栏目").click()
    page.get_by_role("link", name="政策文件").first.click()
    page.get_by_role("link", name="沙坡头区科技计划项目管理暂行办法").click()
    expect(page.get_by_role("note")).to_contain_text("本文件已废止")
    shot("item-repealed")

    # the column's feed
    page.get_by_role("navigation", name="当前位置").get_by_role("link", name="政策文件").click()
    page.get_by_role("navigation", name="下级栏目").get_by_role("link", name=re.compile("^其他文件")).click()
    expect(page.get_by_role("heading", level=1, name="其他文件")).to_be_visible()
    feed_url = page.get_by_role("link", name=re.compile("订阅本栏目")).get_attribute("href")
    response = page.request.get(f"{base}{feed_url}")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.body())
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert item.title in titles

    # an empty column shows its note
    page.goto(f"{base}/gongkai/{agency.pk}/")
    page.get_by_role("region", name="法定主动公开内容").get_by_role(
        "link", name=re.compile("行政强制")
    ).click()
    expect(page.get_by_text("本机关无行政强制职权")).to_be_visible()
    shot("column-empty")

    # the 年报 and the 指南
    page.goto(f"{base}/gongkai/{agency.pk}/")
    page.get_by_role("link", name=re.compile("政府信息公开年报")).first.click()
    expect(page.get_by_role("link", name=re.compile("2020年政府信息公开工作年度报告"))).to_be_visible()
    shot("annual")
    page.goto(f"{base}/gongkai/{agency.pk}/")
    page.get_by_role("link", name=re.compile("政府信息公开指南")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("政府信息公开指南")
    expect(page.locator(".doc-body")).to_contain_text("0955-7012346")
    expect(
        page.get_by_role("complementary", name="依申请公开").get_by_role("link", name="在线提交申请")
    ).to_be_visible()
    shot("guide")

    # a withdrawn item: listed nowhere, its page says when and why
    page.goto(f"{base}/gongkai/item/{catalog['withdrawn'].pk}/")
    expect(page.get_by_role("note")).to_contain_text("统计口径有误，更正后重新发布")
    shot("item-withdrawn")


def test_script_in_a_body_does_not_run(browser, catalog):
    """Even a body written straight into the database, past the sanitiser, runs nothing: the page allows no
    inline script or event handler (the violations are expected here, so this test has its own page)."""
    item = catalog["item"]
    Item.objects.filter(pk=item.pk).update(
        body='<p id="bait" onclick="document.title=\'pwned-click\'">点这里</p>'
        "<script>document.title='pwned-script'</script>"
        '<img src="missing.png" onerror="document.title=\'pwned-img\'" alt="">'
    )
    context = browser.new_context()
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));"
    )
    page = context.new_page()
    try:
        page.goto(f"{catalog['base']}/gongkai/item/{item.pk}/")
        page.locator("#bait").click()
        page.wait_for_timeout(300)
        assert page.locator(".doc-body script").count() == 1  # it is on the page …
        assert not page.title().startswith("pwned")  # … and did not run
        violations = page.evaluate("window.__violations")
        assert any(v.startswith("script-src") for v in violations), violations
    finally:
        context.close()


def test_clerk_edits_the_guide_and_the_public_page_shows_the_new_version(page: Page, catalog, screenshots):
    base, agency = catalog["base"], catalog["agency"]
    page.goto(f"{base}/workbench/login/")
    page.get_by_label("用户名").fill("clerk_a")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="主动公开").click()
    page.get_by_role("navigation", name="主动公开").get_by_role("link", name="公开指南").click()
    expect(page.get_by_role("heading", level=1, name="政府信息公开指南")).to_be_visible()
    source = page.get_by_label("指南正文")
    expect(source).to_contain_text("中卫市沙坡头区文萃路1号")  # the generated guide as the starting point
    source.fill(source.input_value().replace("中卫市沙坡头区文萃路1号", "中卫市沙坡头区文萃路8号"))
    page.get_by_label("修订说明").fill("办公地址变更")
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_role("region", name="预览（尚未保存）")).to_contain_text("文萃路8号")
    page.screenshot(path=screenshots / "catalog-workbench-guide-preview.png", full_page=True)
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".messages")).to_contain_text("已保存为第1版")
    expect(page.get_by_role("region", name="版本记录")).to_contain_text("办公地址变更")
    page.screenshot(path=screenshots / "catalog-workbench-guide.png", full_page=True)
    page.goto(f"{base}/gongkai/{agency.pk}/guide/")
    expect(page.locator(".doc-number")).to_contain_text("第1版 · 2026年11月27日更新")
    expect(page.locator(".doc-body")).to_contain_text("文萃路8号")
