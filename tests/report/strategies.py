"""Hypothesis strategies (and a plain builder) for annual reports that every rule accepts.

`valid_reports()` draws complete, consistent reports: tables 3 and 4 add up (R1–R4), every cell is a
known number whose raw text is exactly `str(number)`, the year matches the layout (R7), the six
sections and the statistical period are there (R8), and the narrative states only figures that
agree with the tables (R9) and totals that equal their parts (R10). The reader found nothing.
"""

from __future__ import annotations

import copy
import json
import math
from decimal import Decimal

from hypothesis import strategies as st

from gongkai.report.formats import (
    FORMAT_2019,
    FORMAT_2021,
    FORMATS,
    TABLE3_BALANCE_ROWS,
    TABLE3_COLUMNS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Format,
)
from gongkai.report.model import AnnualReport, Cell, Location, empty_report
from gongkai.report.render import render

AGENCIES = (
    "沙坡头区科学技术局",
    "上海市人民政府办公厅",
    "平潭综合实验区管委会办公室",
    "宿迁市宿城区人民政府",
    "北京市朝阳区民政局",
)
YEARS = {FORMAT_2019.code: (2019, 2020), FORMAT_2021.code: tuple(range(2021, 2027))}
APPLICANTS = len(TABLE3_COLUMNS) - 1
REVIEW_GROUP, *LITIGATION_GROUPS = (g.code for g in TABLE4_GROUPS)

_PROACTIVE_KINDS = ("政策文件", "工作动态", "公示公告", "人事信息", "财政预决算", "政策解读", "规划计划")
_MONEY_STEP = Decimal("0.01")


def outcome_codes(fmt: Format) -> list[str]:
    return list(fmt.outcome_codes)


def title_of(agency: str, year: int) -> str:
    return f"{agency}{year}年政府信息公开工作年度报告"


def preamble_of(fmt: Format, year: int, spaced: bool = False) -> str:
    period = (
        f"统计期限自 {year} 年 1 月 1 日起至 12 月 31 日止"
        if spaced
        else f"统计期限自{year}年1月1日起至{year}年12月31日止"
    )
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》和{fmt.notice}要求编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分。"
        f"本报告所列数据的{period}。"
    )


def set_table3(report: AnnualReport, rows: dict[str, list[int]]) -> None:
    for code, values in rows.items():
        report.table3[code] = [Cell(str(v)) for v in values]


def set_table4(report: AnnualReport, groups: dict[str, list[int]]) -> None:
    for code, values in groups.items():
        report.table4[code] = [Cell(str(v)) for v in values]


def zero_report(fmt_code: str = "2021", year: int | None = None, agency: str = AGENCIES[0]) -> AnnualReport:
    """A complete, consistent report with every table cell 0 and plain narrative: no rule fires on it."""
    fmt = FORMATS[fmt_code]
    year = year or YEARS[fmt_code][-1 if fmt_code == "2019" else 0]
    report = empty_report(fmt, agency=agency, year=year, title=title_of(agency, year))
    report.preamble = preamble_of(fmt, year)
    set_table3(report, {row.code: [0] * len(TABLE3_COLUMNS) for row in fmt.table3_rows})
    set_table4(report, {g.code: [0] * len(TABLE4_COLUMNS) for g in TABLE4_GROUPS})
    for cells in report.table2.values():
        for column in cells:
            cells[column] = Cell("0")
    report.sections = {
        "1": f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。",
        "2": "主动公开政府信息情况见下表。",
        "3": "收到和处理政府信息公开申请情况见下表。",
        "4": "政府信息公开行政复议、行政诉讼情况见下表。",
        "5": "政府信息公开工作仍存在一些不足，下一步将加强业务培训。",
        "6": "无。",
    }
    return report


# --- tables ---

_small = st.one_of(st.just(0), st.integers(0, 12))


@st.composite
def table3_values(draw, fmt: Format) -> dict[str, list[int]]:
    """Table 3 satisfying R1 (per column), R2 (per column) and R3 (per row)."""
    rows = {row.code: [0] * len(TABLE3_COLUMNS) for row in fmt.table3_rows}
    outcomes = outcome_codes(fmt)
    for c in range(APPLICANTS):
        for code in outcomes:
            rows[code][c] = draw(_small)
        total = sum(rows[code][c] for code in outcomes)
        carried_out = draw(_small)
        carried_in = draw(st.integers(0, min(30, total + carried_out)))
        rows["total"][c] = total
        rows["carried_out"][c] = carried_out
        rows["carried_in"][c] = carried_in
        rows["new"][c] = total + carried_out - carried_in
    for values in rows.values():
        values[-1] = sum(values[:APPLICANTS])
    return rows


@st.composite
def table4_values(draw) -> dict[str, list[int]]:
    groups = {}
    for group in TABLE4_GROUPS:
        parts = draw(st.lists(st.integers(0, 20), min_size=4, max_size=4))
        if group.code == "litigation_after_review":
            # no more suits after review than reviews: more is possible but draws an R4 warning
            limit = groups["review"][-1]
            while sum(parts) > limit:
                parts[parts.index(max(parts))] -= 1
        groups[group.code] = [*parts, sum(parts)]
    return groups


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(_MONEY_STEP)


@st.composite
def table2_cells(draw, fmt: Format) -> dict[str, dict[str, Cell]]:
    kinds = {
        "count": st.integers(0, 2000),
        "signed": st.integers(-500, 500),
        "money": st.integers(0, 999_999).map(_money),
    }
    return {
        row.code: {column.code: Cell(str(draw(kinds[column.kind]))) for column in block.columns}
        for block in fmt.table2
        for row in block.rows
    }


# --- narrative ---


@st.composite
def proactive_sentence(draw, spaced: bool) -> str:
    """A sentence "共N条，其中A a条，B b条…" whose parts add up (R10)."""
    kinds = draw(st.lists(st.sampled_from(_PROACTIVE_KINDS), min_size=2, max_size=4, unique=True))
    counts = draw(st.lists(st.integers(0, 300), min_size=len(kinds), max_size=len(kinds)))
    sp = " " if spaced else ""
    parts = "，".join(f"{kind}类{sp}{n}{sp}条" for kind, n in zip(kinds, counts, strict=True))
    return f"通过政府网站主动公开政府信息共{sp}{sum(counts)}{sp}条，其中{parts}。"


def _applications_sentence(new: int, concluded: int, sp: str) -> str:
    if new == 0:
        return "本年度未收到政府信息公开申请。"
    return f"全年共收到政府信息公开申请{sp}{new}{sp}件，办结{sp}{concluded}{sp}件。"


def _review_sentence(review: int, litigation: int, sp: str) -> str:
    if review == 0 and litigation == 0:
        return "本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
    return f"本年度因政府信息公开工作被申请行政复议{sp}{review}{sp}件，提起行政诉讼{sp}{litigation}{sp}件。"


@st.composite
def sections_text(draw, report: AnnualReport) -> dict[str, str]:
    year, agency = report.year, report.agency
    sp = " " if draw(st.booleans()) else ""
    new, concluded = report.value3("new", -1), report.value3("total", -1)
    granted, partial = report.value3("granted", -1), report.value3("partial", -1)
    review = report.table4[REVIEW_GROUP][-1].value
    litigation = sum(report.table4[g][-1].value for g in LITIGATION_GROUPS)

    overview = [f"{year}{sp}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》。"]
    if draw(st.booleans()):
        overview.append(draw(proactive_sentence(spaced=bool(sp))))
    if draw(st.booleans()):
        overview.append(_applications_sentence(new, concluded, sp))
    overview.append("严格落实保密审查制度，确保发布的信息准确、安全。")
    applications = ["收到和处理政府信息公开申请情况见下表。"]
    if draw(st.booleans()):
        applications.append(f"对收到的申请，予以公开{sp}{granted}{sp}件，部分公开{sp}{partial}{sp}件。")
    reviews = [_review_sentence(review, litigation, sp)] if draw(st.booleans()) else ["具体情况见下表。"]
    return {
        "1": "\n".join(overview),
        "2": "主动公开政府信息情况见下表。\n规范性文件均已在政府网站集中公开。",
        "3": "\n".join(applications),
        "4": "\n".join(reviews),
        "5": "本机关政府信息公开工作仍存在一些不足：一是政策解读形式较为单一，二是信息发布的及时性有待提高。"
        "\n下一步将加强业务培训，提升政府信息公开工作水平。",
        "6": draw(st.sampled_from(("无。", f"{year}年度本机关未收取信息处理费。"))),
    }


@st.composite
def valid_reports(draw, fmt: Format | str | None = None) -> AnnualReport:
    """A complete, consistent report (either layout when fmt is None) on which no rule fires."""
    if fmt is None:
        fmt = draw(st.sampled_from((FORMAT_2019, FORMAT_2021)))
    elif isinstance(fmt, str):
        fmt = FORMATS[fmt]
    year = draw(st.sampled_from(YEARS[fmt.code]))
    agency = draw(st.sampled_from(AGENCIES))
    report = empty_report(fmt, agency=agency, year=year, title=title_of(agency, year))
    report.preamble = preamble_of(fmt, year, spaced=draw(st.booleans()))
    set_table3(report, draw(table3_values(fmt)))
    set_table4(report, draw(table4_values()))
    report.table2 = draw(table2_cells(fmt))
    report.sections = draw(sections_text(report))
    return report


# --- one changed cell, and where the rules must say so ---


def expected_errors(table: str, row: str, column: int) -> set[tuple[str, str]]:
    """Which table rule fires where (the published location string) when one cell of table 3 or 4 changes."""
    if table == "table4":
        return {("R4", str(Location.table4(row, len(TABLE4_COLUMNS) - 1)))}
    fired = {("R3", Location.table3(row, len(TABLE3_COLUMNS) - 1))}
    if row in ("new", "carried_in", "carried_out", "total"):
        fired.add(("R1", Location.table3("carried_out", column)))
    if row == "total" or row not in TABLE3_BALANCE_ROWS:
        fired.add(("R2", Location.table3("total", column)))
    return {(rule, str(location)) for rule, location in fired}


@st.composite
def changed_cell(draw):
    report = draw(valid_reports())
    table = draw(st.sampled_from(["table3", "table4"]))
    rows = report.table3 if table == "table3" else report.table4
    row = draw(st.sampled_from(sorted(rows)))
    width = len(TABLE3_COLUMNS) if table == "table3" else len(TABLE4_COLUMNS)
    column = draw(st.integers(0, width - 1))
    value = rows[row][column].value
    delta = draw(st.integers(1, 50))
    if value >= delta and draw(st.booleans()):
        delta = -delta
    changed = copy.deepcopy(report)
    target = changed.table3 if table == "table3" else changed.table4
    target[row][column] = Cell(str(value + delta))
    return changed, table, row, column


# --- the data format, mangled: wrong types, missing keys, huge or odd values ---

_BAD_VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            False,
            0,
            -1,
            -(10**12),
            10**30,
            10**400,
            1e308,
            -1e308,
            math.nan,
            math.inf,
            -math.inf,
            0.5,
            "",
            "5",
            "①",
            "２０２１",
            "\u200b",
            "gongkai.annual-report/2",
            "\ud800",
            "a\udfffb",
            "table3.new[总计]",
            "error",
            "2019",
            [],
            {},
            [1, 2, 3],
            {"a": 1},
            [None] * 7,
            ["0"] * 7,
        ]
    ).map(copy.deepcopy),  # the mutations change containers in place: never the constants themselves
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.builds(lambda n: "年" * n, st.integers(10_000, 200_000)),
    st.builds(lambda n: json.loads("[" * n + "]" * n), st.integers(50, 800)),
    st.builds(lambda n: json.loads('{"a":' * n + "1" + "}" * n), st.integers(50, 800)),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=10,
    ),
)


def _paths(node, path=()):
    """Every place in a JSON value as a tuple of keys and indexes, down to the report's own depth
    (raw.table3.new[0]): not into the deeply nested values a mutation put there."""
    yield path
    if len(path) >= 4:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


@st.composite
def mutated_data(draw):
    """The JSON data of a valid report after one to four random changes anywhere in it."""
    data = json.loads(render(draw(valid_reports()), "json"))
    data["findings"] = [
        {"rule": "R10", "severity": "warning", "location": "section.1", "message": "……", "expected": 3}
    ]
    if draw(st.integers(0, 19)) == 0:
        return draw(_BAD_VALUES)  # not an object at all
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(data))[1:]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add", "truncate", "repeat"]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if action == "replace":
            parent[last] = draw(_BAD_VALUES)
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            key = draw(st.sampled_from(["x", "1", "7", "extra.x", "other", "error", "\udc00"]))
            parent[key] = draw(_BAD_VALUES)
        elif action == "add":
            parent.append(draw(_BAD_VALUES))
        elif action == "truncate" and isinstance(parent[last], list | str):
            parent[last] = parent[last][: draw(st.integers(0, 3))]
        elif action == "repeat" and isinstance(parent[last], list | str):
            parent[last] = parent[last] * draw(st.integers(2, 4))
    return data
