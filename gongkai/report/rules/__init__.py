"""The validation rules R1–R11 of docs/rules.md: a report (and last year's) in, findings out.

Each rule is a small function returning a list of `Finding`; `RULES` lists them for the CLI and
`check()` runs them all after the findings the reader already made.

Sum rules compare only known numbers: a blank cell, a dash or a cell that could not be read is
never taken as 0, the comparison that needs it is skipped (R11 reports those cells).
Text rules (R9, R10) prefer missing a finding to reporting a false error: they read only phrases
whose meaning is unambiguous.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from gongkai.report.model import AnnualReport, Finding
from gongkai.report.rules.common import R6_TOLERANCE
from gongkai.report.rules.document import r7_format_year, r8_sections_period
from gongkai.report.rules.narrative import r9_text_vs_tables, r10_text_parts
from gongkai.report.rules.tables import (
    r1_carry_balance,
    r2_outcome_total,
    r3_applicant_total,
    r4_review_litigation_total,
    r5_carried_over,
    r6_documents_in_force,
    r11_cells,
)

# --- registry ---


class Rule(NamedTuple):
    check: Callable[..., list[Finding]]
    description: str


RULES: dict[str, Rule] = {
    "R1": Rule(
        r1_carry_balance, "表三每列：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理"
    ),
    "R2": Rule(
        r2_outcome_total,
        "表三每列：（七）总计 = 予以公开、部分公开、不予公开、无法提供、不予处理、其他处理各项之和",
    ),
    "R3": Rule(r3_applicant_total, "表三每行：总计 = 自然人与五类法人或其他组织之和"),
    "R4": Rule(r4_review_litigation_total, "表四每组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结"),
    "R5": Rule(
        r5_carried_over, "本年“二、上年结转”= 上一年度报告的“四、结转下年度继续办理”（同一机关，逐列）"
    ),
    "R6": Rule(
        r6_documents_in_force,
        "表二（2021 年版）：现行有效件数 ≈ 上年现行有效件数 + 本年制发件数 − 本年废止件数",
    ),
    "R7": Rule(r7_format_year, "报告格式与年份相符：2021 年起使用 2021 年版格式（国办公开办函〔2021〕30号）"),
    "R8": Rule(r8_sections_period, "六个部分齐全；统计期限为报告年度 1 月 1 日至 12 月 31 日"),
    "R9": Rule(r9_text_vs_tables, "正文中的申请数、办结数、行政复议和行政诉讼数与表格一致"),
    "R10": Rule(r10_text_parts, "正文“共N条，其中……”所列各项之和等于所述总数"),
    "R11": Rule(r11_cells, "表格完整，各单元格为非负整数（本年增/减可为负，金额可为小数）"),
}
__all__ = ["R6_TOLERANCE", "RULES", "Rule", "check"]
_USES_PREVIOUS = frozenset({"R5", "R6"})


def check(report: AnnualReport, *, previous: AnnualReport | None = None) -> list[Finding]:
    """The reader's findings followed by those of every rule, in rule order."""
    findings = list(report.findings)
    for rule_id, rule in RULES.items():
        findings += rule.check(report, previous) if rule_id in _USES_PREVIOUS else rule.check(report)
    return findings
