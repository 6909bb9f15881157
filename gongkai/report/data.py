"""The published data format read back: what is wrong with a JSON object that should hold a report.

`problems_in(data)` lists every problem of the object's structure, one line each in Chinese that names
where it is ("table3.new[2]：应为数字或 null，实为数组"), in the order of the format's keys.
`AnnualReport.from_dict` refuses data that has any. Only the structure is checked here, and that each
number agrees with the cell text it was read from (`raw`); whether the figures add up is for the rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from gongkai.report.formats import FORMATS, TABLE3_COLUMNS, TABLE4_COLUMNS, TABLE4_GROUPS, Format
from gongkai.report.model import MAX_DIGITS, SCHEMA, Location, Severity, parse_number

KEYS = (
    "schema",
    "source",
    "agency",
    "year",
    "format",
    "title",
    "preamble",
    "sections",
    "table2",
    "table3",
    "table4",
    "raw",
    "findings",
)
FINDING_KEYS = ("rule", "severity", "location", "message", "expected", "actual")
SECTION_CODES = ("1", "2", "3", "4", "5", "6")
EXTRA_ROW = "extra."  # rows a province adds to table 2, kept under "extra.<label as printed>"
# what `gongkai check --json` prints for a file it could not read or skipped: a record, not a report
CHECK_RECORD_KEYS = ("error", "skipped")
_SHOWN = 20  # characters of a string value quoted in a problem
_TOO_LARGE = 10**MAX_DIGITS


class InvalidReportData(ValueError):
    """Data that is not the published format; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"不是有效的年度报告数据，有 {len(problems)} 处问题")


def problems_in(data: object) -> list[str]:
    """Every problem of `data` as the published data format (docs/data-format.md); [] when it has none."""
    if not isinstance(data, dict):
        return [f"应为 JSON 对象，实为{describe(data)}"]
    if "schema" not in data:
        return [f"schema：缺少此键（应为“{SCHEMA}”）"]
    if data["schema"] != SCHEMA:
        # another format altogether: listing how else it differs would only bury this line
        return [f"schema：应为“{SCHEMA}”，实为{describe(data['schema'])}"]
    if any(key in data for key in CHECK_RECORD_KEYS):
        return ["这是 gongkai check 对无法读取或已跳过的文件所作的记录，不是报告数据"]
    # text that cannot be written out as UTF-8 would break every line that quotes it: named alone
    return _unpaired_surrogates(data) or _Checker(data).run()


def _unpaired_surrogates(data: dict) -> list[str]:
    """Keys and strings holding half of a UTF-16 pair, as JSON's "\\ud800" escape can write them."""
    problems = []
    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:  # not recursive: the data may be nested as deep as JSON allows
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                stack.append((value, (*path, key)))
                if _SURROGATE.search(key):
                    problems.append(_surrogate_problem((*path, key), key))
        elif isinstance(node, list):
            stack.extend((value, (*path, i)) for i, value in enumerate(node))
        elif isinstance(node, str) and _SURROGATE.search(node):
            problems.append(_surrogate_problem(path, node))
    return sorted(set(problems))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_problem(path: tuple, text: str) -> str:
    char = _SURROGATE.search(text).group(0)
    return f"{printable(path_text(path))}：含有无效的字符（不成对的 UTF-16 代理项 {printable(char)}）"


def path_text(parts: tuple) -> str:
    """("table3", "new", 2) -> "table3.new[2]": where in the data a problem is."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def printable(text: str) -> str:
    """Text with unpaired surrogates written as escapes (\\ud800), so that it can be printed."""
    return text.encode("utf-8", errors="backslashreplace").decode("utf-8")


def describe(value: object) -> str:
    """A JSON value as a problem names it after 实为: its kind, and short values themselves (a literal
    such as null after a space, as Latin words stand in Chinese text)."""
    if value is None:
        return " null"
    if value is True or value is False:
        return " true" if value else " false"
    if isinstance(value, float):
        if math.isnan(value):
            return " NaN"
        if math.isinf(value):
            return " Infinity" if value > 0 else " -Infinity"
        return f"数字 {value!r}"
    if isinstance(value, int):
        return f"数字 {_int_text(value)}"
    if isinstance(value, str):
        return f"字符串{_quote(value)}"
    if isinstance(value, list):
        return "数组"
    if isinstance(value, dict):
        return "对象"
    return f" {type(value).__name__}"  # not from JSON: a caller's Python object


def _int_text(value: int) -> str:
    if value.bit_length() <= 64:
        return str(value)
    # str() refuses more than 4,300 digits; the count of digits is what matters here anyway
    digits = len(str(abs(value))) if value.bit_length() < 14_000 else None
    return f"（{digits} 位）" if digits else "（位数过多）"


def _quote(text: str) -> str:
    """“text”, on one line, its start only when it is long."""
    shown = text if len(text) <= _SHOWN else text[:_SHOWN] + f"…（共 {len(text)} 个字符）"
    return "“" + shown.replace("\r", "\\r").replace("\n", "\\n") + "”"


def _is_finite_number(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """One pass over a report's data. A key may be left out; a key that is there holds a value of its
    kind. `null` stands for "none" where the format allows it: the metadata, a cell, a cell's text, and
    a whole table, `sections`, `raw` or `findings` (as if left out)."""

    def __init__(self, data: dict):
        self.data = data
        self.problems: list[str] = []
        fmt = data.get("format")
        self.layout: Format | None = FORMATS.get(fmt) if isinstance(fmt, str) else None
        self.layouts = [self.layout] if self.layout else list(FORMATS.values())
        self.of_layout = f" {self.layout.code} 年版" if self.layout else ""

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}：{message}")

    def run(self) -> list[str]:
        data = self.data
        for key in data:
            if key not in KEYS:
                self.add(key, f"不是本格式的键（本格式的键：{'、'.join(KEYS)}）")
        for key in ("source", "agency", "title", "preamble"):
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                self.add(key, f"应为字符串或 null，实为{describe(value)}")
        year = data.get("year")
        if year is not None and not (_is_int(year) and 0 <= year <= 9999):
            self.add("year", f"应为整数年份或 null，实为{describe(year)}")
        fmt = data.get("format")
        if fmt is not None and not (isinstance(fmt, str) and fmt in FORMATS):
            self.add("format", f"应为{''.join(f'“{code}”' for code in FORMATS)}或 null，实为{describe(fmt)}")
        self.sections(data.get("sections"))
        raw = self.container("raw", data.get("raw"), "各表单元格的原文")
        for key in raw:
            if key not in ("table2", "table3", "table4"):
                self.add(f"raw.{key}", "不是本格式的键（raw 只有 table2、table3、table4）")
        self.table2(data.get("table2"), raw.get("table2"))
        self.table3(data.get("table3"), raw.get("table3"))
        self.table4(data.get("table4"), raw.get("table4"))
        self.findings(data.get("findings"))
        return self.problems

    def container(self, where: str, value: object, what: str) -> dict:
        """An object that may be null or left out (then empty)."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(where, f"应为对象（{what}），实为{describe(value)}")
            return {}
        return value

    def sections(self, sections: object) -> None:
        for code, text in self.container("sections", sections, "章节编号 → 正文").items():
            if code not in SECTION_CODES:
                self.add(f"sections.{code}", "不是章节编号（1–6）")
            elif not isinstance(text, str):
                self.add(f"sections.{code}", f"应为字符串，实为{describe(text)}")

    # --- tables ---

    def table2(self, table: object, raw: object) -> None:
        columns_of: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        for layout in self.layouts:
            for block in layout.table2:
                for row in block.rows:
                    known = columns_of.setdefault(row.code, [])
                    known += [c.code for c in block.columns if c.code not in known]
                    labels[row.code] = row.label
        rows = self.container("table2", table, "行代码 → 各栏")
        if not isinstance(table, dict):
            raw = None  # texts of a table that is not there: nothing to compare them with
        for code, cells in rows.items():
            where = f"table2.{code}"
            extra = code.startswith(EXTRA_ROW) and len(code) > len(EXTRA_ROW)
            if code not in columns_of and not extra:
                self.add(where, f"不是{self.of_layout}表二的行代码")
            elif not isinstance(cells, dict):
                self.add(where, f"应为对象，实为{describe(cells)}")
            else:
                for column, value in cells.items():
                    if extra or column in columns_of[code]:
                        self.number(f"{where}.{column}", value)
                    else:
                        codes = "、".join(columns_of[code])
                        self.add(
                            f"{where}.{column}",
                            f"不是{self.of_layout}表二“{labels[code]}”行的栏代码（{codes}）",
                        )
        for code, texts in self.container("raw.table2", raw, "行代码 → 各栏的原文").items():
            where = f"raw.table2.{code}"
            values = rows.get(code)
            if texts is None:
                continue
            if not isinstance(texts, dict):
                self.add(where, f"应为对象，实为{describe(texts)}")
            elif code not in rows:
                self.add(where, "table2 中没有这一行")
            elif isinstance(values, dict):
                for column, text in texts.items():
                    if column in values:
                        self.raw_text(f"{where}.{column}", text, f"table2.{code}.{column}", values[column])
                    else:
                        self.add(f"{where}.{column}", f"table2.{code} 中没有这一栏")

    def table3(self, table: object, raw: object) -> None:
        codes = {row.code for layout in self.layouts for row in layout.table3_rows}
        self.cell_rows("table3", table, raw, codes, TABLE3_COLUMNS, f"不是{self.of_layout}表三的行代码")

    def table4(self, table: object, raw: object) -> None:
        codes = [g.code for g in TABLE4_GROUPS]
        self.cell_rows(
            "table4", table, raw, set(codes), TABLE4_COLUMNS, f"不是表四的组代码（{'、'.join(codes)}）"
        )

    def cell_rows(self, name: str, table: object, raw: object, codes: set, columns, unknown: str) -> None:
        """Table 3 or 4: row (group) code -> a number or null per column; raw the same with texts."""
        width = f"应为 {len(columns)} 个单元格（{columns[0].label}…{columns[-1].label}）"
        rows = self.container(name, table, "行代码 → 单元格数组")
        if not isinstance(table, dict):
            raw = None  # texts of a table that is not there: nothing to compare them with
        for code, cells in rows.items():
            where = f"{name}.{code}"
            if code not in codes:
                self.add(where, unknown)
            elif not isinstance(cells, list):
                self.add(where, f"应为数组（{len(columns)} 个单元格），实为{describe(cells)}")
            elif len(cells) != len(columns):
                self.add(where, f"{width}，实为 {len(cells)} 个")
            else:
                for i, value in enumerate(cells):
                    self.number(f"{where}[{i}]", value)
        for code, texts in self.container(f"raw.{name}", raw, "行代码 → 单元格原文数组").items():
            where = f"raw.{name}.{code}"
            values = rows.get(code)
            if texts is None:
                continue
            if not isinstance(texts, list):
                self.add(where, f"应为数组，实为{describe(texts)}")
            elif code not in rows:
                self.add(where, f"{name} 中没有这一行")
            elif len(texts) != len(columns):
                self.add(where, f"{width}，实为 {len(texts)} 个")
            elif isinstance(values, list) and len(values) == len(columns):
                for i, text in enumerate(texts):
                    self.raw_text(f"{where}[{i}]", text, f"{name}.{code}[{i}]", values[i])

    def number(self, where: str, value: object) -> None:
        if value is None:
            return
        if not _is_finite_number(value):
            hint = "（数字不加引号）" if isinstance(value, str) and parse_number(value) is not None else ""
            self.add(where, f"应为数字或 null，实为{describe(value)}{hint}")
        elif abs(value) >= _TOO_LARGE:
            self.add(where, f"数字过大（超过 {MAX_DIGITS} 位），不是报告中的数字")

    def raw_text(self, where: str, text: object, value_where: str, value: object) -> None:
        """A cell's text as read: it must state the cell's number, or no number when the cell has none."""
        if text is None:
            return
        if not isinstance(text, str):
            self.add(where, f"应为字符串（单元格原文）或 null，实为{describe(text)}")
            return
        if value is not None and not (_is_finite_number(value) and abs(value) < _TOO_LARGE):
            return  # the number's own problem is named already
        stated = parse_number(text)
        if value is None:
            agrees = stated is None
        elif isinstance(value, float):
            agrees = stated is not None and float(stated) == value
        else:
            agrees = stated == value
        if not agrees:
            self.add(
                value_where,
                f"{describe(value).strip()} 与 {where} 的原文{_quote(text)}不一致"
                "（修改数字时请一并修改或删去 raw 中的原文）",
            )

    # --- findings ---

    def findings(self, findings: object) -> None:
        if findings is None:
            return
        if not isinstance(findings, list):
            self.add("findings", f"应为数组，实为{describe(findings)}")
            return
        for n, finding in enumerate(findings):
            where = f"findings[{n}]"
            if not isinstance(finding, dict):
                self.add(where, f"应为对象，实为{describe(finding)}")
                continue
            for key in finding:
                if key not in FINDING_KEYS:
                    self.add(f"{where}.{key}", f"不是发现项的键（{'、'.join(FINDING_KEYS)}）")
            for key in ("rule", "severity", "location", "message"):
                if key not in finding:
                    self.add(f"{where}.{key}", "缺少此键")
            for key in ("rule", "message"):
                if key in finding and not isinstance(finding[key], str):
                    self.add(f"{where}.{key}", f"应为字符串，实为{describe(finding[key])}")
            severity = finding.get("severity")
            if "severity" in finding and severity not in _SEVERITIES:
                self.add(f"{where}.severity", f"应为{_quoted(_SEVERITIES)}，实为{describe(severity)}")
            location = finding.get("location")
            if "location" in finding and not _is_location(location):
                self.add(
                    f"{where}.location", f"不是有效的位置（如 table3.new[总计]），实为{describe(location)}"
                )
            for key in ("expected", "actual"):
                value = finding.get(key)
                if isinstance(value, list | dict) or (isinstance(value, float) and not math.isfinite(value)):
                    self.add(f"{where}.{key}", f"应为数字、字符串或 null，实为{describe(value)}")


_SEVERITIES = tuple(s.value for s in Severity)


def _quoted(values: Iterable[str]) -> str:
    """“a”“b”或“c”"""
    quoted = [f"“{v}”" for v in values]
    return "".join(quoted[:-1]) + "或" + quoted[-1]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_location(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        Location.parse(value)
    except ValueError:
        return False
    return True
