"""The model's vocabulary: severities and locations of findings, and their published strings."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.report.model import AnnualReport, Cell, Finding, Location, Severity
from gongkai.report.parse import read_text
from gongkai.report.rules import check
from tests.report.strategies import zero_report


def test_severity_values_labels_and_order():
    assert [s.value for s in Severity] == ["error", "warning", "info"]  # docs/data-format.md
    assert [s.label for s in Severity] == ["错误", "警告", "提示"]
    assert sorted([Severity.INFO, Severity.ERROR, Severity.WARNING], key=lambda s: s.order) == list(Severity)
    assert Severity("warning") is Severity.WARNING and Severity.WARNING == "warning"


def test_finding_takes_a_severity_string_and_publishes_the_string():
    finding = Finding("R1", "error", "table3", "不平衡")
    assert finding.severity is Severity.ERROR
    assert finding.as_dict()["severity"] == "error"
    assert json.dumps(finding.as_dict()["severity"]) == '"error"'
    with pytest.raises(ValueError):
        Finding("R1", "fatal", "table3", "不平衡")


def test_findings_round_trip_through_the_data_format():
    findings = [Finding("R10", Severity.WARNING, "section.1", "总数不符", 114, 113)]
    data = json.loads(json.dumps(AnnualReport(findings=findings).as_dict(), ensure_ascii=False))
    assert data["findings"][0]["severity"] == "warning"
    back = AnnualReport.from_dict(data).findings
    assert back == findings and back[0].severity is Severity.WARNING


# --- locations ---

PUBLISHED = [
    ("table3.carried_out[总计]", Location.table3("carried_out", 6)),
    ("table3.refused.state_secret[自然人]", Location.table3("refused.state_secret", 0)),
    ("table3.granted", Location.table3("granted")),
    ("table3", Location.table3()),
    ("table2.regulations[现行有效件数]", Location.table2("regulations", "现行有效件数")),
    ("table2.licensing[本年增/减]", Location.table2("licensing", "本年增/减")),
    ("table2.extra.其他主动公开文件", Location.table2("extra.其他主动公开文件")),
    ("table2", Location.table2()),
    ("table4.review[总计]", Location.table4("review", 4)),
    ("table4.litigation_direct", Location.table4("litigation_direct")),
    ("table4", Location.table4()),
    ("section.5", Location.section("5")),
    ("format", Location("format")),
    ("period", Location("period")),
    ("preamble", Location("preamble")),
    ("previous", Location("previous")),
]


@pytest.mark.parametrize("text,location", PUBLISHED, ids=[text for text, _ in PUBLISHED])
def test_location_string_form_is_the_published_one(text, location):
    assert str(location) == text
    assert Location.parse(text) == location


@pytest.mark.parametrize("text", ["", "table3.", "table3.new[]", "table3.new[总计]x", ".new", "table3[.x"])
def test_location_parse_refuses_malformed_text(text):
    with pytest.raises(ValueError):
        Location.parse(text)


def test_location_parts_that_would_not_read_back_are_refused():
    with pytest.raises(ValueError):
        Location("table3.new")  # the kind cannot hold a dot
    with pytest.raises(ValueError):
        Location("table3", "new[总计]")  # nor the item a bracket


_parts = st.text(alphabet=st.sampled_from("ab.[]3总计/（）"), min_size=1, max_size=8)


@given(kind=_parts, item=st.none() | _parts, column=st.none() | _parts)
def test_every_location_reads_back_from_its_string(kind, item, column):
    try:
        location = Location(kind, item, column)
    except ValueError:
        return
    assert Location.parse(str(location)) == location


def test_every_location_the_rules_and_readers_give_reads_back():
    broken = zero_report("2019", year=2021)  # R7
    broken.table3["new"][0] = Cell("1")  # R1, R3
    broken.table3["granted"][1] = Cell("若干")  # R11
    broken.table2["regulations"]["made"] = Cell("/")
    del broken.sections["5"]  # R8
    read = read_text(
        "2020年某局政府信息公开工作年度报告\n一、总体情况\n共收到申请3件。\n四、结转下年度继续办理 1 2\n"
    )
    findings = check(broken) + check(read)
    assert {f.location.kind for f in findings} >= {"table2", "table3", "format", "section"}
    for finding in findings:
        assert isinstance(finding.location, Location)
        assert Location.parse(str(finding.location)) == finding.location


def test_location_contains_its_parts():
    table, row, cell = Location.table3(), Location.table3("new"), Location.table3("new", 0)
    assert table.contains(row) and table.contains(cell) and row.contains(cell) and cell.contains(cell)
    assert not cell.contains(row) and not row.contains(table)
    assert not row.contains(Location.table3("new_rows")) and not table.contains(Location.table4())


def test_finding_takes_a_location_string_and_round_trips():
    finding = Finding("R3", "error", "table3.new[总计]", "总计不符", 1, 2)
    assert finding.location == Location.table3("new", 6)
    data = AnnualReport(findings=[finding]).as_dict()
    assert data["findings"][0]["location"] == "table3.new[总计]"
    assert AnnualReport.from_dict(json.loads(json.dumps(data))).findings == [finding]
    with pytest.raises(ValueError):
        Finding("R3", "error", "table3.new[", "总计不符")
