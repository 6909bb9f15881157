"""`letter_docx`: a letter as a GB/T 9704-style Word file."""

from __future__ import annotations

import io
import re
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from gongkai.cases.letters.text import (
    CONTACT_PREFIXES,
    cn_date,
)
from gongkai.cases.letters.wording import (
    SEAL,
)
from gongkai.report.render.docx import BODY_FONT, TITLE_FONT, add_run, base_styles, page_setup

# --- document ---

_RED = RGBColor(0xFF, 0, 0)


def letter_docx(*, agency, title: str, body: str, issued_on: date | None = None) -> bytes:
    """A GB/T 9704-style letter: red agency header with a red rule, title 22pt centred, 文号, salutation,
    body 16pt with a two-character indent, seal placeholder, agency and date right-aligned, and the contact
    lines that end the body as a 附注 "（联系机构：…；联系电话：…）" under the date (GB/T 9704 7.3.6).
    The signature block stays on the page of the last body paragraph."""
    doc = Document()
    page_setup(doc)
    base_styles(doc)
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = agency.name
    props.language = "zh-CN"
    props.subject = "政府信息公开"

    header = doc.add_paragraph(style="Normal")
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(header, agency.name, TITLE_FONT, 26).font.color.rgb = _RED
    _red_rule(header)

    heading = doc.add_paragraph(style="Heading 1")
    heading.paragraph_format.space_before = Pt(16)
    add_run(heading, title, TITLE_FONT, 22)

    lines = [line.strip() for line in body.split("\n") if line.strip()]
    contacts: list[str] = []
    while lines and lines[-1].startswith(CONTACT_PREFIXES):
        contacts.insert(0, lines.pop())
    number = next((m.group(0) for line in lines if (m := re.search(r"〔\d{4}〕第\d+号", line))), None)
    if number:
        ref = doc.add_paragraph(style="Normal")
        ref.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(ref, number, BODY_FONT, 16)

    paragraph = None
    for i, line in enumerate(lines):
        salutation = i == 0 and line.endswith("：")
        paragraph = doc.add_paragraph(style="Normal" if salutation else "Report Body")
        add_run(paragraph, line, BODY_FONT, 16)
    if paragraph is not None:
        paragraph.paragraph_format.keep_with_next = True

    date_text = cn_date(issued_on) if issued_on else "　　年　　月　　日"
    # GB/T 9704 7.3.5: the agency two characters from the right margin, the date four
    for text, chars in ((SEAL, 2), (agency.name, 2), (date_text, 4)):
        paragraph = doc.add_paragraph(style="Normal")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(16 * chars)
        paragraph.paragraph_format.keep_with_next = bool(contacts) or text != date_text
        add_run(paragraph, text, BODY_FONT, 16)
    if contacts:
        note = doc.add_paragraph(style="Report Body")
        add_run(note, "（" + "；".join(contacts) + "）", BODY_FONT, 16)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _red_rule(paragraph) -> None:
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", "FF0000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    # pBdr precedes spacing in the schema; the header paragraph has nothing else between them
    paragraph.paragraph_format.line_spacing = Pt(40)
    paragraph._p.pPr.find(qn("w:spacing")).addprevious(border)
