"""The validation rules R1–R11 of docs/rules.md: a report (and last year's) in, findings out.

Each rule is a small function returning a list of `Finding`; `RULES` lists them for the CLI and
`check()` runs them all after the findings the reader already made.

Sum rules compare only known numbers: a blank cell, a dash or a cell that could not be read is
never taken as 0, the comparison that needs it is skipped (R11 reports those cells).
Text rules (R9, R10) prefer missing a finding to reporting a false error: they read only phrases
whose meaning is unambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import NamedTuple

from gongkai.report.formats import (
    FORMAT_2021,
    FORMATS,
    SECTIONS,
    TABLE3_BALANCE_ROWS,
    TABLE3_COLUMNS,
    TABLE3_NOTE,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Column,
    format_for_year,
    normalize,
)
from gongkai.report.model import (
    AnnualReport,
    Cell,
    Finding,
    Number,
    table2_location,
    table3_location,
    table4_location,
)

ERROR, WARNING, INFO = "error", "warning", "info"
TOTAL = len(TABLE3_COLUMNS) - 1  # index of the 总计 column of table 3
TABLE4_TOTAL = len(TABLE4_COLUMNS) - 1
# R6 compares 现行有效件数 with last year's plus issued minus repealed; documents amended or lapsing
# in ways the table does not show make this an approximation, so a tolerance can be configured.
R6_TOLERANCE = 0


# --- cells, sums and labels ---


def _value(cell: Cell | None) -> Number | None:
    return cell.value if cell is not None else None


def _cell(cells: list[Cell | None] | None, index: int) -> Cell | None:
    return cells[index] if cells is not None and index < len(cells) else None


def _value3(report: AnnualReport, row: str, column: int) -> Number | None:
    return _value(_cell(report.table3.get(row), column))


def _value4(report: AnnualReport, group: str, column: int) -> Number | None:
    return _value(_cell(report.table4.get(group), column))


def _value2(report: AnnualReport, row: str, column: str) -> Number | None:
    return _value((report.table2.get(row) or {}).get(column))


def _sum_known(values: Iterable[Number | None]) -> Number | None:
    """The sum, or None when any operand is not a known number."""
    total: Number = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def _plus(values: Iterable[Number]) -> str:
    return " + ".join(str(v) for v in values)


_ALL_TABLE3_ROWS = {row.code: row for fmt in FORMATS.values() for row in fmt.table3_rows}
_SHORT_TABLE3_LABELS = {
    "new": "一、本年新收",
    "carried_in": "二、上年结转",
    "partial": "（二）部分公开",
    "carried_out": "四、结转下年度",
}
_SECTION_NAMES = {s.code: f"{s.numeral}、{s.label}" for s in SECTIONS}


def _label3(code: str) -> str:
    """A table 3 row as people read it: numbered sub-rows with their group, e.g. "（三）不予公开 1.属于国家秘密"."""
    if code in _SHORT_TABLE3_LABELS:
        return _SHORT_TABLE3_LABELS[code]
    row = _ALL_TABLE3_ROWS.get(code)
    if row is None:
        return code
    return f"{row.group} {row.label}" if row.label[:1].isdigit() else row.label


def _table3_codes(report: AnnualReport) -> list[str]:
    """The rows of table 3 in printed order: the layout's, then any others the reader kept."""
    layout = report.layout
    codes = [row.code for row in layout.table3_rows] if layout else []
    return codes + [code for code in report.table3 if code not in codes]


def _outcome_codes(report: AnnualReport) -> list[str]:
    layout = report.layout
    return list(layout.outcome_codes) if layout else [c for c in report.table3 if c not in TABLE3_BALANCE_ROWS]


# --- R1–R4: arithmetic of tables 3 and 4 ---


def r1_carry_balance(report: AnnualReport) -> list[Finding]:
    findings = []
    for c, column in enumerate(TABLE3_COLUMNS):
        new, carried_in, total, carried_out = (
            _value3(report, row, c) for row in ("new", "carried_in", "total", "carried_out")
        )
        if None in (new, carried_in, total, carried_out) or new + carried_in == total + carried_out:
            continue
        findings.append(
            Finding(
                "R1",
                ERROR,
                table3_location("carried_out", c),
                f"表三 {column.label}列：{_label3('new')} + {_label3('carried_in')} = {new} + {carried_in} = "
                f"{new + carried_in}，而{_label3('total')} + {_label3('carried_out')} = {total} + {carried_out} = "
                f"{total + carried_out}{TABLE3_NOTE}",
                expected=new + carried_in - total,
                actual=carried_out,
            )
        )
    return findings


def r2_outcome_total(report: AnnualReport) -> list[Finding]:
    findings = []
    codes = _outcome_codes(report)
    for c, column in enumerate(TABLE3_COLUMNS):
        total = _value3(report, "total", c)
        parts = _sum_known(_value3(report, code, c) for code in codes)
        if total is None or parts is None or total == parts:
            continue
        findings.append(
            Finding(
                "R2",
                ERROR,
                table3_location("total", c),
                f"表三 {column.label}列：（七）总计 = {total}，而各项办理结果（予以公开、部分公开、不予公开、"
                f"无法提供、不予处理、其他处理各项）之和 = {parts}",
                expected=parts,
                actual=total,
            )
        )
    return findings


def r3_applicant_total(report: AnnualReport) -> list[Finding]:
    findings, blank_totals = [], []
    for code in _table3_codes(report):
        cells = report.table3.get(code)
        total_cell = _cell(cells, TOTAL)
        parts = [_value(_cell(cells, c)) for c in range(TOTAL)]
        if total_cell is not None and total_cell.is_blank:
            # Some agencies leave 总计 blank in detail rows: not a sum error, reported once below.
            if any(p is not None for p in parts):
                blank_totals.append(_label3(code))
            continue
        total, expected = _value(total_cell), _sum_known(parts)
        if total is None or expected is None or total == expected:
            continue
        findings.append(
            Finding(
                "R3",
                ERROR,
                table3_location(code, TOTAL),
                f"表三“{_label3(code)}”行：总计 = {total}，而六类申请人（自然人、商业企业、科研机构、社会公益组织、"
                f"法律服务机构、其他）之和 = {_plus(parts)} = {expected}",
                expected=expected,
                actual=total,
            )
        )
    if blank_totals:
        findings.append(
            Finding(
                "R3",
                INFO,
                "table3",
                f"表三有 {len(blank_totals)} 行的总计栏空白而申请人各栏有数字（{'、'.join(blank_totals)}），"
                "这些行未核对总计；空白不等于 0",
                actual=len(blank_totals),
            )
        )
    return findings


def r4_review_litigation_total(report: AnnualReport) -> list[Finding]:
    findings = []
    for group in TABLE4_GROUPS:
        parts = [_value4(report, group.code, c) for c in range(TABLE4_TOTAL)]
        total, expected = _value4(report, group.code, TABLE4_TOTAL), _sum_known(parts)
        if total is None or expected is None or total == expected:
            continue
        findings.append(
            Finding(
                "R4",
                ERROR,
                table4_location(group.code, TABLE4_TOTAL),
                f"表四 {group.label}：总计 = {total}，而结果维持 + 结果纠正 + 其他结果 + 尚未审结 = "
                f"{_plus(parts)} = {expected}",
                expected=expected,
                actual=total,
            )
        )
    reviews = _value4(report, "review", TABLE4_TOTAL)
    suits = _value4(report, "litigation_after_review", TABLE4_TOTAL)
    if reviews is not None and suits is not None and suits > reviews:
        # possible (suits after reviews of earlier years or by other bodies), but worth a second look
        findings.append(
            Finding(
                "R4",
                WARNING,
                table4_location("litigation_after_review", TABLE4_TOTAL),
                f"表四：复议后起诉的行政诉讼（{suits}件）多于本年行政复议（{reviews}件），"
                "可能包括往年或其他机关复议后起诉的案件，请核实",
                expected=reviews,
                actual=suits,
            )
        )
    return findings


# --- R5–R6: this year against last year ---


def _previous_problem(report: AnnualReport, previous: AnnualReport) -> Finding | None:
    """Why last year's report cannot be compared with this one, or None when it can."""
    if report.year is None or previous.year is None:
        return Finding("R5", WARNING, "previous", "无法确定本报告或上一年度报告的年份，未比较上年结转数")
    if previous.year != report.year - 1:
        return Finding(
            "R5",
            WARNING,
            "previous",
            f"作为上一年度提供的是 {previous.year} 年的报告，而本报告是 {report.year} 年的，未比较上年结转数",
            expected=report.year - 1,
            actual=previous.year,
        )
    if report.agency and previous.agency and normalize(report.agency) != normalize(previous.agency):
        return Finding(
            "R5",
            WARNING,
            "previous",
            f"上一年度报告的机关（{previous.agency}）与本报告（{report.agency}）不同，未比较上年结转数",
        )
    return None


def r5_carried_over(report: AnnualReport, previous: AnnualReport | None = None) -> list[Finding]:
    if previous is None:
        return []
    problem = _previous_problem(report, previous)
    if problem is not None:
        return [problem]
    findings = []
    for c, column in enumerate(TABLE3_COLUMNS):
        carried_in, before = _value3(report, "carried_in", c), _value3(previous, "carried_out", c)
        if carried_in is None or before is None or carried_in == before:
            continue
        findings.append(
            Finding(
                "R5",
                ERROR,
                table3_location("carried_in", c),
                f"表三 {column.label}列：二、上年结转政府信息公开申请数量 = {carried_in}，"
                f"而 {previous.year} 年报告的四、结转下年度继续办理 = {before}",
                expected=before,
                actual=carried_in,
            )
        )
    return findings


def r6_documents_in_force(report: AnnualReport, previous: AnnualReport | None = None) -> list[Finding]:
    # Mismatched years or agencies are reported once, by R5.
    if previous is None or report.format != FORMAT_2021.code or _previous_problem(report, previous):
        return []
    findings = []
    rows = FORMAT_2021.table2_rows
    for code in ("regulations", "normative_documents"):
        block, row = rows[code]
        issued_label, repealed_label, in_force_label = (c.label for c in block.columns)
        before = _value2(previous, code, "in_force")
        issued, repealed, in_force = (
            _value2(report, code, col) for col in ("issued", "repealed", "in_force")
        )
        if None in (before, issued, repealed, in_force):
            continue
        expected = before + issued - repealed
        if abs(expected - in_force) <= R6_TOLERANCE:
            continue
        findings.append(
            Finding(
                "R6",
                WARNING,
                table2_location(code, in_force_label),
                f"表二“{row.label}”：{in_force_label} = {in_force}，而 {previous.year} 年的{in_force_label} + "
                f"{issued_label} − {repealed_label} = {before} + {issued} − {repealed} = {expected}",
                expected=expected,
                actual=in_force,
            )
        )
    return findings


# --- R7–R8: layout, sections, statistical period ---


def r7_format_year(report: AnnualReport) -> list[Finding]:
    layout = report.layout
    if layout is None or report.year is None:
        if any(f.rule == "R7" and f.location == "format" for f in report.findings):
            return []  # the reader already said it could not tell
        missing = "格式" if layout is None else "年份"
        return [Finding("R7", WARNING, "format", f"无法判断本报告的{missing}，未检查格式是否与年份相符")]
    expected = format_for_year(report.year)
    if expected.code == layout.code:
        return []
    return [
        Finding(
            "R7",
            ERROR,
            "format",
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
        Finding("R8", ERROR, f"section.{s.code}", f"缺少第{s.numeral}部分“{s.numeral}、{s.label}”")
        for s in SECTIONS
        if s.code not in report.sections
    ]
    findings += _period_findings(report)
    findings += _parts_findings(report)
    return findings


def _period_findings(report: AnnualReport) -> list[Finding]:
    for _, text in _texts(report, preamble=True):
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
                WARNING,
                "period",
                f"统计期限写作“{match.group(0)}”，而应为{year}1 月 1 日至 12 月 31 日",
                expected=f"{report.year or ''}年1月1日至12月31日",
                actual=match.group(0),
            )
        ]
    return []


def _parts_findings(report: AnnualReport) -> list[Finding]:
    findings = []
    for sentence in _sentences(_flatten(report.preamble)):
        announced = _PARTS_ANNOUNCED.search(sentence)
        if announced and (n := _to_int(announced.group("n"))) != len(SECTIONS):
            findings.append(
                Finding(
                    "R8",
                    WARNING,
                    "preamble",
                    f"前言称全文共 {n} 部分（“{_quote(sentence, announced)}”），而年度报告应有六部分",
                    expected=len(SECTIONS),
                    actual=n,
                )
            )
        if not _LISTING.search(sentence):
            continue
        key = normalize(sentence)
        listed = [s for s in SECTIONS if any(k in key for k in s.keys + _LISTING_ALIASES.get(s.code, ()))]
        if 3 <= len(listed) < len(SECTIONS):
            missing = "、".join(_SECTION_NAMES[s.code] for s in SECTIONS if s not in listed)
            findings.append(
                Finding(
                    "R8",
                    WARNING,
                    "preamble",
                    f"前言列出的组成部分只有 {len(listed)} 个，未列出：{missing}",
                    expected=len(SECTIONS),
                    actual=len(listed),
                )
            )
    return findings


# --- reading numbers in the narrative text (R9, R10) ---

_FULLWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[。；！？!?;])")
_CHINESE_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_CHINESE_CHARS = "".join(_CHINESE_DIGITS) + "".join(_CHINESE_UNITS)
# A number in running text: Arabic (not part of a decimal or a longer number) or simple Chinese numerals
# (not an ordinal such as 第十一条).
NUMBER = (
    rf"(?:(?<![\d.,])(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?![\d.%]|,\d)"
    rf"|(?<![第{_CHINESE_CHARS}])[{_CHINESE_CHARS}]+(?![{_CHINESE_CHARS}]))"
)
_CLAUSE_END = r"(?=$|[，。；！？,;：:（(])"


def _flatten(text: str) -> str:
    """Text with the spaces and line breaks of PDF extraction removed ("2020 年" -> "2020年").

    Whitespace between two digits stays (as one space) so that separate numbers are not joined.
    """
    text = text.translate(_FULLWIDTH)

    def replace(match: re.Match) -> str:
        s, start, end = match.string, match.start(), match.end()
        between_digits = start > 0 and end < len(s) and s[start - 1].isdigit() and s[end].isdigit()
        return " " if between_digits else ""

    return _SPACE.sub(replace, text)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s]


def _to_int(text: str) -> int:
    text = text.replace(",", "")
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for ch in text:
        if ch in _CHINESE_DIGITS:
            digit = _CHINESE_DIGITS[ch]
        else:
            total += (digit or 1) * _CHINESE_UNITS[ch]
            digit = 0
    return total + digit


def _texts(report: AnnualReport, *, preamble: bool = False) -> Iterator[tuple[str, str]]:
    """(location, flattened text) of the preamble (optionally) and each section present, in order."""
    if preamble:
        yield "preamble", _flatten(report.preamble)
    for code in sorted(report.sections, key=lambda k: (len(k), k)):
        yield f"section.{code}", _flatten(report.sections[code])


def _section_sentences(report: AnnualReport) -> Iterator[tuple[str, str]]:
    for location, text in _texts(report):
        for sentence in _sentences(text):
            yield location, sentence


def _quote(sentence: str, match: re.Match, width: int = 50) -> str:
    """The sentence, or the part of a long sentence around the match."""
    if len(sentence) <= 2 * width + 20:
        return sentence
    start, end = max(0, match.start() - width), min(len(sentence), match.end() + width)
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


def _clause_before(sentence: str, position: int) -> str:
    """The text from the start of the clause (after the last comma) up to position."""
    start = max(sentence.rfind(p, 0, position) for p in "，,；;：:") + 1
    return sentence[start:position]


# --- R9: figures in the text against the tables ---

# Words that show a phrase counts something other than disclosure applications.
_NOT_APPLICATIONS = re.compile(
    r"复议|诉讼|信访|投诉|举报|建议|提案|热线|工单|来信|来访|许可|补正|延期|收费|法人|企业|组织|机构|网上|信函|当面|传真|邮寄"
)
# Words that show a phrase counts some of the cases, or cases the agency handles as the review body.
_NOT_TOTAL_CASES = re.compile(r"纠正|纠错|维持|撤销|败诉|违法|尚未|结转|上年|受理|审理|办理|收到|办结")
_CASES = r"(?:件|起|宗|个|次)"
_BETWEEN = r"(?:总数|总量|数量)?(?:共计|共|总计|合计|为|达)?"
_NEGATION = r"(?:未发生|未出现|没有发生|没有出现|未收到|未接到|未有|未被|没有|不存在|无(?![需须论法]))"

# Between a verb and 申请: words of one clause, none of which names an outcome ("受理的申请中不予公开…").
_MID = r"(?:(?!予|无法|处理|撤回)[^，。；！？,;\d])"
_RECEIVED = re.compile(
    rf"(?<![未不无有])(?P<verb>收到|新收|受理|接收|接到|办理)(?P<mid>{_MID}{{0,20}}?)申请{_BETWEEN}(?P<n>{NUMBER})件"
)
_NONE_RECEIVED = re.compile(
    rf"(?:未|没有|尚未)(?:收到|接到|受理)(?P<mid>[^，。；！？,;\d]{{0,25}}?)申请(?:的?(?:情况|情形|事项))?{_CLAUSE_END}"
)
_CONCLUDED = re.compile(rf"(?<![未尚])办结(?:{_MID}{{0,20}}?申请)?{_BETWEEN}(?P<n>{NUMBER})件")
_GRANTED = re.compile(rf"(?<![不])予以公开(?:的?申请)?{_BETWEEN}(?P<n>{NUMBER})件")
_REVIEW = re.compile(rf"(?<!复议后)行政复议(?:案件|申请)?{_BETWEEN}(?P<n>{NUMBER}){_CASES}")
_LITIGATION = re.compile(rf"行政诉讼(?:案件)?{_BETWEEN}(?P<n>{NUMBER}){_CASES}")
_SUFFIX = r"(?:申请|案件)?(?:的?(?:情况|情形|案件|事项|案例))?"
_NO_REVIEW = re.compile(
    rf"{_NEGATION}(?P<mid>[^，。；！？,;\d]{{0,20}}?)行政复议"
    rf"(?:(?:[、和或及与]|以及)(?:被)?(?:提起)?行政诉讼)?{_SUFFIX}{_CLAUSE_END}"
)
_NO_LITIGATION = re.compile(rf"{_NEGATION}(?P<mid>[^，。；！？,;\d]{{0,30}}?)行政诉讼{_SUFFIX}{_CLAUSE_END}")


class _Figure(NamedTuple):
    label: str
    value: Number | None


def _new(report: AnnualReport) -> _Figure:
    return _Figure("表三 一、本年新收政府信息公开申请数量（总计）", _value3(report, "new", TOTAL))


def _new_and_carried(report: AnnualReport) -> _Figure:
    value = _sum_known([_value3(report, "new", TOTAL), _value3(report, "carried_in", TOTAL)])
    return _Figure("表三 一、本年新收 + 二、上年结转（总计）", value)


def _concluded(report: AnnualReport) -> _Figure:
    return _Figure("表三（七）总计（总计栏）", _value3(report, "total", TOTAL))


def _granted(report: AnnualReport) -> _Figure:
    return _Figure("表三（一）予以公开（总计）", _value3(report, "granted", TOTAL))


def _review(report: AnnualReport) -> _Figure:
    return _Figure("表四 行政复议总计", _value4(report, "review", TABLE4_TOTAL))


def _litigation(report: AnnualReport) -> _Figure:
    value = _sum_known(
        _value4(report, g, TABLE4_TOTAL) for g in ("litigation_direct", "litigation_after_review")
    )
    return _Figure("表四 行政诉讼（未经复议直接起诉、复议后起诉）总计之和", value)


class _Claim(NamedTuple):
    """A phrase that states a table figure: its pattern and the figures it may mean (the first is reported)."""

    pattern: re.Pattern
    figures: Callable[[AnnualReport, re.Match, str], list[_Figure]]
    # the phrase counts applications: the sentence must be about them and the clause about nothing else
    about_applications: bool = False
    # the phrase counts all cases: the clause must not be about one outcome
    about_all_cases: bool = False


def _received_figures(report: AnnualReport, match: re.Match, sentence: str) -> list[_Figure]:
    after = sentence[match.end() : match.end() + 4]
    including_carried = after.startswith(("（含上年", "(含上年"))
    if match.group("verb") == "办理":  # 办理 may mean received or concluded
        return [_new(report), _concluded(report), _new_and_carried(report)]
    return [_new(report), _new_and_carried(report)] if including_carried else [_new(report)]


_CLAIMS = (
    _Claim(_RECEIVED, _received_figures, about_applications=True),
    _Claim(_NONE_RECEIVED, lambda r, m, s: [_new(r)], about_applications=True),
    _Claim(_CONCLUDED, lambda r, m, s: [_concluded(r)], about_applications=True),
    _Claim(_GRANTED, lambda r, m, s: [_granted(r)], about_applications=True),
    _Claim(_REVIEW, lambda r, m, s: [_review(r)], about_all_cases=True),
    _Claim(_LITIGATION, lambda r, m, s: [_litigation(r)], about_all_cases=True),
    _Claim(_NO_REVIEW, lambda r, m, s: [_review(r)], about_all_cases=True),
    _Claim(_NO_LITIGATION, lambda r, m, s: [_litigation(r)], about_all_cases=True),
)


def _stated(match: re.Match) -> int:
    """The number a phrase states; phrases without one ("未收到…申请") state zero."""
    return _to_int(match.group("n")) if "n" in match.re.groupindex else 0


def _claim_applies(claim: _Claim, match: re.Match, sentence: str, location: str) -> bool:
    context = _clause_before(sentence, match.start()) + match.group(0)
    if claim.about_applications:
        return "申请" in sentence and not _NOT_APPLICATIONS.search(context)
    if claim.about_all_cases:
        # outside section 四, review and litigation may be about any matter, not disclosure
        about_disclosure = location == "section.4" or "公开" in sentence
        return about_disclosure and not _NOT_TOTAL_CASES.search(context)
    return True


def r9_text_vs_tables(report: AnnualReport) -> list[Finding]:
    findings = []
    for location, sentence in _section_sentences(report):
        for claim in _CLAIMS:
            for match in claim.pattern.finditer(sentence):
                if not _claim_applies(claim, match, sentence, location):
                    continue
                figures = claim.figures(report, match, sentence)
                stated = _stated(match)
                if any(f.value is None for f in figures) or any(f.value == stated for f in figures):
                    continue
                figure = figures[0]
                findings.append(
                    Finding(
                        "R9",
                        ERROR,
                        location,
                        f"正文“{_quote(sentence, match)}”中“{match.group(0)}”为 {stated}，"
                        f"而{figure.label}为 {figure.value}",
                        expected=figure.value,
                        actual=stated,
                    )
                )
    return findings


# --- R10: a stated total against the parts the same sentence lists ---

_UNITS = "人次|场次|条|件|项|个|篇|期|次|场|家|起|宗|份|人|名|批"
_COUNT = re.compile(rf"(?P<n>{NUMBER})(?P<more>余|多)?(?P<unit>{_UNITS})")
_APPROXIMATE_BEFORE = re.compile(r"[近约超逾]过?$")
_APPROXIMATE_AFTER = ("以上", "左右", "余")
_PARENTHESISED = re.compile(r"[（(][^（）()]*[）)]")
# The total is the last count before 其中, at most this many characters before it ("共380条财政资金信息，其中").
_TOTAL_REACH = 12


def _approximate(text: str, match: re.Match) -> bool:
    return bool(
        match.group("more")
        or _APPROXIMATE_BEFORE.search(text[max(0, match.start() - 2) : match.start()])
        or text.startswith(_APPROXIMATE_AFTER, match.end())
    )


def _without_parentheses(text: str) -> str:
    """Text without parenthesised remarks: they break a part down further ("197条（政府预决算32条…）")."""
    while True:
        shorter = _PARENTHESISED.sub("", text)
        if shorter == text:
            return text
        text = shorter


def _total_and_parts(sentence: str) -> Iterator[tuple[re.Match, list[re.Match]]]:
    """For each 其中 of a sentence: the count stated just before it and the counts listed after it."""
    marks = [m.start() for m in re.finditer("其中", sentence)]
    for i, at in enumerate(marks):
        head = _without_parentheses(sentence[:at])
        counts = list(_COUNT.finditer(head))
        if not counts:
            continue
        total = counts[-1]
        gap = head[total.end() :]
        if len(gap) > _TOTAL_REACH or re.search(r"\d", gap) or _approximate(head, total):
            continue
        end = marks[i + 1] if i + 1 < len(marks) else len(sentence)
        tail = _without_parentheses(sentence[at + 2 : end])
        parts = [m for m in _COUNT.finditer(tail) if m.group("unit") == total.group("unit")]
        if len(parts) < 2 or any(_approximate(tail, m) for m in parts):
            continue
        yield total, parts


def r10_text_parts(report: AnnualReport) -> list[Finding]:
    findings = []
    for location, sentence in _section_sentences(report):
        for total, parts in _total_and_parts(sentence):
            stated, values = _to_int(total.group("n")), [_to_int(m.group("n")) for m in parts]
            if stated == sum(values):
                continue
            unit = total.group("unit")
            findings.append(
                Finding(
                    "R10",
                    WARNING,
                    location,
                    f"正文“{_quote(sentence, total, width=80)}”：总数为 {stated} {unit}，"
                    f"而其中所列各项之和为 {_plus(values)} = {sum(values)} {unit}",
                    expected=stated,
                    actual=sum(values),
                )
            )
    return findings


# --- R11: every cell a number of the right kind, every table complete ---


def _covered(report: AnnualReport, location: str) -> bool:
    """Whether the reader already reported an R11 finding about this location, its table or row, or a part of it."""

    def related(a: str, b: str) -> bool:
        return a == b or a.startswith((b + ".", b + "["))

    return any(
        f.rule == "R11" and (related(location, f.location) or related(f.location, location))
        for f in report.findings
    )


def _cell_problem(cell: Cell, kind: str) -> str | None:
    """What is wrong with a cell that holds text, or None (numbers of the right kind, blanks and dashes)."""
    value = cell.value
    if value is None:
        return None if cell.is_blank or cell.is_dash else "不是数字"
    if kind != "money" and isinstance(value, Decimal):
        return "不是整数"
    if kind != "signed" and value < 0:
        return "是负数"
    return None


class _Row(NamedTuple):
    code: str
    label: str
    missing: bool
    # (cell or None when unread, its column, its location)
    cells: list[tuple[Cell | None, Column, str]]


class _TableCheck:
    """Collects R11 findings of one table: unreadable rows, bad cells, and cells that are not numbers."""

    def __init__(self, report: AnnualReport, table: str, name: str):
        self.report, self.table, self.name = report, table, name
        self.findings: list[Finding] = []
        self.not_numbers: list[str] = []
        self.blanks = 0

    def add(self, location: str, message: str) -> None:
        if not _covered(self.report, location):
            self.findings.append(Finding("R11", ERROR, location, message))

    def cell(self, cell: Cell, kind: str, location: str, label: str) -> None:
        problem = _cell_problem(cell, kind)
        if problem:
            allowed = {"count": "非负整数", "signed": "整数", "money": "非负金额"}[kind]
            self.add(location, f"{self.name} {label}：“{cell.raw}”{problem}，应为{allowed}")
        elif cell.value is None:
            self.not_numbers.append(label)
            self.blanks += cell.is_blank

    def summary(self, severity: str) -> list[Finding]:
        if not self.not_numbers:
            return self.findings
        n, shown = (
            len(self.not_numbers),
            "、".join(self.not_numbers[:8]) + ("等" if len(self.not_numbers) > 8 else ""),
        )
        message = (
            f"{self.name}有 {n} 个单元格不是数字（空白 {self.blanks} 个，“/”“—”等 {n - self.blanks} 个）：{shown}；"
            "空白或“/”不等于 0，涉及这些单元格的合计未核对"
        )
        return [*self.findings, Finding("R11", severity, self.table, message, actual=n)]


def _check_table(report: AnnualReport, table: str, name: str, title: str, rows: list[_Row], severity: str):
    """R11 for one table; `severity` is that of the summary of cells that are not numbers."""
    check = _TableCheck(report, table, name)
    unread = {row.code: sum(1 for cell, _, _ in row.cells if cell is None) for row in rows}
    if all(row.missing or unread[row.code] == len(row.cells) for row in rows):
        check.add(table, f"未能读出{name}（{title}），{name}各项未知")
        return check.findings
    for row in rows:
        if row.missing:
            check.add(f"{table}.{row.code}", f"{name}缺少“{row.label}”一行，该行各项未知")
            continue
        if unread[row.code]:
            check.add(
                f"{table}.{row.code}",
                f"{name}“{row.label}”一行未能完整读出（{unread[row.code]} 个单元格未知）",
            )
        for cell, column, location in row.cells:
            if cell is not None:
                check.cell(cell, column.kind, location, f"{row.label}/{column.label}")
    return check.summary(severity)


def _r11_table3(report: AnnualReport) -> list[Finding]:
    rows = []
    for code in _table3_codes(report):
        cells = report.table3.get(code)
        located = [
            (_cell(cells, c), column, table3_location(code, c)) for c, column in enumerate(TABLE3_COLUMNS)
        ]
        rows.append(_Row(code, _label3(code), cells is None, located))
    return _check_table(report, "table3", "表三", "收到和处理政府信息公开申请情况", rows, WARNING)


def _r11_table4(report: AnnualReport) -> list[Finding]:
    rows = []
    for group in TABLE4_GROUPS:
        cells = report.table4.get(group.code)
        located = [
            (_cell(cells, c), column, table4_location(group.code, c))
            for c, column in enumerate(TABLE4_COLUMNS)
        ]
        rows.append(_Row(group.code, group.label, cells is None, located))
    return _check_table(report, "table4", "表四", "行政复议、行政诉讼情况", rows, WARNING)


def _r11_table2(report: AnnualReport) -> list[Finding]:
    layout = report.layout
    if layout is None:  # which rows and columns to expect cannot be told (R7 says so)
        return []
    rows = []
    for block in layout.table2:
        for row in block.rows:
            cells = report.table2.get(row.code)
            located = [
                ((cells or {}).get(column.code), column, table2_location(row.code, column.label))
                for column in block.columns
            ]
            rows.append(_Row(row.code, row.label, cells is None, located))
    # Table 2 often holds "/" for items an agency does not have: worth knowing, not a warning.
    return _check_table(report, "table2", "表二", "主动公开政府信息情况", rows, INFO)


def r11_cells(report: AnnualReport) -> list[Finding]:
    return _r11_table2(report) + _r11_table3(report) + _r11_table4(report)


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
_USES_PREVIOUS = frozenset({"R5", "R6"})


def check(report: AnnualReport, *, previous: AnnualReport | None = None) -> list[Finding]:
    """The reader's findings followed by those of every rule, in rule order."""
    findings = list(report.findings)
    for rule_id, rule in RULES.items():
        findings += rule.check(report, previous) if rule_id in _USES_PREVIOUS else rule.check(report)
    return findings
