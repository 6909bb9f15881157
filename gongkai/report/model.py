"""The annual report as data: what a reader produces, the rules check and a writer prints.

A cell keeps a number, a blank, `0`, `/` and `—` apart and remembers the text it was read from.
A cell that could not be read at all is `None` in its table ("unknown"): never a guessed number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from gongkai.report.formats import (
    FORMATS,
    TABLE3_COLUMNS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Format,
)

SCHEMA = "gongkai.annual-report/1"

Number = int | Decimal

# A cell or a figure in the text with more digits than this states no number a report could mean (and
# would fit neither a JSON number nor Python's conversion of digits to int, limited to 4,300 of them).
MAX_DIGITS = 300

DASHES = frozenset({"/", "／", "—", "——", "-", "－", "–", "─", "\\", "无"})
_NUMBER = re.compile(r"^([+\-－]?)\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(万元|元|件|条|个|项|宗|万|次)?$")
_NUMBER_START = frozenset("0123456789０１２３４５６７８９+-－＋")
_FULLWIDTH = str.maketrans("０１２３４５６７８９，．＋", "0123456789,.+")


def parse_number(text: str) -> Number | None:
    """The number a cell's text states, or None when it states none (blank, dash, words)."""
    if text.isdigit() and text.isascii() and len(text) <= MAX_DIGITS:
        return int(text)
    text = text.strip()
    if not text or text[0] not in _NUMBER_START:
        return None
    match = _NUMBER.match(text.translate(_FULLWIDTH))
    if not match:
        return None
    sign, digits, fraction, _unit = match.groups()
    digits = digits.replace(",", "")
    if len(digits) > MAX_DIGITS:
        return None
    negative = sign in ("-", "－")
    try:
        value: Number = Decimal(digits + fraction) if fraction else int(digits)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    return -value if negative else value


@dataclass(frozen=True)
class Cell:
    raw: str
    # derived from raw once: the rules read values many times
    value: Number | None = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "value", parse_number(self.raw))

    @property
    def is_blank(self) -> bool:
        return not self.raw.strip()

    @property
    def is_dash(self) -> bool:
        return self.raw.strip() in DASHES

    @classmethod
    def of(cls, value: Number | str | None) -> Cell:
        if value is None:
            return cls("")
        return cls(str(value))


# A table row: one Cell per column, None where the cell could not be read.
Cells = list[Cell | None]


class Severity(StrEnum):
    """How serious a finding is. The value is the published string of the data format ("error", …),
    `label` what people read, and the order of the members the order findings are listed in."""

    ERROR = "error", "错误"
    WARNING = "warning", "警告"
    INFO = "info", "提示"

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @property
    def order(self) -> int:
        """0 for the most serious: sort findings by it."""
        return _SEVERITY_ORDER[self]


_SEVERITY_ORDER = {severity: n for n, severity in enumerate(Severity)}


# kind, then ".item", then "[column]": the published string form of a Location
_LOCATION = re.compile(r"(?P<kind>[^.\[\]]+)(?:\.(?P<item>[^\[]+))?(?:\[(?P<column>.+)\])?", re.DOTALL)


@dataclass(frozen=True)
class Location:
    """Where in a report a finding is: a table, one of its rows (or groups) and a column, a section, or
    another part of the report.

    Its string form is the published one (docs/data-format.md): "table3.carried_out[总计]",
    "table2.regulations", "table4", "section.5", "format", "period", "preamble", "previous".
    """

    # "table2" | "table3" | "table4" | "section" | "format" | "period" | "preamble" | "previous"
    kind: str
    # the row code (tables 2 and 3), the group code (table 4) or the section code ("1".."6")
    item: str | None = None
    # the column label as printed, e.g. "总计", "现行有效件数"
    column: str | None = None

    def __post_init__(self):
        # every location has one string form and reads back from it: parts that would not are refused
        match = _LOCATION.fullmatch(str(self))
        if match is None or match.groupdict() != {
            "kind": self.kind,
            "item": self.item,
            "column": self.column,
        }:
            raise ValueError(f"不是有效的位置：{self.kind!r} {self.item!r} {self.column!r}")

    def __str__(self) -> str:
        text = self.kind if self.item is None else f"{self.kind}.{self.item}"
        return text if self.column is None else f"{text}[{self.column}]"

    @classmethod
    def parse(cls, text: str) -> Location:
        """The location a published string names: the reverse of str()."""
        match = _LOCATION.fullmatch(text)
        if match is None:
            raise ValueError(f"不是有效的位置：{text!r}")
        return cls(**match.groupdict())

    @classmethod
    def table2(cls, row: str | None = None, column: str | None = None) -> Location:
        """Table 2, a row of it, or a cell: `column` is the column label."""
        return cls("table2", row, column)

    @classmethod
    def table3(cls, row: str | None = None, column: int | None = None) -> Location:
        """Table 3, a row of it, or a cell: `column` indexes TABLE3_COLUMNS."""
        return cls("table3", row, None if column is None else TABLE3_COLUMNS[column].label)

    @classmethod
    def table4(cls, group: str | None = None, column: int | None = None) -> Location:
        """Table 4, a group of it, or a cell: `column` indexes TABLE4_COLUMNS."""
        return cls("table4", group, None if column is None else TABLE4_COLUMNS[column].label)

    @classmethod
    def section(cls, code: str) -> Location:
        return cls("section", code)

    def contains(self, other: Location) -> bool:
        """Whether `other` is this location or a part of it (a row of this table, a cell of this row)."""
        return (
            self.kind == other.kind
            and (self.item is None or self.item == other.item)
            and (self.column is None or self.column == other.column)
        )


@dataclass
class Finding:
    rule: str
    severity: Severity  # a str of a Severity is accepted and converted
    location: Location  # a str in the published form is accepted and parsed
    message: str
    expected: object = None
    actual: object = None

    def __post_init__(self):
        self.severity = Severity(self.severity)
        if isinstance(self.location, str):
            self.location = Location.parse(self.location)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "location": str(self.location),
            "message": self.message,
            "expected": _json_value(self.expected),
            "actual": _json_value(self.actual),
        }


@dataclass
class AnnualReport:
    format: str | None = None  # "2019" | "2021" | None when it cannot be told
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    source: str | None = None
    preamble: str = ""
    # "1".."6" -> text of the section without its heading; a missing key = section not found
    sections: dict[str, str] = field(default_factory=dict)
    # row code -> column code -> Cell (None = not read)
    table2: dict[str, dict[str, Cell | None]] = field(default_factory=dict)
    # row code -> 7 cells (TABLE3_COLUMNS); a missing row = not read
    table3: dict[str, Cells] = field(default_factory=dict)
    # group code -> 5 cells (TABLE4_COLUMNS)
    table4: dict[str, Cells] = field(default_factory=dict)
    # what the reader noticed while reading (cut-off tables, stray cells); the rules add theirs
    findings: list[Finding] = field(default_factory=list)

    @property
    def layout(self) -> Format | None:
        return FORMATS.get(self.format or "")

    def value3(self, row: str, column: int) -> Number | None:
        cells = self.table3.get(row) or []
        cell = cells[column] if column < len(cells) else None
        return cell.value if cell else None

    def text(self) -> str:
        """All narrative text: preamble and the six sections."""
        return "\n".join([self.preamble, *(self.sections.get(str(i), "") for i in range(1, 7))])

    # --- the published data format (docs/data-format.md) ---

    def as_dict(self, *, findings: list[Finding] | None = None) -> dict:
        table2 = {
            row: dict(zip(cols, _values(cols.values()), strict=True)) for row, cols in self.table2.items()
        }
        raw2 = {row: dict(zip(cols, _raws(cols.values()), strict=True)) for row, cols in self.table2.items()}
        return {
            "schema": SCHEMA,
            "source": self.source,
            "agency": self.agency,
            "year": self.year,
            "format": self.format,
            "title": self.title,
            "preamble": self.preamble,
            "sections": dict(self.sections),
            "table2": table2,
            "table3": {row: _values(cells) for row, cells in self.table3.items()},
            "table4": {group: _values(cells) for group, cells in self.table4.items()},
            "raw": {
                "table2": raw2,
                "table3": {row: _raws(cells) for row, cells in self.table3.items()},
                "table4": {group: _raws(cells) for group, cells in self.table4.items()},
            },
            "findings": [f.as_dict() for f in (self.findings if findings is None else findings)],
        }

    @classmethod
    def from_dict(cls, data: dict) -> AnnualReport:
        """The report in the published data format; InvalidReportData (a ValueError) names every problem
        of data that is not in it (gongkai.report.data)."""
        from gongkai.report.data import InvalidReportData, problems_in

        problems = problems_in(data)
        if problems:
            raise InvalidReportData(problems)
        raw = data.get("raw") or {}
        raw2, raw3, raw4 = (raw.get(table) or {} for table in ("table2", "table3", "table4"))

        def cells(values: list, raws: list | None) -> Cells:
            raws = raws or [None] * len(values)
            return [_cell(v, r) for v, r in zip(values, raws, strict=True)]

        return cls(
            format=data.get("format"),
            agency=data.get("agency"),
            year=data.get("year"),
            title=data.get("title"),
            source=data.get("source"),
            preamble=data.get("preamble") or "",
            sections=dict(data.get("sections") or {}),
            table2={
                row: {col: _cell(v, (raw2.get(row) or {}).get(col)) for col, v in cols.items()}
                for row, cols in (data.get("table2") or {}).items()
            },
            table3={row: cells(v, raw3.get(row)) for row, v in (data.get("table3") or {}).items()},
            table4={g: cells(v, raw4.get(g)) for g, v in (data.get("table4") or {}).items()},
            findings=[Finding(**f) for f in data.get("findings") or []],
        )


def _cell(value, raw: str | None) -> Cell | None:
    if raw is not None:
        return Cell(raw)
    if value is None:
        return None
    # a float as the digits it stands for: 1e+21 is 1000000000000000000000, 0.1 is 0.1
    return Cell.of(format(Decimal(repr(value)), "f") if isinstance(value, float) else value)


def _json_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    return value


def _values(cells) -> list:
    return [_json_value(c.value) if c else None for c in cells]


def _raws(cells) -> list:
    return [c.raw if c else None for c in cells]


def empty_report(fmt: Format, **meta) -> AnnualReport:
    """A report of the given layout with every cell blank: the starting point of a writer or a builder."""
    report = AnnualReport(format=fmt.code, **meta)
    report.table2 = {
        row.code: {c.code: Cell("") for c in block.columns} for block in fmt.table2 for row in block.rows
    }
    report.table3 = {row.code: [Cell("") for _ in TABLE3_COLUMNS] for row in fmt.table3_rows}
    report.table4 = {g.code: [Cell("") for _ in TABLE4_COLUMNS] for g in TABLE4_GROUPS}
    return report
