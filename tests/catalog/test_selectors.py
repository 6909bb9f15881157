"""The catalog's staff selectors keep to the agencies the acting user may see: a clerk of agency b never
gets agency a's items, columns, accounts, posts, review sheets, audit trail or figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from gongkai.catalog import selectors
from gongkai.catalog.models import Item
from gongkai.catalog.services import account_save, item_create, item_submit, post_create
from tests.catalog.conftest import draft_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_a(tree, clerk, columns, publish):
    item = publish()
    # the scan reads the item as it is now: a mobile number added to a draft after the review
    Item.objects.filter(pk=item.pk).update(body_text="联系电话13912345678")
    item.refresh_from_db()
    account = account_save(agency=tree["a"], by=clerk, platform="weibo", name="沙坡头科技")
    post = post_create(
        account=account, by=clerk, posted_on=dt.date(2026, 11, 20), title="发布", original=True
    )
    return {"item": item, "account": account, "post": post, "column": columns["plans"]}


def test_clerk_b_never_sees_agency_as_catalog(tree, clerk_b, catalog_a):
    item, account, column = catalog_a["item"], catalog_a["account"], catalog_a["column"]
    assert list(selectors.item_list(user=clerk_b)) == []
    assert list(selectors.item_list(user=clerk_b, agency_id=tree["a"].pk, q=item.title)) == []
    assert list(selectors.items_for(user=clerk_b)) == []
    for getter, pk in (
        (selectors.item_get, item.pk),
        (selectors.column_get, column.pk),
        (selectors.account_get, account.pk),
        (selectors.agency_get, tree["a"].pk),
    ):
        with pytest.raises(Http404):
            getter(user=clerk_b, pk=pk)
    assert selectors.item_sheets(user=clerk_b, item=item) == []
    assert selectors.item_history(user=clerk_b, item=item) == []
    assert selectors.item_warnings(user=clerk_b, item=item) == []
    assert selectors.columns_tree(user=clerk_b, agency_id=tree["a"].pk, with_counts=True) == []
    assert selectors.column_subtree_ids(user=clerk_b, column_id=column.pk) == []
    assert selectors.accounts_of(user=clerk_b, agency_id=tree["a"].pk) == []
    assert list(selectors.posts_of(user=clerk_b, account=account)) == []
    assert selectors.art20_entered(user=clerk_b, agency_id=tree["a"].pk, year=2026) == {}
    assert selectors.figures_for(user=clerk_b, agency_id=tree["a"].pk, year=2026) is None
    counts = selectors.catalog_counts(user=clerk_b, year=2026)
    assert (counts.reviewing, counts.late, counts.published) == (0, 0, 0)
    assert selectors.catalog_has_columns(user=clerk_b)  # b's own columns


def test_the_clerk_of_a_sees_them(tree, clerk, catalog_a):
    item, account, column = catalog_a["item"], catalog_a["account"], catalog_a["column"]
    assert list(selectors.item_list(user=clerk)) == [item]
    assert selectors.item_get(user=clerk, pk=str(item.pk)) == item
    assert selectors.column_get(user=clerk, pk=column.pk) == column
    assert selectors.account_get(user=clerk, pk=account.pk) == account
    assert selectors.agency_get(user=clerk, pk=tree["a"].pk) == tree["a"]
    [sheet] = selectors.item_sheets(user=clerk, item=item)
    assert [d.comment for d in sheet.approval.decisions.all()] == ["", ""]
    assert [e.get_action_display() for e in selectors.item_history(user=clerk, item=item)][:2] == [
        "新建目录信息",
        "提交保密审查",
    ]
    assert [w.kind for w in selectors.item_warnings(user=clerk, item=item)] == ["mobile"]
    [accounts] = selectors.accounts_of(user=clerk, agency_id=tree["a"].pk)
    assert (accounts.post_count, accounts.last_on) == (1, dt.date(2026, 11, 20))
    assert list(selectors.posts_of(user=clerk, account=account)) == [catalog_a["post"]]
    assert selectors.figures_for(user=clerk, agency_id=tree["a"].pk, year=2026).total == 2  # website, weibo
    counts = selectors.catalog_counts(user=clerk, year=2026)
    assert (counts.published, counts.late) == (1, 1)


@pytest.mark.parametrize("bad", ["", "abc", "0", "-1", "99999999999999999999", None, "1\x00"])
def test_ids_that_cannot_be_are_not_found(clerk, bad):
    for getter in (selectors.item_get, selectors.column_get, selectors.account_get, selectors.agency_get):
        with pytest.raises(Http404):
            getter(user=clerk, pk=bad)


def test_the_column_tree_and_its_subtree(tree, clerk, columns, publish):
    publish("regulations", statutory_kind="regulation")
    tree_a = selectors.columns_tree(user=clerk, agency_id=tree["a"].pk, with_counts=True)
    names = [(e.depth, e.column.name) for e in tree_a]
    statutory = names.index((0, "法定主动公开内容"))
    assert names[statutory + 1 : statutory + 3] == [(1, "机构职能"), (1, "政策文件")]
    assert names[statutory + 3] == (2, "规章")
    regulations = next(e for e in tree_a if e.column.code == "regulations")
    assert regulations.items == 1 and regulations.last_on == dt.date(2026, 11, 27)
    policy = next(e for e in tree_a if e.column.code == "policy")
    assert policy.has_children and policy.items == 0 and not policy.is_group
    assert next(e for e in tree_a if e.column.code == "statutory").is_group
    subtree = selectors.column_subtree_ids(user=clerk, column_id=columns["policy"].pk)
    assert set(subtree) == {
        columns[c].pk for c in ("policy", "regulations", "normative_documents", "other_documents")
    }


def test_filters_of_the_list(tree, clerk, columns, publish):
    published = publish("plans")
    draft = item_create(
        agency=tree["a"], column=columns["statistics"], by=clerk, data=draft_data(title="统计公报")
    )
    assert list(selectors.item_list(user=clerk, status="draft")) == [draft]
    assert list(selectors.item_list(user=clerk, late=True)) == [published]
    assert list(selectors.item_list(user=clerk, year=2026)) == [published]
    assert list(selectors.item_list(user=clerk, q="统计")) == [draft]
    assert list(selectors.item_list(user=clerk, column_id=columns["statistics"].pk)) == [draft]
    item_submit(item=draft, by=clerk, method="政府网站", scope="社会公众")
    assert selectors.catalog_counts(user=clerk, year=2026).reviewing == 1
