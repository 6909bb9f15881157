"""What every writer prints, derived once from the layouts in formats.py.

The three statutory tables are described here as grids of (possibly merged) cells in the printed
arrangement of 国办公开办函〔2019〕60号 / 〔2021〕30号; the HTML (and through it the PDF) and DOCX
writers only draw these grids. The Markdown writer cannot merge cells and flattens them itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from gongkai.report.formats import (
    FORMATS,
    SECTIONS,
    TABLE2_FIRST_HEADER,
    TABLE3_COLUMNS,
    TABLE3_NOTE,
    TABLE3_RESULTS_LABEL,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Format,
    Section,
    format_for_year,
)
from gongkai.report.model import AnnualReport, Cell

# Header labels of table 3 printed above the seven columns; not needed by readers, so not in formats.py.
TABLE3_APPLICANTS_HEAD = "申请人情况"
TABLE3_LEGAL_PERSONS_HEAD = "法人或其他组织"
# TABLE3_COLUMNS[1:6] are printed under 法人或其他组织
_LEGAL_PERSON_COLUMNS = slice(1, 6)

# A sub-heading inside a section: "（一）加强组织领导，强化责任落实" (a short line, no full stop).
_SUBHEAD = re.compile(r"^（[一二三四五六七八九十]{1,3}）[^。；;]{1,40}$")


def layout_of(report: AnnualReport) -> Format:
    """The layout to print: the report's own, else the one its year requires, else the current one."""
    if report.layout:
        return report.layout
    if report.year:
        return format_for_year(report.year)
    return FORMATS["2021"]


def title_of(report: AnnualReport) -> str:
    if report.title and report.title.strip():
        return report.title.strip()
    year = f"{report.year}年" if report.year else ""
    return f"{report.agency or ''}{year}政府信息公开工作年度报告"


def title_lines(report: AnnualReport, *, per_line: int = 20) -> list[str]:
    """The title in lines, broken as GB/T 9704 wants it (whole words, balanced): a title too long for one
    line is broken after its year, "沙坡头区科学技术局2020年" / "政府信息公开工作年度报告"."""
    title = title_of(report)
    match = _YEAR.search(title)
    if len(title) > per_line and match and 0 < match.end() < len(title):
        return [title[: match.end()].strip(), title[match.end() :].strip()]
    return [title]


_YEAR = re.compile(r"\d{4}\s*年度?")


def heading(section: Section) -> str:
    return f"{section.numeral}、{section.label}"


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a narrative text: one per line, blank lines dropped."""
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def is_subhead(paragraph: str) -> bool:
    return bool(_SUBHEAD.match(paragraph))


def sections_to_print(report: AnnualReport) -> list[Section]:
    """Sections in order: those with text, and 二/三/四 always (they carry the tables)."""
    return [s for s in SECTIONS if s.code in report.sections or s.code in TABLE_SECTIONS]


# section code -> the table printed at its start
TABLE_SECTIONS = {"2": "table2", "3": "table3", "4": "table4"}


def raw(cell: Cell | None) -> str:
    """A cell's text as printed: its raw text; an unknown cell is printed blank."""
    return cell.raw.strip() if cell is not None else ""


def table3_cells(report: AnnualReport, row_code: str) -> list[str]:
    cells = report.table3.get(row_code) or []
    return [raw(cells[i]) if i < len(cells) else "" for i in range(len(TABLE3_COLUMNS))]


def table4_cells(report: AnnualReport) -> list[str]:
    out = []
    for group in TABLE4_GROUPS:
        cells = report.table4.get(group.code) or []
        out += [raw(cells[i]) if i < len(cells) else "" for i in range(len(TABLE4_COLUMNS))]
    return out


def table2_cell(report: AnnualReport, row_code: str, column_code: str) -> str:
    return raw((report.table2.get(row_code) or {}).get(column_code))


def table4_heads() -> list[tuple[str, str]]:
    """(parent, child) of each group of table 4: "行政诉讼（复议后起诉）" -> ("行政诉讼", "复议后起诉")."""
    out = []
    for group in TABLE4_GROUPS:
        match = re.fullmatch(r"(.+?)（(.+)）", group.label)
        out.append((match.group(1), match.group(2)) if match else (group.label, ""))
    return out


# --- pages ---------------------------------------------------------------------------------------------

# The end of a report keeps at least this many lines together: a last page with a line or two on it
# looks like a mistake.
LAST_PAGE_LINES = 6
# Characters in a line of body text (16 pt on the 156 mm of an A4 page between the margins), to tell
# how many lines a paragraph takes; an estimate is enough.
LINE_CHARS = 27


def text_lines(text: str, *, indent: int = 2) -> int:
    """About how many lines a paragraph of body text takes (its first line indented by `indent`)."""
    return max(1, -(-(len(text) + indent) // LINE_CHARS))


@dataclass(frozen=True)
class Ending:
    """How the last blocks of a report stay together (see `ending`)."""

    # blocks to keep whole and on the page of the block before them
    with_previous: frozenset[int]
    # the block they stay with, and how many of its lines must go along when it is broken over two pages
    anchor: int | None = None
    widows: int = 2


def ending(lines: list[int | None]) -> Ending:
    """Which of the last blocks (their lines, None for a table) to keep together so that the last page
    holds at least LAST_PAGE_LINES lines: going back from the last block, each block stays whole with the
    one before until they add up to that many lines (a table counts as enough: its rows go along). The
    block reached is the anchor; of it, as many lines as are still missing go along if it is broken."""
    if not lines:
        return Ending(frozenset())
    keep: set[int] = set()
    j = len(lines) - 1
    total = lines[j] if lines[j] is not None else LAST_PAGE_LINES
    while total < LAST_PAGE_LINES and j > 0:
        keep.add(j)
        j -= 1
        if lines[j] is None:  # a table: it, or its last rows, go along
            return Ending(frozenset(keep))
        total += lines[j]
    missing = LAST_PAGE_LINES - (total - (lines[j] or 0))
    return Ending(frozenset(keep), anchor=j, widows=max(2, missing))


# --- grids ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    text: str
    # "note" | "head" | "caption" | "label" | "group" | "number"
    kind: str
    rowspan: int = 1
    colspan: int = 1


GridRow = list[GridCell]


@dataclass
class Grid:
    """A table: relative column widths, header rows repeated on every page, and groups of body rows.

    Each row lists only the cells that start in it, left to right, as in HTML.
    """

    widths: tuple[float, ...]
    head: list[GridRow] = field(default_factory=list)
    # row groups that should not be split over two pages when avoidable (a table-2 block)
    bodies: list[list[GridRow]] = field(default_factory=list)
    # rows (indexes into rows()) to keep on the page of the row after them when avoidable; None: every
    # row of a body but its last, so that each body stays together
    keep: set[int] | None = None

    @property
    def columns(self) -> int:
        return len(self.widths)

    def rows(self) -> list[GridRow]:
        return [*self.head, *(row for body in self.bodies for row in body)]

    @property
    def keep_with_next(self) -> set[int]:
        """Rows after which a page should not break: the writers of paged documents keep them so."""
        if self.keep is not None:
            return self.keep
        keep, start = set(), len(self.head)
        for body in self.bodies:
            keep.update(range(start, start + len(body) - 1))
            start += len(body)
        return keep

    def placed(self) -> Iterator[tuple[int, int, GridCell]]:
        """(row, column, cell) with the grid position of every cell's top-left corner."""
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(self.rows()):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                yield r, c, cell
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan


def table2_extra_rows(report: AnnualReport, fmt: Format) -> list[tuple[str, list[str]]]:
    """Rows a province added to table 2 (the readers keep them as "extra.<label>"): label and cells."""
    known = fmt.table2_rows
    return [
        (code.removeprefix("extra."), [raw(cell) for cell in cells.values()])
        for code, cells in report.table2.items()
        if code not in known and cells
    ]


def _spans(count: int, width: int) -> list[int]:
    """Column spans of `count` cells over `width` columns: the last cell takes the rest."""
    spans = [1] * count
    spans[-1] += width - count
    return spans


def table2_grid(report: AnnualReport, fmt: Format) -> Grid:
    """One table of all blocks: caption row, 信息内容 header row, data rows; the last column of a block
    with fewer columns spans the rest, as on the printed form. Extra rows follow the last block."""
    extra = table2_extra_rows(report, fmt)
    width = max(len(block.columns) for block in fmt.table2)
    width = max([width, *(len(cells) for _label, cells in extra)])
    grid = Grid(widths=(31.0, *([69.0 / width] * width)))
    for block in fmt.table2:
        spans = _spans(len(block.columns), width)
        body = [
            [GridCell(block.caption, "caption", colspan=width + 1)],
            [GridCell(TABLE2_FIRST_HEADER, "head")]
            + [GridCell(col.label, "head", colspan=s) for col, s in zip(block.columns, spans, strict=True)],
        ]
        for row in block.rows:
            cells = [table2_cell(report, row.code, col.code) for col in block.columns]
            body.append(_table2_row(row.label, cells, spans))
        grid.bodies.append(body)
    for label, cells in extra:
        grid.bodies[-1].append(_table2_row(label, cells, _spans(len(cells), width)))
    return grid


def _table2_row(label: str, cells: list[str], spans: list[int]) -> GridRow:
    return [GridCell(label, "label")] + [
        GridCell(text, "number", colspan=s) for text, s in zip(cells, spans, strict=True)
    ]


def table3_grid(report: AnnualReport, fmt: Format) -> Grid:
    """Three label columns (三、本年度办理结果 | group | item) and the seven applicant columns."""
    numbers = len(TABLE3_COLUMNS)
    columns = TABLE3_COLUMNS
    grid = Grid(widths=(4.5, 16.5, 32.3, *([46.7 / numbers] * numbers)))
    grid.head = [
        [
            GridCell(TABLE3_NOTE, "note", rowspan=3, colspan=3),
            GridCell(TABLE3_APPLICANTS_HEAD, "head", colspan=numbers),
        ],
        [
            GridCell(columns[0].label, "head", rowspan=2),
            GridCell(TABLE3_LEGAL_PERSONS_HEAD, "head", colspan=len(columns[_LEGAL_PERSON_COLUMNS])),
            GridCell(columns[-1].label, "head", rowspan=2),
        ],
        [GridCell(col.label, "head") for col in columns[_LEGAL_PERSON_COLUMNS]],
    ]
    rows = fmt.table3_rows
    body: list[GridRow] = []
    for i, row in enumerate(rows):
        cells: GridRow = []
        if not row.group:
            cells.append(GridCell(row.label, "label", colspan=3))
        else:
            if i == 0 or not rows[i - 1].group:  # first row of 三、本年度办理结果
                span = _run_length(rows, i, lambda r: bool(r.group))
                cells.append(GridCell(TABLE3_RESULTS_LABEL, "group", rowspan=span))
            if row.group == TABLE3_RESULTS_LABEL:
                cells.append(GridCell(row.label, "label", colspan=2))
            else:
                if rows[i - 1].group != row.group:
                    span = _run_length(rows, i, lambda r, g=row.group: r.group == g)
                    cells.append(GridCell(row.group, "group", rowspan=span))
                cells.append(GridCell(row.label, "label"))
        cells += [GridCell(text, "number") for text in table3_cells(report, row.code)]
        body.append(cells)
    grid.bodies = [body]
    # Too long to keep whole when it starts low on a page: it may break between groups of rows, never
    # inside a numbered group (（三）1–8, …), after its first row or before its last rows.
    grid.keep = {len(grid.head) + i for i in range(len(rows) - 1) if _keep_together(rows, i)}
    return grid


def _keep_together(rows, i: int) -> bool:
    """Whether table 3's row i and the row after it belong on one page."""
    row, after = rows[i], rows[i + 1]
    same_group = bool(row.group) and row.group == after.group and row.group != TABLE3_RESULTS_LABEL
    return i == 0 or same_group or after.code in ("total", "carried_out")


def _run_length(rows, start: int, belongs) -> int:
    end = start
    while end < len(rows) and belongs(rows[end]):
        end += 1
    return end - start


def table4_grid(report: AnnualReport) -> Grid:
    """Two-level head: 行政复议 | 行政诉讼 → 未经复议直接起诉 | 复议后起诉 → the five result columns."""
    per = len(TABLE4_COLUMNS)
    heads = table4_heads()
    grid = Grid(widths=tuple([100.0 / (per * len(heads))] * (per * len(heads))))
    top: GridRow = []
    middle: GridRow = []
    bottom: GridRow = []
    for i, (parent, child) in enumerate(heads):
        if i == 0 or heads[i - 1][0] != parent:
            span = sum(1 for p, _ in heads[i:] if p == parent)  # groups of one parent are adjacent
            top.append(GridCell(parent, "head", colspan=per * span))
        if child:
            middle.append(GridCell(child, "head", colspan=per))
            bottom += [GridCell(col.label, "head") for col in TABLE4_COLUMNS]
        else:
            middle += [GridCell(col.label, "head", rowspan=2) for col in TABLE4_COLUMNS]
    grid.head = [top, middle, bottom]
    grid.bodies = [[[GridCell(text, "number") for text in table4_cells(report)]]]
    return grid


def table_grid(report: AnnualReport, fmt: Format, table: str) -> Grid:
    if table == "table2":
        return table2_grid(report, fmt)
    if table == "table3":
        return table3_grid(report, fmt)
    return table4_grid(report)
