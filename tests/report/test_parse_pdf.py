"""The PDF reader: text layer only, no OCR; scanned or broken files are unreadable, never a crash."""

import contextlib
import io

import pypdfium2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.report.parse import Unreadable, read_bytes, read_path
from gongkai.report.parse.pdf import pdf_blocks
from gongkai.report.render import render


def blank_pdf(pages: int = 2) -> bytes:
    """What a scanner produces, as far as text goes: pages without a text layer."""
    pdf = pypdfium2.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def test_scanned_pdf_without_text_is_unreadable():
    with pytest.raises(Unreadable, match="没有文字层"):
        read_bytes(blank_pdf(), "scan.pdf")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF", b"%PDF" + bytes(range(256)) * 40],
)
def test_broken_pdf_is_unreadable(data):
    with pytest.raises(Unreadable):
        read_bytes(data, "broken.pdf")


def test_seed_through_pdf(seed_path):
    report = read_path(seed_path)
    back = read_bytes(render(report, "pdf"), "seed.pdf")
    assert (back.agency, back.year, back.format) == (report.agency, report.year, report.format)
    assert {r: [c.raw for c in cells] for r, cells in back.table3.items()} == {
        r: [c.raw for c in cells] for r, cells in report.table3.items()
    }
    assert back.table2["other_services"]["previous"].value == 3
    assert "".join(back.sections["1"].split()) == "".join(report.sections["1"].split())


def test_pdf_cut_off_after_first_pages_reports_missing_tables(seed_path):
    """A PDF of which only the first page survived: what is there is read, the rest is unknown."""
    full = pypdfium2.PdfDocument(render(read_path(seed_path), "pdf"))
    first = pypdfium2.PdfDocument.new()
    first.import_pages(full, [0])
    buffer = io.BytesIO()
    first.save(buffer)
    report = read_bytes(buffer.getvalue(), "cut.pdf")
    assert report.year == 2020
    assert all(c is None for cells in report.table4.values() for c in cells)
    assert any(f.rule == "R11" and f.location.kind.startswith("table") for f in report.findings)


@settings(max_examples=60)
@given(st.binary(max_size=3000))
def test_fuzz_pdf_reader(data):
    with contextlib.suppress(Unreadable):
        pdf_blocks(b"%PDF-1.4\n" + data)
