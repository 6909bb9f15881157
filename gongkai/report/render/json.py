"""The report in the published data format (AnnualReport.as_dict), as UTF-8 JSON."""

from __future__ import annotations

import json

from gongkai.report.model import AnnualReport, Finding


def render_json(report: AnnualReport, *, findings: list[Finding] | None = None) -> str:
    return json.dumps(report.as_dict(findings=findings), ensure_ascii=False, indent=1) + "\n"
