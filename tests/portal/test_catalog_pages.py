"""The public 政府信息公开 pages: the section with its four entries, the 目录 by column, 主题分类 and year, the
item page (metadata, 47号 meta tags, 失效/废止 and withdrawal notices, files), the 年报 list, the 指南 (generated
and edited in versions), the Atom feed and the sitemap. Only published items are ever listed; a withdrawn
one keeps a page that says so; every list page runs a constant number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from gongkai.audit.models import AuditEvent
from gongkai.catalog.attachments import attachment_path
from gongkai.catalog.enums import ItemStatus, Validity
from gongkai.catalog.guide import guide_current, guide_default_html, guide_save
from gongkai.catalog.models import Column, GuideVersion, Item, ItemAttachment
from gongkai.catalog.public import SITEMAP_BUCKET, public_sitemap_buckets
from gongkai.catalog.services import (
    column_update,
    item_create,
    item_set_validity,
    item_submit,
    item_withdraw,
)
from gongkai.portal.catalog_views import content_type
from tests.catalog import conftest as catalog_fixtures
from tests.catalog.conftest import draft_data

pytestmark = pytest.mark.django_db
# the catalog's fixtures: agency a's standard columns, and an item taken through the 保密审查 to publication
columns = catalog_fixtures.columns
publish = catalog_fixtures.publish

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def section_url(agency) -> str:
    return reverse("portal:catalog_section", args=[agency.pk])


def column_url(column) -> str:
    return reverse("portal:catalog_column", args=[column.agency_id, column.pk])


def item_url(item) -> str:
    return reverse("portal:catalog_item", args=[item.pk])


def bulk_published(agency, column, count: int, *, start=dt.date(2026, 11, 26), **fields) -> list[Item]:
    """Published items created straight in the database (for sizes the workflow would take long to build)."""
    now = timezone.now()
    items = [
        Item(
            agency=agency, column=column, index_number=f"BULK{column.pk}/{start.year}-{n:06d}",
            title=f"批量信息{n:04d}", publisher=agency.name, formed_on=start,
            published_on=start - dt.timedelta(days=n), published_at=now - dt.timedelta(days=n),
            status=ItemStatus.PUBLISHED, body="<p>正文</p>", **fields,
        )
        for n in range(count)
    ]  # fmt: skip
    return Item.objects.bulk_create(items)


def add_attachment(item, *, key="a1b2c3d4e5f60718293a4b5c6d7e8f90", name="科技扶贫工作方案.pdf", data=PDF):
    path = attachment_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return ItemAttachment.objects.create(
        item=item, key=key, name=name, extension=name.rsplit(".", 1)[-1], size=len(data)
    )


def text(response) -> str:
    return response.content.decode()


# --- the home page and the section ---------------------------------------------------------------------------


def test_home_links_each_agency_section_and_keeps_the_online_application(client, tree, clerk, columns):
    page = text(client.get(reverse("portal:home")))
    assert section_url(tree["a"]) in page and section_url(tree["b"]) in page
    assert reverse("portal:apply", args=[tree["a"].pk]) in page  # a has staff: it takes applications
    assert reverse("portal:apply", args=[tree["b"].pk]) not in page
    assert "查询办理进度" in page
    # the region has neither a section nor staff who handle applications
    assert section_url(tree["region"]) not in page


def test_section_has_the_four_entries_the_tree_the_latest_items_and_the_application(
    client, tree, clerk, publish
):
    item = publish("normative_documents", title="沙坡头区科学技术局科技项目管理办法")
    response = client.get(section_url(tree["a"]))
    page = text(response)
    assert response.status_code == 200
    for entry in (
        "政府信息公开指南",
        "政府信息公开制度",
        "法定主动公开内容",
        "政府信息公开年报",
        "依申请公开",
    ):
        assert entry in page
    assert reverse("portal:catalog_guide", args=[tree["a"].pk]) in page
    assert reverse("portal:catalog_annual", args=[tree["a"].pk]) in page
    assert reverse("portal:apply", args=[tree["a"].pk]) in page
    assert "行政规范性文件" in page and item_url(item) in page
    assert "办公室" in page and "0955-7012345" in page  # the disclosure office's contacts
    # 教育局 has no staff on the platform: its section says how to apply, but offers no online form
    page_b = text(client.get(section_url(tree["b"])))
    assert reverse("portal:apply", args=[tree["b"].pk]) not in page_b and "申请方式说明" in page_b


def test_unknown_agency_and_agency_without_a_section_are_404_in_chinese(client, tree, columns):
    for url in (section_url(tree["region"]), "/gongkai/999999/", "/gongkai/999999/guide/"):
        response = client.get(url)
        assert response.status_code == 404 and "页面不存在" in text(response)


# --- visibility ----------------------------------------------------------------------------------------------


def test_only_published_items_are_ever_shown(client, tree, clerk, reviewer, head, columns, publish):
    from gongkai.approvals.selectors import pending_request
    from gongkai.approvals.services import approval_decide

    column = columns["other_documents"]
    draft = item_create(agency=tree["a"], column=column, by=clerk, data=draft_data(title="草稿信息甲"))
    reviewing = item_create(agency=tree["a"], column=column, by=clerk, data=draft_data(title="审查中信息乙"))
    item_submit(item=reviewing, by=clerk, method="政府网站", scope="社会公众")
    scheduled = publish(title="定时发布信息丙", publish_at=timezone.now() + dt.timedelta(days=3))
    recorded = item_create(
        agency=tree["a"], column=column, by=clerk,
        data=draft_data(title="不予公开信息丁", disclosure="withheld", withheld_reason="涉及国家秘密"),
    )  # fmt: skip
    item_submit(item=recorded, by=clerk, method="不公开", scope="无")
    for user in (reviewer, head):
        approval_decide(request=pending_request(subject=recorded), by=user, approved=True, on=dt.date.today())
    recorded.refresh_from_db()
    published = publish(title="已发布信息戊")
    assert scheduled.status == ItemStatus.SCHEDULED and recorded.status == ItemStatus.RECORDED
    hidden = (draft, reviewing, scheduled, recorded)
    pages = [
        section_url(tree["a"]),
        column_url(column),
        column_url(columns["statutory"]),
        reverse("portal:catalog", args=[tree["a"].pk]),
        reverse("portal:catalog_feed", args=[tree["a"].pk, column.pk]),
        reverse("portal:sitemap_items", args=[0]),
    ]
    for url in pages:
        page = text(client.get(url)) if "sitemap" not in url else b"".join(client.get(url)).decode()
        assert "已发布信息戊" in page or item_url(published) in page, url
        for item in hidden:
            assert item.title not in page and item_url(item) not in page, (url, item.title)
    for item in hidden:
        response = client.get(item_url(item))
        assert response.status_code == 404 and "页面不存在" in text(response)
    assert client.get(item_url(published)).status_code == 200


def test_withdrawn_item_keeps_a_page_that_says_so_and_leaves_every_list(
    client, tree, reviewer, columns, publish
):
    item = publish(title="关于开展科技特派员申报工作的通知")
    attachment = add_attachment(item)
    download = reverse("portal:catalog_attachment", args=[item.pk, attachment.key])
    assert client.get(download).status_code == 200
    item_withdraw(item=item, by=reviewer, reason="申报条件有误，已另行发布")
    response = client.get(item_url(item))
    page = text(response)
    assert response.status_code == 200
    assert "该信息已撤回" in page and "申报条件有误，已另行发布" in page and "2026年11月27日" in page
    assert "现将《沙坡头区2020年科技扶贫工作方案》印发给你们" not in page  # no body
    assert download not in page and '<meta name="robots" content="noindex">' in page
    assert client.get(download).status_code == 404
    for url in (
        section_url(tree["a"]),
        column_url(columns["other_documents"]),
        reverse("portal:catalog", args=[tree["a"].pk]),
        reverse("portal:catalog_feed", args=[tree["a"].pk, columns["other_documents"].pk]),
    ):
        assert item_url(item) not in text(client.get(url)), url
    sitemap = b"".join(client.get(reverse("portal:sitemap_items", args=[0]))).decode()
    assert item_url(item) not in sitemap


def test_another_agencys_column_and_wrong_ids_are_404(client, tree, columns, publish):
    column_b = Column.objects.get(agency=tree["b"], code="plans")
    item = publish()
    attachment = add_attachment(item)
    other = publish(title="另一条信息")
    for url in (
        reverse("portal:catalog_column", args=[tree["a"].pk, column_b.pk]),
        reverse("portal:catalog_feed", args=[tree["a"].pk, column_b.pk]),
        reverse("portal:catalog_column", args=[tree["a"].pk, 987654]),
        reverse("portal:catalog_item", args=[987654]),
        reverse("portal:catalog_attachment", args=[other.pk, attachment.key]),  # a file of another item
        reverse("portal:catalog_attachment", args=[item.pk, "0" * 32]),
    ):
        response = client.get(url)
        assert response.status_code == 404 and "页面不存在" in text(response), url
    # b's own column is fine under b
    assert client.get(reverse("portal:catalog_column", args=[tree["b"].pk, column_b.pk])).status_code == 200


# --- the columns ---------------------------------------------------------------------------------------------


def test_empty_column_shows_its_note_or_says_it_has_nothing(client, tree, clerk, columns):
    page = text(client.get(column_url(columns["coercion"])))
    assert "本栏目暂无信息" in page
    column_update(column=columns["coercion"], by=clerk, name="行政强制", note="本机关无行政强制职权。")
    page = text(client.get(column_url(columns["coercion"])))
    assert "本机关无行政强制职权。" in page and "本栏目暂无信息" not in page


def test_column_lists_its_own_and_its_subcolumns_items_by_topic_and_year(client, tree, columns, publish):
    publish("normative_documents", title="科技创新券管理办法", topic="科技", genre="办法")
    publish("other_documents", title="教育帮扶工作方案", topic="教育")
    bulk_published(tree["a"], columns["other_documents"], 3, start=dt.date(2025, 6, 1), topic="科技")
    policy = text(client.get(column_url(columns["policy"])))
    assert "科技创新券管理办法" in policy and "教育帮扶工作方案" in policy and "批量信息0001" in policy
    assert "行政规范性文件" in policy  # the subcolumns, with the number of items in each
    assert re.search(r"其他文件<span class=\"count\"><span class=\"visually-hidden\">（</span>4<", policy)
    assert re.search(
        r"政策文件</span><span class=\"count\"><span class=\"visually-hidden\">（</span>5<", policy
    )
    by_topic = text(client.get(column_url(columns["policy"]), {"topic": "教育"}))
    assert "教育帮扶工作方案" in by_topic and "科技创新券管理办法" not in by_topic
    by_year = text(client.get(column_url(columns["policy"]), {"year": "2025"}))
    assert "批量信息0001" in by_year and "教育帮扶工作方案" not in by_year
    # a value that is not offered is ignored, not an error
    assert client.get(column_url(columns["policy"]), {"year": "abc", "topic": "<x>"}).status_code == 200
    nothing = text(client.get(column_url(columns["normative_documents"]), {"year": "2025"}))
    assert "没有符合筛选条件的信息" in nothing
    # the whole 目录
    everything = text(client.get(reverse("portal:catalog", args=[tree["a"].pk])))
    assert "科技创新券管理办法" in everything and "全部目录信息" in everything


def test_lists_are_paginated_twenty_a_page_newest_first(client, tree, columns):
    bulk_published(tree["a"], columns["statistics"], 45)
    first = text(client.get(column_url(columns["statistics"])))
    titles = re.findall(r"批量信息\d{4}", first)
    assert titles == [f"批量信息{n:04d}" for n in range(20)]
    assert "共 45 条" in first and 'rel="next"' in first
    third = text(client.get(column_url(columns["statistics"]), {"page": 3}))
    assert re.findall(r"批量信息\d{4}", third) == [f"批量信息{n:04d}" for n in range(40, 45)]
    beyond = text(client.get(column_url(columns["statistics"]), {"page": 99}))  # the last page
    assert "批量信息0044" in beyond


def test_guide_annual_and_apply_columns_lead_to_their_own_pages(client, tree, columns):
    for code, target in (
        ("guide", reverse("portal:catalog_guide", args=[tree["a"].pk])),
        ("annual", reverse("portal:catalog_annual", args=[tree["a"].pk])),
        ("apply", reverse("portal:catalog_guide", args=[tree["a"].pk]) + "#apply"),
    ):
        response = client.get(column_url(columns[code]))
        assert response.status_code == 302 and response["Location"] == target


@pytest.mark.parametrize("size", [1, 60])
def test_list_pages_run_a_constant_number_of_queries(
    client, tree, columns, django_assert_max_num_queries, size
):
    for code in ("statistics", "plans", "annual"):
        bulk_published(tree["a"], columns[code], size, topic="科技")
    urls = [
        reverse("portal:home"),
        section_url(tree["a"]),
        column_url(columns["statutory"]),
        column_url(columns["statistics"]),
        reverse("portal:catalog", args=[tree["a"].pk]) + "?topic=科技&year=2026&page=2",
        reverse("portal:catalog_annual", args=[tree["a"].pk]),
        reverse("portal:catalog_guide", args=[tree["a"].pk]),
        reverse("portal:catalog_feed", args=[tree["a"].pk, columns["statutory"].pk]),
        reverse("portal:sitemap"),
    ]
    for url in urls:
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200, url


# --- the item page -------------------------------------------------------------------------------------------


def test_item_page_shows_the_metadata_block_body_files_and_47_meta_tags(
    client, tree, columns, publish, settings
):
    settings.SITE_NAME = "中卫市沙坡头区人民政府"
    settings.SITE_ID_CODE = "6405020001"
    item = publish("normative_documents", topic="科技", genre="通知", summary="明确科技扶贫的目标和任务。")
    add_attachment(item)
    page = text(client.get(item_url(item)))
    for label, value in (
        ("索引号", item.index_number), ("主题分类", "科技"), ("发布机构", "中卫市沙坡头区科学技术局"),
        ("成文日期", "2020-03-02"), ("发布日期", "2026-11-27"), ("文号", "卫科发〔2020〕12号"), ("有效性", "有效"),
    ):  # fmt: skip
        assert re.search(f"<dt>{label}</dt><dd[^>]*>.*?{re.escape(value)}", page, re.S), label
    assert "<p>现将《沙坡头区2020年科技扶贫工作方案》印发给你们。</p>" in page
    assert '<meta name="SiteName" content="中卫市沙坡头区人民政府">' in page
    assert '<meta name="SiteIDCode" content="6405020001">' in page
    assert '<meta name="ColumnName" content="行政规范性文件">' in page
    assert f'<meta name="ArticleTitle" content="{item.title}">' in page
    assert re.search(r'<meta name="PubDate" content="2026-11-27 \d\d:\d\d">', page)
    assert '<meta name="ContentSource" content="中卫市沙坡头区科学技术局">' in page
    assert '<meta name="Keywords" content="科技">' in page
    assert "科技扶贫工作方案.pdf" in page and "失效" not in page.split("<main")[1].split("有效性")[0]


@pytest.mark.parametrize(("validity", "label"), [(Validity.LAPSED, "失效"), (Validity.REPEALED, "废止")])
def test_lapsed_or_repealed_document_is_marked_on_its_page_and_in_lists(
    client, tree, clerk, columns, publish, validity, label
):
    item = publish("normative_documents")
    item_set_validity(item=item, by=clerk, validity=validity, on=dt.date(2026, 6, 30),
                      note="已被卫科发〔2026〕3号替代。")  # fmt: skip
    page = text(client.get(item_url(item)))
    assert f"本文件已{label}" in page and "自2026年6月30日起" in page
    assert "已被卫科发〔2026〕3号替代。" in page and "国办发〔2017〕47号" in page
    assert f"已{label}" in text(client.get(column_url(columns["normative_documents"])))


def test_body_is_rendered_as_stored_under_a_csp_that_forbids_inline_script(client, tree, columns, publish):
    item = publish()
    Item.objects.filter(pk=item.pk).update(body='<p onclick="alert(1)">x</p><script>alert(2)</script>')
    response = client.get(item_url(item))
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )


# --- files ---------------------------------------------------------------------------------------------------


def test_attachment_download_has_its_name_type_and_nosniff(client, tree, columns, publish):
    item = publish()
    attachment = add_attachment(item)
    response = client.get(reverse("portal:catalog_attachment", args=[item.pk, attachment.key]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "%E7%A7%91%E6%8A%80" in disposition  # 科技
    # the file went missing on disk: a 404, not a server error
    attachment_path(attachment).unlink()
    assert client.get(reverse("portal:catalog_attachment", args=[item.pk, attachment.key])).status_code == 404


def test_attachment_of_an_unpublished_item_is_never_served(client, tree, clerk, columns):
    draft = item_create(agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data())
    attachment = add_attachment(draft)
    assert (
        client.get(reverse("portal:catalog_attachment", args=[draft.pk, attachment.key])).status_code == 404
    )


def test_content_types_by_extension_never_run_as_a_page():
    assert content_type("PDF") == "application/pdf"
    assert content_type("docx").startswith("application/vnd.openxmlformats")
    assert content_type("xlsx").endswith("spreadsheetml.sheet")
    assert content_type("html") == "application/octet-stream"
    assert content_type("svg") == "application/octet-stream"
    assert content_type("xyz123") == "application/octet-stream"
    assert content_type("csv") == "text/csv"


# --- 年报 ----------------------------------------------------------------------------------------------------


def test_annual_reports_newest_first(client, tree, columns, publish, today):
    today.set(dt.date(2025, 1, 20))
    publish("annual", title="2024年政府信息公开工作年度报告", doc_number="", written_on=dt.date(2025, 1, 15),
            formed_on=dt.date(2025, 1, 15))  # fmt: skip
    today.set(dt.date(2026, 1, 22))
    publish("annual", title="2025年政府信息公开工作年度报告", doc_number="", written_on=dt.date(2026, 1, 20),
            formed_on=dt.date(2026, 1, 20))  # fmt: skip
    page = text(client.get(reverse("portal:catalog_annual", args=[tree["a"].pk])))
    assert page.index("2025年政府信息公开工作年度报告") < page.index("2024年政府信息公开工作年度报告")
    empty = text(client.get(reverse("portal:catalog_annual", args=[tree["b"].pk])))
    assert "本栏目暂无信息" in empty


# --- the feed and the sitemap --------------------------------------------------------------------------------


def test_feed_is_valid_atom_with_the_latest_twenty_and_absolute_links(
    client, tree, columns, publish, settings
):
    settings.SITE_URL = "https://gk.example.gov.cn"
    bulk_published(tree["a"], columns["statistics"], 25)
    response = client.get(reverse("portal:catalog_feed", args=[tree["a"].pk, columns["statistics"].pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "中卫市沙坡头区科学技术局 · 统计信息"
    assert feed.findtext(f"{ATOM}id").startswith("https://gk.example.gov.cn/gongkai/")
    assert feed.find(f"{ATOM}updated") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 20
    assert entries[0].findtext(f"{ATOM}title") == "批量信息0000"
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert re.fullmatch(r"https://gk\.example\.gov\.cn/gongkai/item/\d+/", link)
        assert entry.findtext(f"{ATOM}id") == link and entry.find(f"{ATOM}updated") is not None
    # an empty column still gives a valid feed
    empty = client.get(reverse("portal:catalog_feed", args=[tree["a"].pk, columns["coercion"].pk]))
    assert etree.fromstring(empty.content).findall(f"{ATOM}entry") == []


def test_sitemap_index_points_to_sections_and_item_blocks(client, tree, columns, publish, settings):
    settings.SITE_URL = "https://gk.example.gov.cn"
    item = publish()
    index = etree.fromstring(client.get(reverse("portal:sitemap")).content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    locs = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert locs[0] == "https://gk.example.gov.cn/sitemap-sections.xml"
    assert f"https://gk.example.gov.cn/sitemap-items-{item.pk // SITEMAP_BUCKET}.xml" in locs
    sections = etree.fromstring(b"".join(client.get(reverse("portal:sitemap_sections")).streaming_content))
    urls = [loc.text for loc in sections.iter(f"{SITEMAP}loc")]
    assert "https://gk.example.gov.cn" + section_url(tree["a"]) in urls
    assert "https://gk.example.gov.cn" + column_url(columns["normative_documents"]) in urls
    assert "https://gk.example.gov.cn" + column_url(columns["guide"]) not in urls  # its own page is listed
    items = etree.fromstring(
        b"".join(
            client.get(reverse("portal:sitemap_items", args=[item.pk // SITEMAP_BUCKET])).streaming_content
        )
    )
    rows = items.findall(f"{SITEMAP}url")
    assert [r.findtext(f"{SITEMAP}loc") for r in rows] == ["https://gk.example.gov.cn" + item_url(item)]
    assert rows[0].findtext(f"{SITEMAP}lastmod") == "2026-11-27"


def test_sitemap_blocks_hold_at_most_fifty_thousand_ids(tree, columns):
    items = bulk_published(tree["a"], columns["statistics"], 2)
    Item.objects.filter(pk=items[1].pk).update(id=SITEMAP_BUCKET * 3 + 7)
    assert [b.number for b in public_sitemap_buckets()] == [items[0].pk // SITEMAP_BUCKET, 3]


# --- the 指南 ------------------------------------------------------------------------------------------------


def test_default_guide_is_generated_from_the_agencys_data(tree, clerk, columns):
    agency = tree["a"]
    agency.postcode, agency.hours, agency.fax, agency.email = (
        "755000",
        "工作日 8:30-12:00",
        "0955-7012346",
        "gk@example.cn",
    )
    agency.save()
    body = guide_default_html(agency)
    for expected in (
        "办公室", "中卫市沙坡头区文萃路1号", "755000", "工作日 8:30-12:00", "0955-7012345", "0955-7012346",
        "gk@example.cn", "行政规范性文件", "政府信息公开年报", reverse("portal:apply", args=[agency.pk]),
        "信息处理费", "第四十二条", "行政复议", "中卫市沙坡头区人民法院", "信函申请", "当面申请",
    ):  # fmt: skip
        assert expected in body, expected
    current = guide_current(agency)
    assert current.pk is None and current.version == 0 and current.body == body
    # an agency without online applications is told so
    assert "暂未开通网上申请" in guide_default_html(tree["b"])


def test_guide_save_sanitises_versions_and_audits(tree, clerk, clerk_b, columns):
    agency = tree["a"]
    first = guide_save(agency=agency, by=clerk, body="<h2>一、总则</h2><p onclick='x()'>内容</p><script>alert(1)</script>",
                       note="首次发布")  # fmt: skip
    assert first.version == 1 and first.body == "<h2>一、总则</h2><p>内容</p>"
    second = guide_save(agency=agency, by=clerk, body="<p>第二版</p>", note="")
    assert second.version == 2 and guide_current(agency) == second
    events = AuditEvent.objects.filter(action="catalog.guide_save", agency=agency).order_by("id")
    assert [e.after["version"] for e in events] == [1, 2] and events[1].before["version"] == 1
    with pytest.raises(PermissionDenied):
        guide_save(agency=agency, by=clerk_b, body="<p>别的机关</p>")
    with pytest.raises(ValidationError):
        guide_save(agency=agency, by=clerk, body="<script>only</script>")
    assert GuideVersion.objects.filter(agency=agency).count() == 2


def test_public_guide_page_shows_the_current_version_and_its_date(client, tree, clerk, columns):
    url = reverse("portal:catalog_guide", args=[tree["a"].pk])
    page = text(client.get(url))
    assert "根据本机关登记的信息生成" in page and "中卫市沙坡头区文萃路1号" in page
    assert 'id="apply"' in page and reverse("portal:apply", args=[tree["a"].pk]) in page
    guide_save(agency=tree["a"], by=clerk, body="<p>本机关修订后的指南正文。</p>", note="修订")
    page = text(client.get(url))
    assert "本机关修订后的指南正文。" in page and "第1版 · 2026年11月27日更新" in page


# --- the workbench page of the 指南 ---------------------------------------------------------------------------


def test_workbench_guide_page_previews_saves_and_lists_versions(client, tree, clerk, columns):
    url = reverse("workbench:guide_edit")
    assert client.get(url).status_code == 302  # login first
    client.force_login(clerk)
    page = text(client.get(url))
    assert "尚未保存过指南" in page and "中卫市沙坡头区文萃路1号" in page and "公开指南" in page
    preview = client.post(
        url, {"agency": tree["a"].pk, "mode": "text", "body": "第一段\n第二段<b>", "preview": "1"}
    )
    assert preview.status_code == 200 and "<p>第一段</p><p>第二段&lt;b&gt;</p>" in text(preview)
    assert not GuideVersion.objects.exists()
    saved = client.post(
        url, {"agency": tree["a"].pk, "mode": "text", "body": "第一段\n第二段", "note": "改为纯文本"}
    )
    assert saved.status_code == 302
    assert GuideVersion.objects.get().body == "<p>第一段</p><p>第二段</p>"
    page = text(client.get(url))
    assert "第1版" in page and "改为纯文本" in page and "公开页面当前显示第1版" in page
    loaded = text(client.get(url, {"agency": tree["a"].pk, "version": 1}))
    assert "已载入第1版作为底稿" in loaded
    assert "已载入根据本机关登记信息生成的指南" in text(client.get(url, {"default": 1}))
    empty = client.post(url, {"agency": tree["a"].pk, "mode": "html", "body": "<script>x</script>"})
    assert empty.status_code == 400 and "请填写指南正文" in text(empty)
    invalid = client.post(url, {"agency": tree["a"].pk, "mode": "html", "body": ""})
    assert invalid.status_code == 400


def test_workbench_guide_page_is_for_the_agencys_staff_only(client, tree, clerk, supervisor, columns):
    client.force_login(clerk)
    assert client.get(reverse("workbench:guide_edit"), {"agency": tree["b"].pk}).status_code == 403
    assert client.post(reverse("workbench:guide_edit"), {"agency": tree["b"].pk, "mode": "html",
                                                          "body": "<p>x</p>"}).status_code == 403  # fmt: skip
    client.force_login(supervisor)
    assert client.get(reverse("workbench:guide_edit")).status_code == 403


def test_public_selectors_take_any_id_without_failing(tree, columns, publish):
    from gongkai.catalog.public import (
        public_agency,
        public_attachment,
        public_attachments,
        public_column_tree,
        public_item,
    )

    item = publish()
    for bad in ("x", None, "1.5"):
        assert public_item(pk=bad) is None and public_agency(pk=bad) is None
        assert public_attachment(item_pk=bad, key="k") is None
        assert public_column_tree(agency=tree["a"]).get(bad) is None
    assert public_item(pk=str(item.pk)) == item
    item.status = ItemStatus.WITHDRAWN
    assert public_attachments(item=item) == []


def test_sitemap_of_the_sections_is_capped(client, tree, columns, monkeypatch):
    from gongkai.portal import catalog_views

    monkeypatch.setattr(catalog_views, "SITEMAP_MAX_URLS", 3)
    body = b"".join(client.get(reverse("portal:sitemap_sections")).streaming_content)
    assert len(etree.fromstring(body).findall(f"{SITEMAP}url")) == 3


def test_workbench_guide_page_ignores_an_unknown_version(client, tree, clerk, columns):
    client.force_login(clerk)
    page = text(client.get(reverse("workbench:guide_edit"), {"version": "99"}))
    assert "已载入第" not in page and "尚未保存过指南" in page
