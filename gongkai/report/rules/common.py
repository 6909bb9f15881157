"""Shared helpers of the rules: known values of cells, sums that skip unknowns, labels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from gongkai.report.formats import (
    FORMATS,
    SECTIONS,
    TABLE3_BALANCE_ROWS,
    TABLE3_COLUMNS,
    TABLE4_COLUMNS,
)
from gongkai.report.model import (
    MAX_DIGITS,
    AnnualReport,
    Cell,
    Location,
    Number,
)

TOTAL = len(TABLE3_COLUMNS) - 1  # index of the 总计 column of table 3
TABLE4_TOTAL = len(TABLE4_COLUMNS) - 1
# R6 compares 现行有效件数 with last year's plus issued minus repealed; documents amended or lapsing
# in ways the table does not show make this an approximation, so a tolerance can be configured.
R6_TOLERANCE = 0


# --- cells, sums and labels ---


def value_of(cell: Cell | None) -> Number | None:
    return cell.value if cell is not None else None


def cell_at(cells: list[Cell | None] | None, index: int) -> Cell | None:
    return cells[index] if cells is not None and index < len(cells) else None


def value3(report: AnnualReport, row: str, column: int) -> Number | None:
    return value_of(cell_at(report.table3.get(row), column))


def value4(report: AnnualReport, group: str, column: int) -> Number | None:
    return value_of(cell_at(report.table4.get(group), column))


def value2(report: AnnualReport, row: str, column: str) -> Number | None:
    return value_of((report.table2.get(row) or {}).get(column))


def sum_known(values: Iterable[Number | None]) -> Number | None:
    """The sum, or None when any operand is not a known number."""
    total: Number = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def plus_text(values: Iterable[Number]) -> str:
    return " + ".join(str(v) for v in values)


ALL_TABLE3_ROWS = {row.code: row for fmt in FORMATS.values() for row in fmt.table3_rows}
SHORT_TABLE3_LABELS = {
    "new": "一、本年新收",
    "carried_in": "二、上年结转",
    "partial": "（二）部分公开",
    "carried_out": "四、结转下年度",
}
SECTION_NAMES = {s.code: f"{s.numeral}、{s.label}" for s in SECTIONS}


def label3(code: str) -> str:
    """A table 3 row as people read it: numbered sub-rows with their group, e.g. "（三）不予公开 1.属于国家秘密"."""
    if code in SHORT_TABLE3_LABELS:
        return SHORT_TABLE3_LABELS[code]
    row = ALL_TABLE3_ROWS.get(code)
    if row is None:
        return code
    return f"{row.group} {row.label}" if row.label[:1].isdigit() else row.label


def table3_codes(report: AnnualReport) -> list[str]:
    """The rows of table 3 in printed order: the layout's, then any others the reader kept."""
    layout = report.layout
    codes = [row.code for row in layout.table3_rows] if layout else []
    return codes + [code for code in report.table3 if code not in codes]


def outcome_codes_of(report: AnnualReport) -> list[str]:
    layout = report.layout
    return (
        list(layout.outcome_codes) if layout else [c for c in report.table3 if c not in TABLE3_BALANCE_ROWS]
    )


# --- reading numbers in the narrative text ---

_FULLWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[。；！？!?;])")
_CHINESE_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_CHINESE_CHARS = "".join(_CHINESE_DIGITS) + "".join(_CHINESE_UNITS)
# A number in running text: Arabic (not part of a decimal or a longer number) or simple Chinese numerals
# (not an ordinal such as 第十一条). A run of more than MAX_DIGITS digits is no figure: it is not read.
NUMBER = (
    rf"(?:(?<![\d.,])(?:\d{{1,3}}(?:,\d{{3}}){{1,{MAX_DIGITS // 3}}}|\d{{1,{MAX_DIGITS}}})(?![\d.%]|,\d)"
    rf"|(?<![第{_CHINESE_CHARS}])[{_CHINESE_CHARS}]+(?![{_CHINESE_CHARS}]))"
)
CLAUSE_END = r"(?=$|[，。；！？,;：:（(])"


def flatten(text: str) -> str:
    """Text with the spaces and line breaks of PDF extraction removed ("2020 年" -> "2020年").

    Whitespace between two digits stays (as one space) so that separate numbers are not joined.
    """
    text = text.translate(_FULLWIDTH)

    def replace(match: re.Match) -> str:
        s, start, end = match.string, match.start(), match.end()
        between_digits = start > 0 and end < len(s) and s[start - 1].isdigit() and s[end].isdigit()
        return " " if between_digits else ""

    return _SPACE.sub(replace, text)


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s]


def to_int(text: str) -> int:
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


def texts_of(report: AnnualReport, *, preamble: bool = False) -> Iterator[tuple[Location, str]]:
    """(location, flattened text) of the preamble (optionally) and each section present, in order."""
    if preamble:
        yield Location("preamble"), flatten(report.preamble)
    for code in sorted(report.sections, key=lambda k: (len(k), k)):
        yield Location.section(code), flatten(report.sections[code])


def section_sentences(report: AnnualReport) -> Iterator[tuple[Location, str]]:
    for location, text in texts_of(report):
        for sentence in split_sentences(text):
            yield location, sentence


def quote_match(sentence: str, match: re.Match, width: int = 50) -> str:
    """The sentence, or the part of a long sentence around the match."""
    if len(sentence) <= 2 * width + 20:
        return sentence
    start, end = max(0, match.start() - width), min(len(sentence), match.end() + width)
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")
