"""Fixtures of the catalog tests: agencies a and b with their standard columns, and a helper that takes an
item through drafting, the 保密审查 and publication as the pages do."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import approval_decide
from gongkai.catalog.models import Column
from gongkai.catalog.services import catalog_bootstrap, item_create, item_submit


@pytest.fixture
def columns(tree) -> dict[str, Column]:
    """The standard columns of agency a, by code (agency b gets its own too)."""
    catalog_bootstrap(agency=tree["b"])
    catalog_bootstrap(agency=tree["a"])
    return {c.code: c for c in Column.objects.filter(agency=tree["a"]).exclude(code="")}


def draft_data(**overrides) -> dict:
    data = {
        "title": "沙坡头区科学技术局关于印发2020年科技扶贫工作方案的通知",
        "doc_number": "卫科发〔2020〕12号",
        "written_on": dt.date(2020, 3, 2),
        "formed_on": dt.date(2020, 3, 2),
        "summary": "明确2020年科技扶贫的目标、任务和保障措施。",
        "body": "<p>各有关单位：</p><p>现将《沙坡头区2020年科技扶贫工作方案》印发给你们。</p>",
    }
    return data | overrides


@pytest.fixture
def publish(tree, clerk, reviewer, head, columns):
    """Draft an item in agency a, submit it and approve both steps; returns the item as it then is."""

    def make(column: str = "other_documents", *, publish_at=None, **data):
        item = item_create(agency=tree["a"], column=columns[column], by=clerk, data=draft_data(**data))
        item_submit(item=item, by=clerk, method="政府网站", scope="社会公众", publish_at=publish_at)
        for user in (reviewer, head):
            approval_decide(request=pending_request(subject=item), by=user, approved=True, on=dt.date.today())
        item.refresh_from_db()
        return item

    return make
