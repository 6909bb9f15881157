"""Published documents damaged in the ways real ones are, read and checked end to end: unreadable or
a report with findings, never a Python error.

The readers' own fuzz tests (test_parse_*.py) feed each reader junk and stop at its blocks or at the
assembled report. These go on through the rules, start from whole valid reports in every format, and
damage them where the readers and the rules look: cell texts, labels, headings, the bytes of a PDF.
"""

from __future__ import annotations

import codecs
import contextlib
import copy
import io
import json

import pypdfium2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.report.model import AnnualReport, Cell, Finding, Location
from gongkai.report.parse import NotAReport, Unreadable, read_bytes
from gongkai.report.render import render
from gongkai.report.rules import check
from tests.report.strategies import valid_reports, zero_report

# what a cell, a label or a heading may hold in a damaged or odd document
_ODD_TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "①",
            "⑩",
            "㈠",
            "⼀",
            "１２",
            "１，２００",
            "-0",
            "－3",
            "+7",
            "1e5",
            "12.5万元",
            "3件",
            "0.",
            ".5",
            "1,2,3",
            "/",
            "—",
            "无",
            "若干",
            "\u200b",
            "1\u200b2",
            "\ufeff0",
            "\u3000",
            "|",
            "\\|",
            "\t",
            "<td>",
            "&nbsp;",
            "9" * 301,
            "9" * 5000,
            "9" * 400 + ".5",
            "1," * 2000 + "1",
            "二" * 300,
            "一、总体情况",
            "（七）总计",
            "四、结转下年度继续办理",
        ]
    ),
    st.text(max_size=12),
)


def _assert_checked(report: AnnualReport) -> None:
    findings = check(report)
    assert all(isinstance(f, Finding) and isinstance(f.location, Location) for f in findings)
    json.dumps(report.as_dict(findings=findings), ensure_ascii=False, allow_nan=False)


def _read_and_check(data: bytes, name: str) -> None:
    try:
        report = read_bytes(data, name)
    except (Unreadable, NotAReport):
        return
    _assert_checked(report)


@st.composite
def damaged_reports(draw) -> AnnualReport:
    """A valid report whose cell texts, section texts and title were partly replaced with odd texts."""
    report = copy.deepcopy(draw(valid_reports()))
    rows = [cells for cells in report.table3.values()] + [cells for cells in report.table4.values()]
    for _ in range(draw(st.integers(1, 6))):
        cells = draw(st.sampled_from(rows))
        cells[draw(st.integers(0, len(cells) - 1))] = Cell(draw(_ODD_TEXTS))
    row = draw(st.sampled_from(sorted(report.table2)))
    column = draw(st.sampled_from(sorted(report.table2[row])))
    report.table2[row][column] = Cell(draw(_ODD_TEXTS))
    code = draw(st.sampled_from(sorted(report.sections)))
    text = report.sections[code]
    at = draw(st.integers(0, len(text)))
    report.sections[code] = text[:at] + draw(_ODD_TEXTS) + text[at:]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(report.title)))
        report.title = report.title[:at] + draw(_ODD_TEXTS) + report.title[at:]
    return report


def _text_of(data: bytes) -> str:
    return data.decode("utf-8")


def _encoded(text: str) -> bytes:
    return text.encode("utf-8")


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_reports(), st.sampled_from(["md", "txt", "html"]))
def test_damaged_cells_and_texts_in_text_and_html_documents(report, kind):
    writer = "md" if kind == "txt" else kind
    data = render(report, writer)
    if kind == "txt":  # as PDF extraction gives it: tab-separated cells, no Markdown marks
        lines = [line.strip("|").replace(" | ", "\t") for line in _text_of(data).splitlines()]
        data = _encoded("\n".join(line for line in lines if not set(line) <= set("-: |")))
    _read_and_check(data, f"report.{kind}")


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_reports())
def test_damaged_cells_and_texts_in_word_documents(report):
    with contextlib.suppress(ValueError):  # python-docx refuses XML-incompatible characters on writing
        data = render(report, "docx")
        _read_and_check(data, "report.docx")


_LINE_EDITS = st.sampled_from(["delete", "duplicate", "insert", "split", "join", "swap"])


@settings(max_examples=150)
@given(st.data(), st.sampled_from(["md", "html"]))
def test_documents_with_lines_lost_repeated_or_broken(data, kind):
    """What crawlers and bad exports do to a page: lines lost, repeated, broken, run together."""
    lines = _text_of(render(zero_report(data.draw(st.sampled_from(["2019", "2021"]))), kind)).splitlines()
    for _ in range(data.draw(st.integers(1, 8))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        edit = data.draw(_LINE_EDITS)
        if edit == "delete":
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "insert":
            lines.insert(i, data.draw(_ODD_TEXTS))
        elif edit == "split":
            at = data.draw(st.integers(0, len(lines[i])))
            lines[i : i + 1] = [lines[i][:at], lines[i][at:]]
        elif edit == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + data.draw(st.sampled_from(["", " ", "\t"])) + lines[i + 1]]
        elif edit == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    _read_and_check(_encoded("\n".join(lines)), f"report.{kind}")


_BOMS = [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE]


@settings(max_examples=200)
@given(st.sampled_from(_BOMS), st.binary(max_size=400), st.sampled_from(["r.txt", "r.md", "r.html", "r"]))
def test_junk_after_a_byte_order_mark(bom, junk, name):
    _read_and_check(bom + junk, name)


@settings(max_examples=60)
@given(
    st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]),
    st.sampled_from(["md", "html"]),
    st.integers(0, 400),
)
def test_wide_unicode_documents_cut_short(encoding, kind, keep):
    """A UTF-16/32 download cut off mid-character, with or without its byte order mark."""
    data = render(zero_report(), kind).decode("utf-8").encode(encoding)
    _read_and_check(data[: len(data) - keep], f"report.{kind}")


_PDF: dict[str, bytes] = {}


def _rendered_pdf() -> bytes:
    if "pdf" not in _PDF:  # rendering takes a second: once for all examples
        _PDF["pdf"] = render(zero_report("2019"), "pdf")
    return _PDF["pdf"]


@settings(max_examples=60)
@given(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8), st.floats(0.05, 1))
def test_pdf_with_bytes_damaged_or_cut_off(flips, keep):
    """A real report's PDF with bytes overwritten (a bad disk, a bad transfer) or cut short."""
    data = bytearray(_rendered_pdf())
    for where, value in flips:
        data[min(int(where * len(data)), len(data) - 1)] = value
    _read_and_check(bytes(data[: max(8, int(keep * len(data)))]), "report.pdf")


def test_pdf_text_layer_with_odd_characters():
    """A text layer that holds zero-width characters, circled numbers and Kangxi radicals."""
    report = zero_report("2021")
    report.sections["1"] = "⼀年来，共收到申请②件\u200b，办结①件。"
    report.table3["new"][0] = Cell("①")
    pdf = render(report, "pdf")
    assert "②" in "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))
    back = read_bytes(pdf, "report.pdf")
    assert back.table3["new"][0].value is None
    _assert_checked(back)


def test_every_damaged_document_in_one_directory_is_checked(tmp_path):
    """The command on a directory of such files: every file has its line, exit 2, no internal error."""
    from gongkai.cli import main

    report = zero_report("2021")
    report.table3["new"][0] = Cell("9" * 5000)
    md = render(report, "md")
    (tmp_path / "huge-cell.md").write_bytes(md)
    (tmp_path / "utf16.md").write_bytes(md.decode().encode("utf-16"))
    (tmp_path / "cut.pdf").write_bytes(_rendered_pdf()[:3000])
    (tmp_path / "bom-junk.txt").write_bytes(codecs.BOM_UTF16_LE + bytes(range(256)) * 4)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", "--json", str(tmp_path)])
    records = {
        json.loads(line)["source"].split("/")[-1]: json.loads(line) for line in out.getvalue().splitlines()
    }
    assert code == 2
    assert set(records) == {"huge-cell.md", "utf16.md", "cut.pdf", "bom-junk.txt"}
    assert not any("内部错误" in r.get("error", "") for r in records.values())
    assert records["huge-cell.md"]["raw"]["table3"]["new"][0] == "9" * 5000
    assert records["huge-cell.md"]["table3"]["new"][0] is None
    assert records["utf16.md"]["agency"] == "沙坡头区科学技术局"


def _with_zero_width_marks(text: str) -> str:
    """Every section heading and some row labels with a zero-width character inside."""
    for words in (
        "总体情况",
        "主动公开政府信息情况",
        "收到和处理",
        "行政复议、行政诉讼",
        "存在的主要问题",
        "其他需要报告",
    ):
        text = text.replace(words, words[:1] + "\u200b" + words[1:])
    for label in ("本年新收", "予以公开", "行政许可", "复议后起诉"):
        text = text.replace(label, label[:2] + "\ufeff" + label[2:])
    return text


def _docx_with_zero_width_marks(data: bytes) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "word/document.xml":
                content = _with_zero_width_marks(content.decode("utf-8")).encode("utf-8")
            archive.writestr(item, content)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["md", "html", "docx"])
def test_zero_width_characters_in_headings_and_labels_in_every_format(kind):
    data = render(zero_report("2021"), kind)
    marked = (
        _docx_with_zero_width_marks(data)
        if kind == "docx"
        else _encoded(_with_zero_width_marks(_text_of(data)))
    )
    assert marked != data
    report = read_bytes(marked, f"report.{kind}")
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    assert [f for f in check(report) if f.severity == "error"] == []
