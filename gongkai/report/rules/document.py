"""R7–R8: the layout matches the year, the six sections are there, the statistical period is right."""

from __future__ import annotations

import re

from gongkai.report.formats import (
    SECTIONS,
    format_for_year,
    normalize,
)
from gongkai.report.model import (
    AnnualReport,
    Finding,
    Location,
    Severity,
)
from gongkai.report.rules.common import (
    SECTION_NAMES,
    flatten,
    quote_match,
    split_sentences,
    texts_of,
    to_int,
)

# --- R7–R8: layout, sections, statistical period ---


def r7_format_year(report: AnnualReport) -> list[Finding]:
    layout = report.layout
    if layout is None or report.year is None:
        if any(f.rule == "R7" and f.location == Location("format") for f in report.findings):
            return []  # the reader already said it could not tell
        missing = "格式" if layout is None else "年份"
        return [
            Finding(
                "R7",
                Severity.WARNING,
                Location("format"),
                f"无法判断本报告的{missing}，未检查格式是否与年份相符",
            )
        ]
    expected = format_for_year(report.year)
    if expected.code == layout.code:
        return []
    return [
        Finding(
            "R7",
            Severity.ERROR,
            Location("format"),
            f"{report.year} 年的年度报告应使用 {expected.code} 年版格式（{expected.notice}），"
            f"而本报告使用 {layout.code} 年版格式（{layout.notice}）",
            expected=expected.code,
            actual=layout.code,
        )
    ]


_PERIOD = re.compile(
    r"统计[^。；]{0,12}?(?:(?P<y1>\d{4})年)?(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日起?"
    r"(?:至|到|—+|－|-|~|～)(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
)
_PARTS_ANNOUNCED = re.compile(
    r"(?<![第\d零〇一二两三四五六七八九十])(?P<n>\d{1,2}|[二两三四五六七八九十])个?部分(?!公开)"
)
_LISTING = re.compile(r"包括|分为|共分|分成|组成|由")
# Names a preamble may use for a section besides the keys in formats.py.
_LISTING_ALIASES = {"1": ("基本情况",), "4": ("复议",), "5": ("存在的问题", "主要问题")}


def r8_sections_period(report: AnnualReport) -> list[Finding]:
    findings = [
        Finding(
            "R8", Severity.ERROR, Location.section(s.code), f"缺少第{s.numeral}部分“{s.numeral}、{s.label}”"
        )
        for s in SECTIONS
        if s.code not in report.sections
    ]
    findings += _period_findings(report)
    findings += _parts_findings(report)
    return findings


def _period_findings(report: AnnualReport) -> list[Finding]:
    for _, text in texts_of(report, preamble=True):
        match = _PERIOD.search(text)
        if match is None:
            continue
        y1, y2 = (int(y) if y else None for y in match.group("y1", "y2"))
        m1, d1, m2, d2 = (int(v) for v in match.group("m1", "d1", "m2", "d2"))
        years_ok = report.year is None or {y1, y2} <= {None, report.year}
        if years_ok and (m1, d1, m2, d2) == (1, 1, 12, 31):
            return []
        year = f"{report.year} 年 " if report.year else ""
        return [
            Finding(
                "R8",
                Severity.WARNING,
                Location("period"),
                f"统计期限写作“{match.group(0)}”，而应为{year}1 月 1 日至 12 月 31 日",
                expected=f"{report.year or ''}年1月1日至12月31日",
                actual=match.group(0),
            )
        ]
    return []


def _parts_findings(report: AnnualReport) -> list[Finding]:
    findings = []
    for sentence in split_sentences(flatten(report.preamble)):
        announced = _PARTS_ANNOUNCED.search(sentence)
        if announced and (n := to_int(announced.group("n"))) != len(SECTIONS):
            findings.append(
                Finding(
                    "R8",
                    Severity.WARNING,
                    Location("preamble"),
                    f"前言称全文共 {n} 部分（“{quote_match(sentence, announced)}”），而年度报告应有六部分",
                    expected=len(SECTIONS),
                    actual=n,
                )
            )
        if not _LISTING.search(sentence):
            continue
        key = normalize(sentence)
        listed = [s for s in SECTIONS if any(k in key for k in s.keys + _LISTING_ALIASES.get(s.code, ()))]
        if 3 <= len(listed) < len(SECTIONS):
            missing = "、".join(SECTION_NAMES[s.code] for s in SECTIONS if s not in listed)
            findings.append(
                Finding(
                    "R8",
                    Severity.WARNING,
                    Location("preamble"),
                    f"前言列出的组成部分只有 {len(listed)} 个，未列出：{missing}",
                    expected=len(SECTIONS),
                    actual=len(listed),
                )
            )
    return findings
