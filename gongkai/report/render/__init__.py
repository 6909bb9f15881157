"""AnnualReport -> a document: JSON data, Markdown, HTML, DOCX or PDF.

`render(report, "pdf")` gives the bytes of the document; the readers in `gongkai.report.parse` read every
one of them back to the same data (the round trip in tests/report/test_render.py).
"""

from __future__ import annotations

from gongkai.report.model import AnnualReport, Finding

WRITERS = {"json", "md", "html", "docx", "pdf"}


def render(report: AnnualReport, to: str, *, findings: list[Finding] | None = None) -> bytes:
    """The report written as `to` (one of WRITERS); `findings` go into the JSON data only."""
    to = to.lower().lstrip(".")
    if to == "json":
        from gongkai.report.render.json import render_json

        return render_json(report, findings=findings).encode("utf-8")
    if to in ("md", "markdown"):
        from gongkai.report.render.markdown import render_markdown

        return render_markdown(report).encode("utf-8")
    if to in ("html", "htm"):
        from gongkai.report.render.html import render_html

        return render_html(report).encode("utf-8")
    if to == "docx":
        from gongkai.report.render.docx import render_docx

        return render_docx(report)
    if to == "pdf":
        from gongkai.report.render.pdf import render_pdf

        return render_pdf(report)
    raise ValueError(f"unknown format {to!r}; expected one of {', '.join(sorted(WRITERS))}")
