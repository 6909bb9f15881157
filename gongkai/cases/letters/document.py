"""`letter_docx`: a letter as a GB/T 9704-style Word file."""

from __future__ import annotations

import io
from datetime import date
from functools import cache

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
from gongkai.report.render.docx import BODY_FONT, TITLE_FONT, add_paragraph, add_run, base_styles, page_setup
from gongkai.text import xml_safe

# --- document ---

_RED = RGBColor(0xFF, 0, 0)


DRAFT_NUMBER = "文号（出具时编号）"


@cache
def _template() -> bytes:
    """An empty document with the page and the styles set up, built once per process: setting them up
    takes longer than writing a whole letter into a copy."""
    doc = Document()
    page_setup(doc)
    base_styles(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def letter_docx(
    *, agency, title: str, body: str, issued_on: date | None = None, number: str | None = None
) -> bytes:
    """A GB/T 9704-style letter: red agency header with a red rule, the 文号 (a draft says it has none yet)
    at the right margin under the rule, title 22pt centred, salutation,
    body 16pt with a two-character indent, seal placeholder, agency and date right-aligned, and the contact
    lines that end the body as a 附注 "（联系机构：…；联系电话：…）" under the date (GB/T 9704 7.3.6).
    The signature block stays on the page of the last body paragraph."""
    doc = Document(io.BytesIO(_template()))
    props = doc.core_properties
    # every other text goes in through add_paragraph/add_run, which drop what XML cannot hold (xml_safe)
    props.title = xml_safe(title)
    props.author = props.last_modified_by = xml_safe(agency.name)
    props.language = "zh-CN"
    props.subject = "政府信息公开"

    header = add_paragraph(doc, style="Normal")
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(header, agency.name, TITLE_FONT, 26).font.color.rgb = _RED
    _red_rule(header)

    ref = add_paragraph(doc, style="Normal")
    ref.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_run(ref, number or DRAFT_NUMBER, BODY_FONT, 16)

    heading = add_paragraph(doc, style="Heading 1")
    heading.paragraph_format.space_before = Pt(16)
    add_run(heading, title, TITLE_FONT, 22)

    lines = [line.strip() for line in body.split("\n") if line.strip()]
    contacts: list[str] = []
    while lines and lines[-1].startswith(CONTACT_PREFIXES):
        contacts.insert(0, lines.pop())
    paragraph = None
    for i, line in enumerate(lines):
        salutation = i == 0 and line.endswith("：")
        paragraph = add_paragraph(doc, style="Normal" if salutation else "Report Body")
        add_run(paragraph, line, BODY_FONT, 16)
    if paragraph is not None:
        paragraph.paragraph_format.keep_with_next = True

    date_text = cn_date(issued_on) if issued_on else "　　年　　月　　日"
    # GB/T 9704 7.3.5: the agency two characters from the right margin, the date four
    for text, chars in ((SEAL, 2), (agency.name, 2), (date_text, 4)):
        paragraph = add_paragraph(doc, style="Normal")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(16 * chars)
        paragraph.paragraph_format.keep_with_next = bool(contacts) or text != date_text
        add_run(paragraph, text, BODY_FONT, 16)
    if contacts:
        note = add_paragraph(doc, style="Report Body")
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


# --- the same letter as PDF (the applicant downloads the issued reply from the status page) -------------------

_PDF_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center { content: "— " counter(page) " —"; font: 12pt 'Noto Serif CJK SC'; } }
body { font: 16pt/1.75 'Noto Serif CJK SC', serif; color: #000; }
.head { text-align: center; color: #d00; font: bold 26pt 'Noto Serif CJK SC'; letter-spacing: .1em;
        border-bottom: 2.5pt solid #d00; padding-bottom: 6pt; margin: 0; }
.number { text-align: right; margin: 8pt 0 18pt; }
h1 { text-align: center; font: bold 22pt/1.4 'Noto Serif CJK SC'; margin: 0 0 18pt; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.salutation { text-indent: 0; }
.sign { text-align: right; margin-top: 24pt; page-break-inside: avoid; }
.sign p { text-indent: 0; text-align: right; }
.sign .agency { margin-right: 2em; } .sign .date { margin-right: 4em; }
.note { margin-top: 14pt; }
"""


def letter_pdf(
    *, agency, title: str, body: str, issued_on: date | None = None, number: str | None = None
) -> bytes:
    """The letter as a PDF with the layout of `letter_docx` (WeasyPrint, Noto CJK)."""
    from html import escape as escape_html

    from gongkai.report.render.pdf import html_to_pdf

    def escape(text: str) -> str:
        return escape_html(xml_safe(text))

    lines = [line.strip() for line in body.split("\n") if line.strip()]
    contacts: list[str] = []
    while lines and lines[-1].startswith(CONTACT_PREFIXES):
        contacts.insert(0, lines.pop())
    paragraphs = "".join(
        f'<p class="{"salutation" if i == 0 and line.endswith("：") else ""}">{escape(line)}</p>'
        for i, line in enumerate(lines)
    )
    note = f'<p class="note">（{escape("；".join(contacts))}）</p>' if contacts else ""
    html = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_PDF_CSS}</style></head><body>"
        f'<p class="head">{escape(agency.name)}</p><p class="number">{escape(number or DRAFT_NUMBER)}</p>'
        f"<h1>{escape(title)}</h1>{paragraphs}"
        f'<div class="sign"><p class="agency">{SEAL}</p><p class="agency">{escape(agency.name)}</p>'
        f'<p class="date">{escape(cn_date(issued_on) if issued_on else "　　年　　月　　日")}</p></div>{note}'
        "</body></html>"
    )
    return html_to_pdf(html)
