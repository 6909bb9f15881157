"""The CSV export: every cell a spreadsheet would run as a formula is shown as text (OWASP "CSV injection"),
through the one function every CSV of the system uses (gongkai.web.responses.csv_response)."""

import csv
import io

import pytest

from tests import factories

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)"]


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("name", FORMULAS)
def test_a_name_that_starts_a_formula_is_exported_as_text(clerk_client, tree, clerk, name):
    factories.register(tree["a"], clerk, 1, applicant_name=name)
    head, row = rows_of(clerk_client.get("/workbench/applications/export.csv"))
    assert row[head.index("申请人")] == "'" + name
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_ordinary_cells_are_unchanged(clerk_client, application):
    head, row = rows_of(clerk_client.get("/workbench/applications/export.csv"))
    assert row[head.index("申请人")] == application.applicant_name
    assert row[head.index("申请编号")] == application.number
