"""R1–R6 and R11: the arithmetic of the tables, last year's carry-over, complete and well-formed cells."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from gongkai.report.formats import (
    FORMAT_2021,
    TABLE3_COLUMNS,
    TABLE3_NOTE,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Column,
    normalize,
)
from gongkai.report.model import (
    AnnualReport,
    Cell,
    Finding,
    Location,
    Severity,
)
from gongkai.report.rules.common import (
    R6_TOLERANCE,
    TABLE4_TOTAL,
    TOTAL,
    cell_at,
    label3,
    outcome_codes_of,
    plus_text,
    sum_known,
    table3_codes,
    value2,
    value3,
    value4,
    value_of,
)

# --- R1–R4: arithmetic of tables 3 and 4 ---


def r1_carry_balance(report: AnnualReport) -> list[Finding]:
    findings = []
    for c, column in enumerate(TABLE3_COLUMNS):
        new, carried_in, total, carried_out = (
            value3(report, row, c) for row in ("new", "carried_in", "total", "carried_out")
        )
        if None in (new, carried_in, total, carried_out) or new + carried_in == total + carried_out:
            continue
        findings.append(
            Finding(
                "R1",
                Severity.ERROR,
                Location.table3("carried_out", c),
                f"表三 {column.label}列：{label3('new')} + {label3('carried_in')} = {new} + {carried_in} = "
                f"{new + carried_in}，而{label3('total')} + {label3('carried_out')} = {total} + {carried_out} = "
                f"{total + carried_out}{TABLE3_NOTE}",
                expected=new + carried_in - total,
                actual=carried_out,
            )
        )
    return findings


def r2_outcome_total(report: AnnualReport) -> list[Finding]:
    findings = []
    codes = outcome_codes_of(report)
    for c, column in enumerate(TABLE3_COLUMNS):
        total = value3(report, "total", c)
        parts = sum_known(value3(report, code, c) for code in codes)
        if total is None or parts is None or total == parts:
            continue
        findings.append(
            Finding(
                "R2",
                Severity.ERROR,
                Location.table3("total", c),
                f"表三 {column.label}列：（七）总计 = {total}，而各项办理结果（予以公开、部分公开、不予公开、"
                f"无法提供、不予处理、其他处理各项）之和 = {parts}",
                expected=parts,
                actual=total,
            )
        )
    return findings


def r3_applicant_total(report: AnnualReport) -> list[Finding]:
    findings, blank_totals = [], []
    for code in table3_codes(report):
        cells = report.table3.get(code)
        total_cell = cell_at(cells, TOTAL)
        parts = [value_of(cell_at(cells, c)) for c in range(TOTAL)]
        if total_cell is not None and total_cell.is_blank:
            # Some agencies leave 总计 blank in detail rows: not a sum error, reported once below.
            if any(p is not None for p in parts):
                blank_totals.append(label3(code))
            continue
        total, expected = value_of(total_cell), sum_known(parts)
        if total is None or expected is None or total == expected:
            continue
        findings.append(
            Finding(
                "R3",
                Severity.ERROR,
                Location.table3(code, TOTAL),
                f"表三“{label3(code)}”行：总计 = {total}，而六类申请人（自然人、商业企业、科研机构、社会公益组织、"
                f"法律服务机构、其他）之和 = {plus_text(parts)} = {expected}",
                expected=expected,
                actual=total,
            )
        )
    if blank_totals:
        findings.append(
            Finding(
                "R3",
                Severity.INFO,
                Location.table3(),
                f"表三有 {len(blank_totals)} 行的总计栏空白而申请人各栏有数字（{'、'.join(blank_totals)}），"
                "这些行未核对总计；空白不等于 0",
                actual=len(blank_totals),
            )
        )
    return findings


def r4_review_litigation_total(report: AnnualReport) -> list[Finding]:
    findings = []
    for group in TABLE4_GROUPS:
        parts = [value4(report, group.code, c) for c in range(TABLE4_TOTAL)]
        total, expected = value4(report, group.code, TABLE4_TOTAL), sum_known(parts)
        if total is None or expected is None or total == expected:
            continue
        findings.append(
            Finding(
                "R4",
                Severity.ERROR,
                Location.table4(group.code, TABLE4_TOTAL),
                f"表四 {group.label}：总计 = {total}，而结果维持 + 结果纠正 + 其他结果 + 尚未审结 = "
                f"{plus_text(parts)} = {expected}",
                expected=expected,
                actual=total,
            )
        )
    reviews = value4(report, "review", TABLE4_TOTAL)
    suits = value4(report, "litigation_after_review", TABLE4_TOTAL)
    if reviews is not None and suits is not None and suits > reviews:
        # possible (suits after reviews of earlier years or by other bodies), but worth a second look
        findings.append(
            Finding(
                "R4",
                Severity.WARNING,
                Location.table4("litigation_after_review", TABLE4_TOTAL),
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
        return Finding(
            "R5",
            Severity.WARNING,
            Location("previous"),
            "无法确定本报告或上一年度报告的年份，未比较上年结转数",
        )
    if previous.year != report.year - 1:
        return Finding(
            "R5",
            Severity.WARNING,
            Location("previous"),
            f"作为上一年度提供的是 {previous.year} 年的报告，而本报告是 {report.year} 年的，未比较上年结转数",
            expected=report.year - 1,
            actual=previous.year,
        )
    if report.agency and previous.agency and normalize(report.agency) != normalize(previous.agency):
        return Finding(
            "R5",
            Severity.WARNING,
            Location("previous"),
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
        carried_in, before = value3(report, "carried_in", c), value3(previous, "carried_out", c)
        if carried_in is None or before is None or carried_in == before:
            continue
        findings.append(
            Finding(
                "R5",
                Severity.ERROR,
                Location.table3("carried_in", c),
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
        before = value2(previous, code, "in_force")
        issued, repealed, in_force = (value2(report, code, col) for col in ("issued", "repealed", "in_force"))
        if None in (before, issued, repealed, in_force):
            continue
        expected = before + issued - repealed
        if abs(expected - in_force) <= R6_TOLERANCE:
            continue
        findings.append(
            Finding(
                "R6",
                Severity.WARNING,
                Location.table2(code, in_force_label),
                f"表二“{row.label}”：{in_force_label} = {in_force}，而 {previous.year} 年的{in_force_label} + "
                f"{issued_label} − {repealed_label} = {before} + {issued} − {repealed} = {expected}",
                expected=expected,
                actual=in_force,
            )
        )
    return findings


# --- R11: every cell a number of the right kind, every table complete ---


def _covered(report: AnnualReport, location: Location) -> bool:
    """Whether the reader already reported an R11 finding about this location, its table or row, or a part of it."""
    return any(
        f.rule == "R11" and (f.location.contains(location) or location.contains(f.location))
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
    cells: list[tuple[Cell | None, Column, Location]]


class _TableCheck:
    """Collects R11 findings of one table: unreadable rows, bad cells, and cells that are not numbers."""

    def __init__(self, report: AnnualReport, table: Location, name: str):
        self.report, self.table, self.name = report, table, name
        self.findings: list[Finding] = []
        self.not_numbers: list[str] = []
        self.blanks = 0

    def add(self, location: Location, message: str) -> None:
        if not _covered(self.report, location):
            self.findings.append(Finding("R11", Severity.ERROR, location, message))

    def cell(self, cell: Cell, kind: str, location: Location, label: str) -> None:
        problem = _cell_problem(cell, kind)
        if problem:
            allowed = {"count": "非负整数", "signed": "整数", "money": "非负金额"}[kind]
            self.add(location, f"{self.name} {label}：“{cell.raw}”{problem}，应为{allowed}")
        elif cell.value is None:
            self.not_numbers.append(label)
            self.blanks += cell.is_blank

    def summary(self, severity: Severity) -> list[Finding]:
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


def _check_table(
    report: AnnualReport, table: str, name: str, title: str, rows: list[_Row], severity: Severity
):
    """R11 for one table; `severity` is that of the summary of cells that are not numbers."""
    check = _TableCheck(report, Location(table), name)
    unread = {row.code: sum(1 for cell, _, _ in row.cells if cell is None) for row in rows}
    if all(row.missing or unread[row.code] == len(row.cells) for row in rows):
        check.add(Location(table), f"未能读出{name}（{title}），{name}各项未知")
        return check.findings
    for row in rows:
        if row.missing:
            check.add(Location(table, row.code), f"{name}缺少“{row.label}”一行，该行各项未知")
            continue
        if unread[row.code]:
            check.add(
                Location(table, row.code),
                f"{name}“{row.label}”一行未能完整读出（{unread[row.code]} 个单元格未知）",
            )
        for cell, column, location in row.cells:
            if cell is not None:
                check.cell(cell, column.kind, location, f"{row.label}/{column.label}")
    return check.summary(severity)


def _r11_table3(report: AnnualReport) -> list[Finding]:
    rows = []
    for code in table3_codes(report):
        cells = report.table3.get(code)
        located = [
            (cell_at(cells, c), column, Location.table3(code, c)) for c, column in enumerate(TABLE3_COLUMNS)
        ]
        rows.append(_Row(code, label3(code), cells is None, located))
    return _check_table(report, "table3", "表三", "收到和处理政府信息公开申请情况", rows, Severity.WARNING)


def _r11_table4(report: AnnualReport) -> list[Finding]:
    rows = []
    for group in TABLE4_GROUPS:
        cells = report.table4.get(group.code)
        located = [
            (cell_at(cells, c), column, Location.table4(group.code, c))
            for c, column in enumerate(TABLE4_COLUMNS)
        ]
        rows.append(_Row(group.code, group.label, cells is None, located))
    return _check_table(report, "table4", "表四", "行政复议、行政诉讼情况", rows, Severity.WARNING)


def _r11_table2(report: AnnualReport) -> list[Finding]:
    layout = report.layout
    if layout is None:  # which rows and columns to expect cannot be told (R7 says so)
        return []
    rows = []
    for block in layout.table2:
        for row in block.rows:
            cells = report.table2.get(row.code)
            located = [
                ((cells or {}).get(column.code), column, Location.table2(row.code, column.label))
                for column in block.columns
            ]
            rows.append(_Row(row.code, row.label, cells is None, located))
    # Table 2 often holds "/" for items an agency does not have: worth knowing, not a warning.
    return _check_table(report, "table2", "表二", "主动公开政府信息情况", rows, Severity.INFO)


def r11_cells(report: AnnualReport) -> list[Finding]:
    return _r11_table2(report) + _r11_table3(report) + _r11_table4(report)
