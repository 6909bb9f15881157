"""The public search page of the 公开目录: results with highlighted words, counts, filters, pages, an empty
state in Chinese, and nothing that is not published."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from gongkai.catalog import search
from gongkai.catalog.services import item_withdraw
from tests.catalog.conftest import columns, publish

FIXTURES = (
    columns,
    publish,
)  # the catalog's fixtures, used here too

URL = "/gongkai/search/"


@pytest.fixture(autouse=True)
def _empty_index(db):
    """Rows a transactional test left behind (the index is not a model table, so flush keeps it)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_search")


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_results_are_highlighted_with_their_metadata(client, publish, columns):
    item = publish(title="关于开展<科技>特派员选派工作的通知", doc_number="卫科发〔2020〕12号",
                   summary="明确科技特派员的选派条件和程序。")  # fmt: skip
    html = page(client, q="科技特派员")
    assert "共1条" in html
    assert "关于开展&lt;<mark>科技</mark>&gt;<mark>特派员</mark>选派工作的通知" in html
    assert "明确<mark>科技特派员</mark>的选派条件和程序。" in html
    for shown in (item.index_number, "卫科发〔2020〕12号", "发布机构：中卫市沙坡头区科学技术局",
                  f"发布日期：{item.published_on:%Y-%m-%d}", "栏目：其他文件"):  # fmt: skip
        assert shown in html
    assert f'href="{search.public_item_url(item.pk)}"' in html


def test_empty_states(client, publish):
    publish(title="关于开展科技特派员选派工作的通知")
    assert "请输入检索词" in page(client)
    html = page(client, q="不存在的词语组合")
    assert "没有找到与“不存在的词语组合”相关的政府信息" in html and "建议" in html
    assert "没有可检索的文字" in page(client, q="😀 *")
    too_long = page(client, q="公" * 101)
    assert "检索词不能超过100个字" in too_long


def test_filters_and_withdrawn(client, publish, tree, columns, reviewer, today):
    today.set(dt.date(2025, 3, 1))
    publish(title="2025年科技工作要点")
    today.set(dt.date(2026, 3, 1))
    new = publish("statistics", title="2026年科技统计信息", doc_number="",
                  written_on=dt.date(2026, 2, 1), formed_on=dt.date(2026, 2, 1))  # fmt: skip
    html = page(client, q="科技", year=2025)
    assert "工作要点" in html and "统计信息</a>" not in html
    html = page(client, q="科技", agency=tree["a"].pk, column=columns["statistics"].pk)
    assert "共1条" in html and f'<option value="{columns["statistics"].pk}" selected>' in html
    assert "没有找到" in page(client, q="科技", agency=tree["b"].pk)
    # an agency alone lists its items; a column of another agency or a bad number is ignored
    assert "共2条" in page(client, agency=tree["a"].pk, column=999999, year="abc")
    item_withdraw(item=new, by=reviewer, reason="数据有误")
    assert "共1条" in page(client, q="科技")


def test_pages_and_the_capped_count(client, publish, monkeypatch, today):
    for n in range(1, 24):
        today.set(dt.date(2026, 1, n))
        publish(title=f"第{n}期科技简报", doc_number="")
    html = page(client, q="简报")
    assert "共23条" in html and "第23期" in html and "第3期" not in html
    assert 'href="?q=%E7%AE%80%E6%8A%A5&amp;page=2" rel="next"' in html
    second = page(client, q="简报", page=2)
    assert "第3期" in second and "第23期" not in second and 'aria-current="page">2<' in second
    monkeypatch.setattr(search, "COUNT_CAP", 21)
    assert "共21+条" in page(client, q="简报")


def test_page_numbers():
    from gongkai.portal.search_views import _pages

    assert _pages(1, 1) == [1]
    assert _pages(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert _pages(2, 5) == [1, 2, 3, 4, 5]
