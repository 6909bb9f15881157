"""The report as PDF: the print variant of the HTML page, laid out by WeasyPrint with Noto CJK fonts.

Fonts are subset with HarfBuzz (Debian libharfbuzz-subset0), which keeps a page well under a second.
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from gongkai.report.model import AnnualReport
from gongkai.report.render.html import render_html

_fonts: FontConfiguration | None = None


def render_pdf(report: AnnualReport) -> bytes:
    global _fonts
    if _fonts is None:  # fontconfig set-up is the slow part of the first document
        _fonts = FontConfiguration()
    return HTML(string=render_html(report, media="print")).write_pdf(font_config=_fonts)
