"""DOCX reader: a Word report -> blocks, paragraphs and tables in body order.

The body XML is read directly (python-docx opens the package): python-docx's own cell access repeats
a merged cell at every grid position it covers, while a report row must hold each cell once. A cell
merged across columns (gridSpan) or rows (vMerge) appears once, in the first row and column it
occupies; an empty cell stays "".
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import docx
from docx.oxml.ns import qn
from lxml import etree

from gongkai.report.parse.blocks import Block, Para, Row, Unreadable

_P = qn("w:p")
_TBL = qn("w:tbl")
_TR = qn("w:tr")
_TC = qn("w:tc")
_T = qn("w:t")
_TABS = (qn("w:tab"), qn("w:ptab"))
_BREAKS = (qn("w:br"), qn("w:cr"))
_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
# wrappers whose content belongs where the wrapper stands (content controls, custom XML, revisions)
_WRAPPERS = frozenset({qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins"), qn("w:moveTo")})
# inside a paragraph: not its text (text boxes and drawings have their own paragraphs; field codes; deletions)
_NOT_TEXT = frozenset(
    {
        qn("w:drawing"),
        qn("w:pict"),
        qn("w:object"),
        qn("w:txbxContent"),
        qn("w:del"),
        qn("w:moveFrom"),
        qn("w:instrText"),
        qn("w:delInstrText"),
        qn("w:footnoteReference"),
        qn("w:endnoteReference"),
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent",
    }
)
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_NAMES = frozenset({"title", "标题"})
_SPACES = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
# a cell with more text than this is an article laid out in a table, not a report figure or label
_LONG_CELL = 500


def docx_blocks(data: bytes) -> list[Block]:
    """The paragraphs and table rows of a Word (.docx) document, in reading order.

    Raises Unreadable when the bytes are not a DOCX package or the document holds no text.
    """
    if not data.strip():
        raise Unreadable("DOCX 文件是空的")
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        levels = _style_levels(document)
    except Exception as exc:  # python-docx raises many kinds on a broken package
        raise Unreadable(f"不是有效的 DOCX 文件：{exc}") from exc
    reader = _Reader(levels)
    try:
        reader.container(body)
    except RecursionError as exc:
        raise Unreadable("DOCX 文件的结构嵌套过深，无法读取") from exc
    if not reader.blocks:
        raise Unreadable("DOCX 文件中没有文字")
    return reader.blocks


def clean_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _style_levels(document) -> dict[str, int]:
    """Paragraph style id -> heading level, from the style's name ("heading 2", "标题 2") or outline level.

    Chinese Word names the heading styles by number ids ("1", "2"), so the id alone says nothing.
    """
    own: dict[str, int | None] = {}
    based_on: dict[str, str] = {}
    for style in document.styles.element.iterchildren(qn("w:style")):
        style_id = style.get(qn("w:styleId"))
        if not style_id:
            continue
        name = _val(style.find(qn("w:name")), "val") or ""
        own[style_id] = _level_of_name(name) or _outline_level(style.find(qn("w:pPr")))
        if parent := _val(style.find(qn("w:basedOn")), "val"):
            based_on[style_id] = parent
    levels = {}
    for style_id in own:
        # a custom style ("一级标题") inherits the level of the heading style it is based on
        level, seen = None, set()
        current: str | None = style_id
        while current and current not in seen and level is None:
            seen.add(current)
            level = own.get(current)
            current = based_on.get(current)
        if level:
            levels[style_id] = level
    return levels


def _level_of_name(name: str) -> int | None:
    name = name.strip()
    if name.lower() in _TITLE_NAMES:
        return 1
    match = _HEADING_NAME.match(name)
    return int(match.group(1)) if match else None


def _outline_level(ppr) -> int | None:
    value = _int(_val(ppr.find(qn("w:outlineLvl")) if ppr is not None else None, "val"), 9)
    return value + 1 if 0 <= value < 9 else None


def _children(element, tag: str) -> Iterator:
    """Children with the tag, looking through content controls and other wrappers."""
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _paragraph_text(p) -> str:
    parts = []
    walker = etree.iterwalk(p, events=("start",))
    for _event, element in walker:
        tag = element.tag
        if tag == _T:
            parts.append(element.text or "")
        elif tag in _TABS:
            parts.append("\t")
        elif tag in _BREAKS:
            parts.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag in _NOT_TEXT:
            walker.skip_subtree()
    return "".join(parts)


def _cell_text(tc) -> str:
    # the lines of a cell are one label ("结果" / "维持"): join them without a space
    return clean_text("".join(_paragraph_text(p) for p in _children(tc, _P)))


def _val(element, name: str) -> str | None:
    return element.get(qn(f"w:{name}")) if element is not None else None


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class _Cell:
    def __init__(self, tc, column: int):
        tcpr = tc.find(qn("w:tcPr"))
        span = _val(tcpr.find(qn("w:gridSpan")) if tcpr is not None else None, "val")
        vmerge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
        hmerge = tcpr.find(qn("w:hMerge")) if tcpr is not None else None
        self.tc = tc
        self.column = column
        self.colspan = max(1, _int(span, 1))
        # a vMerge without val="restart" (and a legacy hMerge) continues the cell above (left): not a new cell
        self.continues_above = vmerge is not None and _val(vmerge, "val") != "restart"
        self.continues = self.continues_above or (hmerge is not None and _val(hmerge, "val") != "restart")
        self.restarts = vmerge is not None and not self.continues_above
        self.rowspan = 1


class _Reader:
    def __init__(self, levels: dict[str, int]):
        self.levels = levels
        self.blocks: list[Block] = []
        self.tables = 0

    def container(self, element) -> None:
        """Paragraphs and tables of the body, a cell of a layout table, or a content control, in order."""
        for child in element.iterchildren():
            if child.tag == _P:
                self.paragraph(child)
            elif child.tag == _TBL:
                self.table(child)
            elif child.tag in _WRAPPERS:
                self.container(child)

    def paragraph(self, p) -> None:
        level = self.level(p)
        for line in _paragraph_text(p).split("\n"):
            if text := clean_text(line):
                self.blocks.append(Para(text, level))

    def level(self, p) -> int:
        ppr = p.find(qn("w:pPr"))
        style = _val(ppr.find(qn("w:pStyle")) if ppr is not None else None, "val")
        return self.levels.get(style or "", 0) or _outline_level(ppr) or 0

    def table(self, tbl) -> None:
        rows = [self.row_cells(tr) for tr in _children(tbl, _TR)]
        texts = [[_cell_text(cell.tc) for cell in cells] for cells in rows]
        nested = any(cell.tc.find(".//" + _TBL) is not None for cells in rows for cell in cells)
        single = all(len(cells) <= 1 for cells in rows)
        long_cell = any(len(text) > _LONG_CELL for row in texts for text in row)
        if nested or single or long_cell:
            # a table that lays out the document or frames a note: its cells are ordinary text
            for cells in rows:
                for cell in cells:
                    if not cell.continues:
                        self.container(cell.tc)
            return
        _count_rowspans(rows)
        emitted = False
        for cells, row_texts in zip(rows, texts, strict=True):
            kept = [(cell, text) for cell, text in zip(cells, row_texts, strict=True) if not cell.continues]
            if not any(text for _cell, text in kept):
                continue
            spans = [(cell.rowspan, cell.colspan) for cell, _text in kept]
            extras = {"spans": spans} if any(span != (1, 1) for span in spans) else {}
            self.blocks.append(
                Row([text for _cell, text in kept], exact=True, table=self.tables, extras=extras)
            )
            emitted = True
        if emitted:
            self.tables += 1

    @staticmethod
    def row_cells(tr) -> list[_Cell]:
        trpr = tr.find(qn("w:trPr"))
        before = _val(trpr.find(qn("w:gridBefore")) if trpr is not None else None, "val")
        column = max(0, _int(before, 0))
        cells = []
        for tc in _children(tr, _TC):
            cell = _Cell(tc, column)
            cells.append(cell)
            column += cell.colspan
        return cells


def _count_rowspans(rows: list[list[_Cell]]) -> None:
    """Set the rowspan of every vertically merged cell from the continuing cells below it."""
    for r, cells in enumerate(rows):
        for cell in cells:
            if not cell.restarts:
                continue
            for below in rows[r + 1 :]:
                if not any(c.continues_above and c.column == cell.column for c in below):
                    break
                cell.rowspan += 1
