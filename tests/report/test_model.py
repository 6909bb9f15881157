"""The model's vocabulary: severities and locations of findings, and their published strings."""

import json

import pytest

from gongkai.report.model import AnnualReport, Finding, Severity


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
