"""The report as a Word document following GB/T 9704 conventions.

A4, margins 37/35/28/26 mm, title 二号小标宋 centred, section headings 三号黑体, body 三号仿宋 with a
two-character first-line indent and 22 lines a page, page numbers "— N —" in the footer. East Asian font
names are the ones an office PC has (方正小标宋简体, 黑体, 仿宋, 宋体); Word and LibreOffice substitute
an installed CJK font when they are missing. Latin letters and digits use Times New Roman.

Text goes in through `xml_safe` (gongkai.text): a control character stored before the input rules existed
cannot make a document fail to write.

Headings use the built-in styles so that the navigation pane and readers see them: "Heading 1" is the
title, "Heading 2" the six sections (the same levels as the HTML h1/h2 and the Markdown #/##).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell

from gongkai.report.model import AnnualReport
from gongkai.report.render.layout import (
    TABLE_SECTIONS,
    Grid,
    heading,
    is_subhead,
    layout_of,
    paragraphs,
    sections_to_print,
    table_grid,
    title_lines,
    title_of,
)
from gongkai.text import xml_safe

LATIN = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
SUBHEAD_FONT = "楷体"
TABLE_FONT = "宋体"
LINE = Pt(28.9)  # 22 lines in the 225 mm type area
TEXT_WIDTH_MM = 210 - 28 - 26
TABLE_PT = {"table2": 10.5, "table3": 9, "table4": 9}
_BLACK = RGBColor(0, 0, 0)


def render_docx(report: AnnualReport) -> bytes:
    doc = Document()
    page_setup(doc)
    base_styles(doc)
    props = doc.core_properties
    props.title = xml_safe(title_of(report))
    props.author = xml_safe(report.agency or "")
    props.last_modified_by = xml_safe(report.agency or "")
    props.language = "zh-CN"
    props.subject = "政府信息公开工作年度报告"

    fmt = layout_of(report)
    title = add_paragraph(doc, style="Heading 1")
    for i, line in enumerate(title_lines(report)):
        run = title.add_run()
        if i:
            run.add_break()  # a line break inside the one title paragraph
        run.add_text(xml_safe(line))
    _paragraphs(doc, report.preamble)
    for section in sections_to_print(report):
        add_paragraph(doc, heading(section), style="Heading 2")
        table = TABLE_SECTIONS.get(section.code)
        if table:
            _table(doc, table_grid(report, fmt, table), TABLE_PT[table])
        _paragraphs(doc, report.sections.get(section.code))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _paragraphs(doc, text: str | None) -> None:
    for p in paragraphs(text):
        add_paragraph(doc, p, style="Report Subhead" if is_subhead(p) else "Report Body")


# --- page and styles ---


def page_setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(25)
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    add_run(paragraph, "— ", TABLE_FONT, 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)
    number = paragraph.add_run("1")
    _font(number._r.get_or_add_rPr(), TABLE_FONT)
    number.font.size = Pt(14)
    field.append(number._r)  # the run moves into the field: Word replaces it with the page number
    add_run(paragraph, " —", TABLE_FONT, 14)


def base_styles(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    _font(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.font.size = Pt(16)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    body = styles.add_style("Report Body", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    _indent(body.element.get_or_add_pPr(), chars=2, size_pt=16)

    subhead = styles.add_style("Report Subhead", WD_STYLE_TYPE.PARAGRAPH)
    subhead.base_style = body
    _font(subhead.element.get_or_add_rPr(), SUBHEAD_FONT)
    subhead.paragraph_format.keep_with_next = True

    title = styles["Heading 1"]
    _plain(title, TITLE_FONT, 22)
    tf = title.paragraph_format
    tf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tf.line_spacing = Pt(36)
    tf.space_before, tf.space_after = Pt(0), LINE

    section = styles["Heading 2"]
    _plain(section, HEADING_FONT, 16)
    sf = section.paragraph_format
    sf.space_before = sf.space_after = Pt(0)
    sf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    sf.line_spacing = LINE
    _indent(section.element.get_or_add_pPr(), chars=2, size_pt=16)

    cell = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    _font(cell.element.get_or_add_rPr(), TABLE_FONT)
    cf = cell.paragraph_format
    cf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    cf.alignment = WD_ALIGN_PARAGRAPH.CENTER

    head = styles.add_style("Table Head", WD_STYLE_TYPE.PARAGRAPH)
    head.base_style = cell
    _font(head.element.get_or_add_rPr(), HEADING_FONT)


def _plain(style, east_asia: str, size: float) -> None:
    """A built-in heading style made black, not bold, in the given fonts (theme fonts removed)."""
    rpr = style.element.get_or_add_rPr()
    _font(rpr, east_asia)
    for tag in ("w:bCs", "w:szCs"):  # the template's complex-script bold and size
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    style.font.size = Pt(size)
    style.font.bold = False
    style.font.color.rgb = _BLACK


def _font(rpr, east_asia: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:cs"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def _indent(ppr, *, chars: float, size_pt: float) -> None:
    ind = ppr.get_or_add_ind()  # python-docx keeps the schema order of pPr children
    ind.set(qn("w:firstLineChars"), str(int(chars * 100)))
    ind.set(qn("w:firstLine"), str(int(chars * size_pt * 20)))


def add_paragraph(doc, text: str = "", style: str | None = None):
    """doc.add_paragraph with the style set by its id, looked up once per document: python-docx looks a
    style name up by scanning every style for each paragraph, a third of the time of a letter."""
    paragraph = doc.add_paragraph(xml_safe(text))
    if style and style != "Normal":
        ids = doc.__dict__.setdefault("_style_ids", {})
        if style not in ids:
            ids[style] = doc.styles[style].style_id
        paragraph._p.get_or_add_pPr().style = ids[style]
    return paragraph


def add_run(paragraph, text: str, east_asia: str, size: float):
    run = paragraph.add_run(xml_safe(text))
    _font(run._r.get_or_add_rPr(), east_asia)
    run.font.size = Pt(size)
    return run


# --- tables ---


def _table(doc, grid: Grid, size_pt: float) -> None:
    rows = grid.rows()
    table = doc.add_table(rows=len(rows), cols=grid.columns)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr  # autofit=False made the layout fixed: the grid widths below hold
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 20), ("left", 30), ("bottom", 20), ("right", 30)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:  # schema order: tblCellMar comes before tblLook
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)
    width = tbl_pr.find(qn("w:tblW"))
    if width is not None:
        width.set(qn("w:type"), "dxa")
        width.set(qn("w:w"), str(round(TEXT_WIDTH_MM / 25.4 * 1440)))

    total = sum(grid.widths)
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in grid.widths]
    # python-docx's table.cell() and column.cells rescan the table: work on the w:tc elements of the grid
    tcs = [list(tr.tc_lst) for tr in table._tbl.tr_lst]
    for c, (column, width) in enumerate(zip(table.columns, widths, strict=True)):
        column.width = width
        for row in tcs:
            row[c].width = width

    for i, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if i < len(grid.head):
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            tr_pr.append(header)

    keep = grid.keep_with_next  # rows that stay with the next, as in the PDF

    styles = {name: doc.styles[name].style_id for name in ("Table Head", "Table Text")}
    for r, c, spec in grid.placed():
        tc = tcs[r][c]
        if spec.rowspan > 1 or spec.colspan > 1:
            tc = tc.merge(tcs[r + spec.rowspan - 1][c + spec.colspan - 1])
        cell = _Cell(tc, table)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for extra in cell.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        paragraph = cell.paragraphs[0]
        head = spec.kind in ("head", "caption")
        paragraph._p.style = styles["Table Head" if head else "Table Text"]
        if spec.kind in ("label", "caption", "note"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if r in keep:
            paragraph.paragraph_format.keep_with_next = True
        if spec.text:
            run = paragraph.add_run(xml_safe(spec.text))
            run.font.size = Pt(size_pt - 1 if spec.kind == "note" else size_pt)
