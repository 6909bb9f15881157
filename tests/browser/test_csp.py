"""The pages work under the Content-Security-Policy: no inline script or style element is refused (the
autouse fixture of conftest.py fails on any such console error), charts, htmx and the API docs run."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from tests import factories


@pytest.fixture
def staff(live_server, tree, clerk, head):
    factories.register(tree["a"], clerk, 1)
    replied = factories.register(tree["a"], clerk, 2, received_on=datetime.date(2026, 11, 2))
    factories.reply(replied, clerk, datetime.date(2026, 11, 20), "granted")  # something for the chart
    return live_server.url


def test_pages_run_under_the_policy(page: Page, staff):
    base = staff
    response = page.goto(f"{base}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(f"{base}/workbench/login/")
    page.get_by_label("用户名").fill("clerk_a")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#outcome-chart svg").first).to_be_visible()  # ECharts drew the chart
    page.goto(f"{base}/workbench/applications/")
    page.get_by_label("状态").select_option("received")  # htmx swaps the results in
    expect(page.locator("#results")).to_contain_text("依申")
    page.goto(f"{base}/api/docs")
    expect(page.locator(".swagger-ui .info").first).to_be_visible()
    page.goto(f"{base}/admin/login/")
    expect(page.locator("form")).to_be_visible()
