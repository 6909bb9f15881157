"""The report as PDF: the print variant of the HTML page, laid out by WeasyPrint with Noto CJK fonts.

Fonts are subset with HarfBuzz (Debian libharfbuzz-subset0), which keeps a page well under a second.
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from gongkai.report.model import AnnualReport
from gongkai.report.render.html import render_html

_fonts: FontConfiguration | None = None


def html_to_pdf(html: str) -> bytes:
    """Any of gongkai's print pages as PDF, with the shared font configuration."""
    global _fonts
    if _fonts is None:  # fontconfig set-up is the slow part of the first document
        _fonts = FontConfiguration()
    return HTML(string=html).write_pdf(font_config=_fonts)


def render_pdf(report: AnnualReport) -> bytes:
    return html_to_pdf(render_html(report, media="print"))
