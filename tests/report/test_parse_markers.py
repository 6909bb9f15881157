"""Telling an annual report from other documents (`reports_only`, used by `gongkai check DIR`)."""

import io

import docx
import pytest
from weasyprint import HTML

from gongkai.report.formats import FORMAT_2021, REPORT_TITLE_MARKERS, TABLE_LABELS, normalize
from gongkai.report.parse import NotAReport, Unreadable, read_bytes
from gongkai.report.render import render
from tests.report.strategies import zero_report

NOTICE = "关于召开全区网站建设工作会议的通知\n各科室：定于下周一上午九时召开工作会议，请准时参加。\n"


def as_docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_pdf(text: str) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    return HTML(
        string=f"<html><body style=\"font-family: 'Noto Serif CJK SC'\">{paragraphs}</body></html>"
    ).write_pdf()


def as_html(text: str) -> bytes:
    return (
        "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines()) + "</body></html>"
    ).encode()


WRITERS = {"txt": str.encode, "md": str.encode, "html": as_html, "docx": as_docx, "pdf": as_pdf}


@pytest.mark.parametrize("ext", list(WRITERS))
def test_other_documents_are_not_reports(ext):
    data = WRITERS[ext](NOTICE)
    with pytest.raises(NotAReport, match="年度报告"):
        read_bytes(data, f"notice.{ext}", reports_only=True)
    with pytest.raises(Unreadable):  # named on its own, it is read as a report and found wanting
        read_bytes(data, f"notice.{ext}")


@pytest.mark.parametrize("ext", ["md", "html", "docx", "pdf"])
def test_reports_are_read_the_same_with_reports_only(ext):
    data = render(zero_report("2021"), ext)
    assert read_bytes(data, f"r.{ext}", reports_only=True) == read_bytes(data, f"r.{ext}")


def test_a_table_label_marks_a_report():
    rows = "\n".join(f"{row.label}\t1\t0\t0\t0\t0\t0\t1" for row in FORMAT_2021.table3_rows)
    report = read_bytes(f"三、依申请公开情况\n{rows}".encode(), "table.txt", reports_only=True)
    assert report.value3("new", 6) == 1
    # a label is a marker: a document with one that holds no report is unreadable, not skipped
    with pytest.raises(Unreadable):
        read_bytes("本月行政复议工作简报\n本月工作平稳。".encode(), "brief.txt", reports_only=True)


def test_the_title_words_count_only_near_the_start():
    filler = "本单位全年工作平稳有序推进。\n" * 300  # about 4,000 characters
    late = filler + "附：2020年政府信息公开工作年度报告另行发布。\n"
    with pytest.raises(NotAReport):
        read_bytes(late.encode(), "late.txt", reports_only=True)
    early = "某局2020年政府信息公开工作年度报告\n" + filler
    report = read_bytes(early.encode(), "early.txt", reports_only=True)
    assert report.year == 2020


def test_one_title_word_is_not_enough():
    with pytest.raises(NotAReport):
        read_bytes("关于做好政府信息公开工作的通知\n请各单位认真落实。".encode(), "n.txt", reports_only=True)


@pytest.mark.parametrize(
    "data,name",
    [
        (b"", "empty.txt"),
        (b"%PDF-1.4 broken \x00\x01", "broken.pdf"),
        (b"\xd0\xcf\x11\xe0old", "old.doc.docx"),
    ],
)
def test_files_whose_text_cannot_be_read_stay_unreadable(data, name):
    """A scanned, broken or empty file may be a report: it is reported, never skipped."""
    with pytest.raises(Unreadable):
        read_bytes(data, name, reports_only=True)


def test_markers_come_from_the_layouts():
    assert REPORT_TITLE_MARKERS == ("政府信息公开", "年度报告")
    assert normalize("一、本年新收政府信息公开申请数量") in TABLE_LABELS and "行政复议" in TABLE_LABELS
    assert normalize(FORMAT_2021.table2[0].columns[2].label) in TABLE_LABELS  # 现行有效件数
    assert "七总计" not in TABLE_LABELS and "规章" not in TABLE_LABELS  # too common to tell anything
