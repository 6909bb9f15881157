"""The report as Markdown: headings, paragraphs and GitHub pipe tables (one table row per line)."""

from __future__ import annotations

from gongkai.report.formats import TABLE2_FIRST_HEADER, TABLE3_COLUMNS, TABLE3_NOTE, TABLE4_COLUMNS
from gongkai.report.model import AnnualReport
from gongkai.report.render.layout import (
    TABLE_SECTIONS,
    heading,
    layout_of,
    paragraphs,
    sections_to_print,
    table2_cell,
    table2_extra_rows,
    table3_cells,
    table4_cells,
    table4_heads,
    title_of,
)


def render_markdown(report: AnnualReport) -> str:
    fmt = layout_of(report)
    blocks = [f"# {_one_line(title_of(report))}"]
    # paragraphs go out as they are: only a table cell needs its "|" escaped
    blocks += paragraphs(report.preamble)
    for section in sections_to_print(report):
        blocks.append(f"## {heading(section)}")
        table = TABLE_SECTIONS.get(section.code)
        if table == "table2":
            blocks += _table2(report, fmt)
        elif table == "table3":
            blocks.append(_table3(report, fmt))
        elif table == "table4":
            blocks.append(_table4(report))
        blocks += paragraphs(report.sections.get(section.code))
    return "\n\n".join(blocks) + "\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _one_line(text: str) -> str:
    """A table cell or heading on its line: a line break inside it (a DOCX cell's paragraphs) becomes a space."""
    return " ".join(text.splitlines())


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(_escape(_one_line(c)) for c in cells) + " |"


def _table(head: list[str], rows: list[list[str]], align: list[str]) -> str:
    rule = "|" + "|".join({"l": " --- ", "c": " :-: "}[a] for a in align) + "|"
    return "\n".join([_line(head), rule, *(_line(r) for r in rows)])


def _table2(report: AnnualReport, fmt) -> list[str]:
    """One pipe table per block: the caption as the table's head, then 信息内容 and the data rows.
    Rows a province added follow the last block."""
    tables = []
    for n, block in enumerate(fmt.table2):
        width = len(block.columns) + 1
        rows = [[TABLE2_FIRST_HEADER, *(c.label for c in block.columns)]]
        rows += [
            [row.label, *(table2_cell(report, row.code, c.code) for c in block.columns)] for row in block.rows
        ]
        if n == len(fmt.table2) - 1:
            rows += [[label, *cells] for label, cells in table2_extra_rows(report, fmt)]
        tables.append(_table([block.caption, *[""] * (width - 1)], rows, ["l"] + ["c"] * (width - 1)))
    return tables


def _table3(report: AnnualReport, fmt) -> str:
    """Two label columns (group, item) and the seven numbers; a row without a group has its label first."""
    head = [TABLE3_NOTE, "", *(c.label for c in TABLE3_COLUMNS)]
    rows = []
    for row in fmt.table3_rows:
        labels = [row.group, row.label] if row.group else [row.label, ""]
        rows.append([*labels, *table3_cells(report, row.code)])
    return _table(head, rows, ["l", "l"] + ["c"] * len(TABLE3_COLUMNS))


def _table4(report: AnnualReport) -> str:
    """Header rows 行政复议 | 行政诉讼, then 未经复议直接起诉 | 复议后起诉, then the result columns; one data row."""
    per = len(TABLE4_COLUMNS)
    heads = table4_heads()
    top, middle = [], []
    for i, (parent, child) in enumerate(heads):
        top += [parent if i == 0 or heads[i - 1][0] != parent else ""] + [""] * (per - 1)
        middle += [child] + [""] * (per - 1)
    labels = [c.label for c in TABLE4_COLUMNS] * len(heads)
    return _table(top, [middle, labels, table4_cells(report)], ["c"] * len(top))
