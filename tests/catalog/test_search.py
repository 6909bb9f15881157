"""Search of the published catalog (gongkai.catalog.search) on both databases: words, phrases, 文号, agency
names, filters, only published items, paging with the capped count, hostile input, the number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from gongkai.catalog import search
from gongkai.catalog.imports import items_import
from gongkai.catalog.models import Item
from gongkai.catalog.search import catalog_search, highlight, parse_query, search_rebuild, snippet
from gongkai.catalog.services import item_create, item_publish_due, item_submit, item_withdraw
from tests.catalog.conftest import draft_data
from tests.catalog.sheets import csv_bytes


def titles(result) -> list[str]:
    return [item.title for item in result.items]


def found(q: str, **filters) -> list[str]:
    return titles(catalog_search(q=q, **filters))


def test_a_word_a_two_character_word_and_newest_first(publish, today):
    today.set(dt.date(2026, 3, 1))
    first = publish(title="关于做好2026年春季科技下乡活动的通知", doc_number="", summary="")
    today.set(dt.date(2026, 5, 1))
    second = publish(title="关于公开征集科技创新项目的公告", doc_number="", summary="")
    today.set(dt.date(2026, 7, 1))
    publish(title="沙坡头区2026年上半年统计信息", doc_number="", summary="", body="<p>统计数据。</p>")
    assert found("科技") == [second.title, first.title]
    assert found("下乡") == [first.title]
    assert found("公开") == [second.title]  # two characters, a word in the dictionary
    assert found("征集 创新") == [second.title]  # every word must match
    assert found("征集 下乡") == []
    assert found("教育") == []
    result = catalog_search(q="科技")
    assert (result.count, result.capped, result.page, result.pages) == (2, False, 1, 1)
    assert result.count_label == "2"


def test_a_word_segmented_differently_in_context_is_found(publish):
    item = publish(title="中卫市沙坡头区科学技术局政府信息公开工作年度报告", doc_number="", summary="")
    for q in ("信息公开", "政府信息公开", "科学技术", "年度报告", "沙坡头", "技术局"):
        assert found(q) == [item.title], q


def test_a_phrase_matches_the_exact_characters(publish):
    together = publish(title="关于推进政府信息公开标准化的意见", doc_number="", summary="")
    apart = publish(
        title="关于政府网站公开栏目信息更新的通知", doc_number="", summary="", body="<p>公开 信息</p>"
    )
    # without quotes a word matches its parts anywhere in the item
    assert set(found("信息公开")) == set(found("信息 公开")) == {together.title, apart.title}
    assert found('"信息公开"') == [together.title]
    assert found("“信息公开”") == [together.title]
    assert found("「公开栏目信息」") == [apart.title]
    assert parse_query('"信息公开"').phrases == [("信息", "公开")]
    # one word in quotes is that word, not the words inside it
    technology = publish(title="科学技术局", doc_number="", summary="", body="")
    assert technology.title in found("技术局")  # 科学技术 + 局: the parts of 技术局
    assert found('"技术局"') == []


@pytest.mark.parametrize(
    "q",
    ["卫科发〔2020〕12号", "卫科发[2020]12号", "卫科发（2020）12号", "卫科发【2020】第12号", "卫科发 [ 2020 ] 12 号",
     "关于卫科发〔2020〕12号"],
)  # fmt: skip
def test_a_doc_number_finds_its_item(publish, q):
    item = publish(doc_number="卫科发〔2020〕12号")
    publish(title="沙坡头区科学技术局关于另一项工作的通知", doc_number="卫科发〔2020〕13号")
    assert found(q) == [item.title]


def test_a_doc_number_cited_in_the_text_is_found(publish):
    item = publish(
        title="关于落实科技扶贫政策的通知",
        doc_number="",
        body="<p>根据宁政发〔2019〕3号文件精神，现将有关事项通知如下。</p>",
    )
    assert found("宁政发〔2019〕3号") == [item.title]
    assert found("宁政发〔2019〕4号") == []


def test_an_agency_name_and_the_index_number_find_the_agencys_items(publish, tree, clerk_b, columns):
    mine = publish(title="关于开展科普宣传周活动的通知", doc_number="", summary="", body="<p>活动安排。</p>")
    assert "科学技术局" not in mine.title + mine.body_text
    assert found("中卫市沙坡头区科学技术局") == [mine.title]
    assert found("沙坡头区科学技术局") == [mine.title]
    assert found("中卫市沙坡头区教育局") == []
    assert found(mine.index_number) == [mine.title]
    assert found(mine.index_number.split("/")[1]) == [mine.title]


def test_filters_agency_column_with_its_descendants_and_year(
    publish, tree, columns, today, clerk_b, reviewer
):
    today.set(dt.date(2025, 6, 1))
    old = publish("other_documents", title="2025年科技工作要点")
    today.set(dt.date(2026, 6, 1))
    new = publish("statistics", title="2026年科技统计信息", written_on=dt.date(2026, 5, 1),
                  formed_on=dt.date(2026, 5, 1), doc_number="")  # fmt: skip
    assert found("科技", agency_id=tree["a"].pk) == [new.title, old.title]
    assert found("科技", agency_id=tree["b"].pk) == []
    assert found("科技", year=2025) == [old.title]
    assert found("科技", year=2026) == [new.title]
    assert found("科技", year=2024) == []
    assert found("科技", column_id=columns["other_documents"].pk) == [old.title]
    assert found("科技", column_id=columns["policy"].pk) == [old.title]  # its child
    assert found("科技", column_id=columns["statutory"].pk) == [new.title, old.title]  # grandchildren
    assert found("科技", column_id=columns["budget"].pk) == []
    assert found("科技", column_id=999_999) == []
    # no words: everything published that the filters let through, newest first
    assert found("", agency_id=tree["a"].pk) == [new.title, old.title]
    assert found("", year=2025) == [old.title]
    assert found("") == [new.title, old.title]
    assert found("", column_id=columns["statistics"].pk, year=2026, agency_id=tree["a"].pk) == [new.title]


def test_only_published_items_are_found(publish, tree, clerk, reviewer, columns, today, run_tasks):
    draft = item_create(agency=tree["a"], column=columns["other_documents"], by=clerk,
                        data=draft_data(title="关于独角兽企业培育的草稿"))  # fmt: skip
    reviewing = item_create(agency=tree["a"], column=columns["other_documents"], by=clerk,
                            data=draft_data(title="关于独角兽企业认定的审查稿"))  # fmt: skip
    item_submit(item=reviewing, by=clerk, method="政府网站", scope="社会公众")
    later = timezone.now() + dt.timedelta(days=2)
    scheduled = publish(title="关于独角兽企业奖励的定时发布", publish_at=later)
    assert scheduled.status == "scheduled"
    withdrawn = publish(title="关于独角兽企业名单的公示")
    assert found("独角兽") == [withdrawn.title]
    item_withdraw(item=withdrawn, by=reviewer, reason="名单有误，重新审核")
    assert found("独角兽") == []
    reviewing.refresh_from_db()
    assert (draft.status, reviewing.status) == ("draft", "reviewing")
    today.shift(dt.timedelta(days=3))
    assert item_publish_due() == [scheduled.pk]
    assert found("独角兽") == [scheduled.title]
    # a rebuild indexes the same: published only
    assert search_rebuild() == Item.objects.filter(status="published").count() == 1
    assert found("独角兽") == [scheduled.title]


def test_withdrawing_a_scheduled_item_leaves_the_index_alone(publish, reviewer, today):
    scheduled = publish(
        title="关于独角兽企业奖励的定时发布", publish_at=timezone.now() + dt.timedelta(days=2)
    )
    item_withdraw(item=scheduled, by=reviewer, reason="不再发布")
    assert found("独角兽") == []


def test_pages_and_the_capped_count(publish, today, monkeypatch):
    days = [dt.date(2026, 1, d) for d in (5, 6, 7, 8, 9)]
    made = []
    for n, day in enumerate(days):
        today.set(day)
        made.append(publish(title=f"第{n + 1}批科技项目立项公示", doc_number=""))
    newest_first = [i.title for i in reversed(made)]
    first = catalog_search(q="立项", per_page=2)
    assert (first.count, first.pages, first.page, titles(first)) == (5, 3, 1, newest_first[:2])
    assert titles(catalog_search(q="立项", per_page=2, page=3)) == newest_first[4:]
    assert catalog_search(q="立项", per_page=2, page=99).page == 3  # past the end: the last page
    assert catalog_search(q="立项", per_page=2, page=-1).page == 1
    monkeypatch.setattr(search, "PG_WALK_MIN", 0)  # PostgreSQL: walk the date index instead of sorting
    assert titles(catalog_search(q="立项", per_page=2, page=2)) == newest_first[2:4]
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    capped = catalog_search(q="立项", per_page=2)
    assert (capped.count, capped.capped, capped.pages, capped.count_label) == (3, True, 2, "3+")
    assert titles(catalog_search(q="立项", per_page=2, page=2)) == newest_first[2:4]
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    exact = catalog_search(q="立项")
    assert (exact.count, exact.capped) == (5, False)


HOSTILE = [
    '"', '""', "'", "*", "-", "- 公开", "公开*", "NEAR(公开 信息)", "公开 NEAR 信息", "公开 OR 信息", "NOT 公开",
    "公开 AND", "^公开", "title:公开", "(公开", "公开)", "{公开}", "〔〕", "〔2020〕", "[", "]", "😀", "😀公开",
    "公开 😀", "%", "_", "\\", "'; DROP TABLE catalog_item; --", "\x00", "公开\x00信息", "　", "zqa1", "zqc1",
    "&|!<->:*", "'公开' & '信息'", "a" * 100, "公" * 100, "“", "“”", "『』", "「」",
]  # fmt: skip


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_is_searched_as_text(publish, q):
    item = publish(title="关于政府信息公开工作的通知")
    result = catalog_search(q=q)
    assert result.count in (0, 1)
    if re.fullmatch(r"[^\w\x00]*公开[^\w\x00]*", q):  # 公开 among punctuation
        assert titles(result) == [item.title], q


def test_zero_characters_are_no_words(publish):
    publish(title="关于政府信息公开工作的通知")
    result = catalog_search(q="😀 * ～")
    assert (result.count, result.items, result.problem) == (
        0,
        [],
        "检索词中没有可检索的文字或数字，请换用其他词语",
    )
    assert catalog_search(q="").problem == ""


def test_too_long_a_query_or_a_wrong_year_is_a_validation_error(db):
    with pytest.raises(ValidationError) as error:
        catalog_search(q="公开" * 51)
    assert error.value.messages == ["检索词不能超过100个字，请精简后再检索"]
    with pytest.raises(ValidationError):
        catalog_search(q="公开", year=10_000)


def test_a_search_page_is_three_queries_whatever_the_results(publish, tree, django_assert_num_queries):
    for n in range(6):
        publish(title=f"关于第{n}次科技特派员工作的通知", doc_number="")
    # the capped count, the page with agency and column names (PostgreSQL: the months the items span, the
    # planner settings for the count set and restored, and one count a window of months: here one month)
    with django_assert_num_queries(2 if connection.vendor == "sqlite" else 5):
        result = catalog_search(q="科技特派员", per_page=4)
        shown = [(i.title, i.agency.name, i.column.name, i.index_number) for i in result.items]
    assert len(shown) == 4 and result.count == 6
    with django_assert_num_queries(1 if connection.vendor == "sqlite" else 4):
        catalog_search(q="不存在的词语组合")


def test_a_count_goes_back_month_by_month(
    tree, columns, head, make_user, django_assert_max_num_queries, monkeypatch
):
    """Items over ten years, imported with their dates. PostgreSQL counts a query whose newest month has many
    items in windows of months, newest first, and one with few in one go: either way the count is exact
    under the cap, with agency and year filters, and capped above it."""
    days = [dt.date(2016, 1, 5) + dt.timedelta(days=37 * n) for n in range(100)]  # to 2026-01
    latest = [dt.date(2026, 11, 2 + n) for n in range(10)]
    for agency, user, picked in (
        (tree["a"], head, days[0::3] + latest),
        (tree["b"], None, days[1::3] + days[2::3]),
    ):
        user = user or make_user("head_b", agency, "head")
        rows = [["标题", "成文日期", "发布日期", "栏目"]]
        rows += [[f"关于第{n}批科技特派员的通知", day, day, "其他文件"] for n, day in enumerate(picked)]
        report = items_import(agency=agency, by=user, source=csv_bytes(rows), name="目录.csv")
        assert report.ok, report.problems
    assert catalog_search(q="科技特派员").count == 110
    assert catalog_search(q="科技特派员", agency_id=tree["a"].pk).count == 44
    assert catalog_search(q="科技特派员", year=2020).count == sum(d.year == 2020 for d in days)
    assert catalog_search(q="科技特派员", agency_id=tree["b"].pk, year=2016).count == sum(
        d.year == 2016 for d in days[1::3] + days[2::3]
    )
    assert catalog_search(q="科技特派员", year=2030).count == 0
    with django_assert_max_num_queries(3 + 9):  # 131 months: windows of 1, 1, 2, 4 … 64 and the rest
        result = catalog_search(q="通知", per_page=5)
    assert result.count == 110 and [i.published_on for i in result.items] == sorted(latest, reverse=True)[:5]
    monkeypatch.setattr(search, "COUNT_CAP", 50)  # ten in the newest month: counted by windows of months
    assert catalog_search(q="科技特派员", agency_id=tree["a"].pk).count == 44
    capped = catalog_search(q="科技特派员")
    assert (capped.count, capped.capped) == (50, True)
    assert catalog_search(q="科技特派员", agency_id=tree["b"].pk).count == 50


def test_highlight_escapes_and_marks():
    assert highlight("<b>信息公开</b> & 公开", ["公开", "信息"]) == (
        "&lt;b&gt;<mark>信息公开</mark>&lt;/b&gt; &amp; <mark>公开</mark>"
    )
    assert highlight("ABC abc", ["abc"]) == "<mark>ABC</mark> <mark>abc</mark>"
    assert highlight("", ["a"]) == ""
    assert highlight("沙坡头区", ["沙坡", "坡头区"]) == "<mark>沙坡头区</mark>"


def test_snippet_shows_the_first_match():
    text = "甲" * 200 + "政府信息公开" + "乙" * 200
    shown = str(snippet(text, ["公开"], width=40))
    assert shown.startswith("…") and shown.endswith("…") and "<mark>公开</mark>" in shown
    assert str(snippet("短文本<script>", [])) == "短文本&lt;script&gt;"


def test_parse_query_terms_for_highlighting():
    query = parse_query("卫科发[2020]第12号 信息公开 技术局 ABC")
    assert query.groups == [
        (("卫科发202012号",),),
        (("信息",),),
        (("公开",),),
        (("技术局",), ("技术", "局")),
        (("abc",),),
    ]
    assert query.terms == [
        "卫科发[2020]第12号",
        "卫科发〔2020〕12号",
        "信息",
        "公开",
        "技术局",
        "技术",
        "abc",
    ]


def test_index_lives_in_the_engines_table(publish):
    publish(title="关于政府信息公开工作的通知")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_search")
        assert cursor.fetchone()[0] == 1


def test_the_rowid_keeps_ids_apart():
    assert search.rowid(5, dt.date(1970, 1, 2)) == (1 << 32) + 5
    # the largest id on the last day a year filter takes still fits SQLite's signed 64-bit rowid
    assert search.rowid((1 << 32) - 1, dt.date(search.LAST_YEAR, 12, 31)) < 1 << 63
    with pytest.raises(ValueError):
        search.rowid(1 << 32, dt.date(2020, 1, 1))


def test_months_back():
    assert search._months_back(dt.date(2021, 2, 14), dt.date(2020, 11, 30)) == [
        dt.date(2021, 2, 1), dt.date(2021, 1, 1), dt.date(2020, 12, 1), dt.date(2020, 11, 1)
    ]  # fmt: skip
    assert search._months_back(dt.date(2021, 2, 14), dt.date(2021, 2, 1)) == [dt.date(2021, 2, 1)]


def test_the_rebuild_command(publish, capsys):
    from django.core.management import call_command

    item = publish(title="关于独角兽企业培育的通知")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_search")
    assert found("独角兽") == []
    call_command("search_rebuild")
    assert "已为 1 条已发布信息重建检索索引" in capsys.readouterr().out
    assert found("独角兽") == [item.title]


def test_very_long_tokens_are_left_out(publish):
    blob = "QUJD" * 600  # 2,400 letters: more than PostgreSQL takes in one lexeme
    item = publish(title="关于数字证书更新的通知", body=f"<p>证书内容：{blob}</p>")
    assert found("数字证书") == [item.title]
    assert found(blob[:80]) == []


def test_a_result_is_an_item_whose_other_fields_load_on_access(publish, django_assert_num_queries):
    made = publish(title="关于独角兽企业培育的通知")
    (item,) = catalog_search(q="独角兽").items
    assert (item.pk, item.title, item.published_on, item.agency.name, item.column.name) == (
        made.pk, made.title, made.published_on, "中卫市沙坡头区科学技术局", "其他文件",
    )  # fmt: skip
    assert item.get_validity_display() == "有效" and item.status == "published"
    with django_assert_num_queries(1):
        assert item.body == made.body
