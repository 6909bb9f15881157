"""The writers (JSON, Markdown, HTML, DOCX, PDF) and the round trip: render, read back, same data."""

import io
import json
import re

import docx
import pdfplumber
import pytest
from bs4 import BeautifulSoup
from docx.oxml.ns import qn
from hypothesis import HealthCheck, Phase, given, settings

from gongkai.report.formats import (
    FORMAT_2021,
    FORMATS,
    SECTIONS,
    TABLE3_COLUMNS,
    TABLE3_NOTE,
    TABLE3_RESULTS_LABEL,
    TABLE4_COLUMNS,
)
from gongkai.report.model import AnnualReport, Cell, Finding
from gongkai.report.parse import read_bytes
from gongkai.report.render import WRITERS, render
from gongkai.report.render.html import render_html
from gongkai.report.render.layout import table3_grid, title_lines
from gongkai.report.rules import check
from tests.report.strategies import changed_cell, expected_errors, valid_reports, zero_report

EXTENSIONS = {"md": "md", "html": "html", "docx": "docx", "pdf": "pdf"}
# numbered(): the first row of table 3 and the row of table 4
NEW_ROW = ["4", "3", "0", "1", "2", "0", "10"]
TABLE4_ROW = ["2", "1", "0", "4", "7"] + ["0"] * 10


def numbered(fmt_code: str) -> AnnualReport:
    """zero_report with distinct, consistent numbers: every row of table 3 is 1..6 and their sum."""
    report = zero_report(fmt_code)
    for row in FORMATS[fmt_code].table3_rows:
        report.table3[row.code] = [Cell("0")] * len(TABLE3_COLUMNS)
    report.table3["new"] = [Cell(str(v)) for v in (4, 3, 0, 1, 2, 0, 10)]
    report.table3["granted"] = [Cell(str(v)) for v in (3, 3, 0, 1, 2, 0, 9)]
    report.table3["refused.state_secret"] = [Cell(str(v)) for v in (1, 0, 0, 0, 0, 0, 1)]
    report.table3["total"] = [Cell(str(v)) for v in (4, 3, 0, 1, 2, 0, 10)]
    report.table4["review"] = [Cell(str(v)) for v in (2, 1, 0, 4, 7)]
    report.table2["licensing"] = {c: Cell("12345") for c in report.table2["licensing"]}
    return report


def raws(report: AnnualReport) -> dict:
    return {
        "table2": {
            row: {c: cell.raw if cell else None for c, cell in cols.items()}
            for row, cols in report.table2.items()
        },
        "table3": {row: [c.raw if c else None for c in cells] for row, cells in report.table3.items()},
        "table4": {g: [c.raw if c else None for c in cells] for g, cells in report.table4.items()},
    }


def squeeze(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def read_back(report: AnnualReport, fmt: str) -> AnnualReport:

    return read_bytes(render(report, fmt), "x." + EXTENSIONS[fmt])


def differences(report: AnnualReport, back: AnnualReport) -> list:
    """What the read-back report got wrong, cell by cell, for a readable failure."""
    out = [
        (name, getattr(report, name), getattr(back, name))
        for name in ("format", "year", "agency", "title")
        if getattr(report, name) != getattr(back, name)
    ]
    mine, theirs = raws(report), raws(back)
    for table in mine:
        for row in sorted(set(mine[table]) | set(theirs[table])):
            if mine[table].get(row) != theirs[table].get(row):
                out.append((f"{table}.{row}", mine[table].get(row), theirs[table].get(row)))
    for code in sorted(set(report.sections) | set(back.sections)):
        if squeeze(report.sections.get(code)) != squeeze(back.sections.get(code)):
            out.append((f"section {code}", report.sections.get(code), back.sections.get(code)))
    if squeeze(report.preamble) != squeeze(back.preamble):
        out.append(("preamble", report.preamble, back.preamble))
    return out


def assert_round_trip(report: AnnualReport, fmt: str, *, sections: bool = True) -> None:
    """Same meta data, same raw cells, same text (whitespace aside), and no error from the rules."""

    back = read_back(report, fmt)
    found = differences(report, back)
    if not sections:
        found = [d for d in found if not d[0].startswith("section")]
    assert found == []
    errors = [f"{f.rule} {f.location}: {f.message}" for f in check(back) if f.severity == "error"]
    assert errors == []


# --- dispatch and JSON ---


def test_writers_and_unknown_format():
    assert {"json", "md", "html", "docx", "pdf"} == WRITERS
    with pytest.raises(ValueError, match="unknown format"):
        render(zero_report(), "odt")


def test_json_round_trips_through_from_dict():
    report = numbered("2021")
    report.table3["partial"][0] = Cell("")
    report.table3["partial"][1] = None
    finding = Finding("R1", "error", "table3.new[自然人]", "不平衡", 1, 2)
    data = render(report, "json", findings=[finding])
    text = data.decode("utf-8")
    assert "政府信息公开工作年度报告" in text  # ensure_ascii=False: Chinese as it is
    loaded = json.loads(text)
    assert loaded["findings"][0]["rule"] == "R1"
    back = AnnualReport.from_dict(loaded)
    assert raws(back) == raws(report)
    assert (back.title, back.agency, back.year) == (report.title, report.agency, report.year)
    assert back.format == "2021"
    assert back.sections == report.sections
    assert back.table3["partial"][1] is None


# --- Markdown ---


def test_markdown_layout():
    report = numbered("2019")
    report.table3["refused.state_secret"][2] = Cell("/")
    report.table3["refused.state_secret"][3] = Cell("")
    report.table3["refused.state_secret"][4] = None
    report.sections["5"] = "甲|乙\n\n第二段"
    md = render(report, "md").decode("utf-8")
    lines = md.splitlines()
    assert lines[0] == f"# {report.title}"
    for section in SECTIONS:
        assert f"## {section.numeral}、{section.label}" in lines
    # table 2: one pipe table per block, caption as the head, then 信息内容 and the rows
    at = lines.index("| 第二十条第（一）项 |  |  |  |")
    assert lines[at + 2] == "| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |"
    assert "| 行政许可 | 12345 | 12345 | 12345 |" in lines
    assert "| 行政事业性收费 | 0 | 0 |" in lines
    # table 3: note in the head, group label in the first column, 7 cells; "/" kept, blank and unknown empty
    note = next(i for i, line in enumerate(lines) if TABLE3_NOTE in line)
    assert note > lines.index("## 三、收到和处理政府信息公开申请情况")
    assert "| 一、本年新收政府信息公开申请数量 |  | 4 | 3 | 0 | 1 | 2 | 0 | 10 |" in lines
    assert "| 三、本年度办理结果 | （一）予以公开 | 3 | 3 | 0 | 1 | 2 | 0 | 9 |" in lines
    assert "| （三）不予公开 | 1.属于国家秘密 | 1 | 0 | / |  |  | 0 | 1 |" in lines
    assert "| 三、本年度办理结果 | （六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in lines
    # table 4: the data row of 15 cells
    assert "| 2 | 1 | 0 | 4 | 7 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in lines
    # tables stand at the start of their section, before its text
    assert lines.index("## 二、主动公开政府信息情况") < at < lines.index("主动公开政府信息情况见下表。")
    assert "甲|乙" in lines and "第二段" in lines  # a paragraph is not a table: no escaping
    report.table3["refused.state_secret"][5] = Cell("a|b")
    assert "| 1.属于国家秘密 | 1 | 0 | / |  |  | a\\|b | 1 |" in render(report, "md").decode("utf-8")


def test_markdown_2021_other_rows_grouped():
    md = render(zero_report("2021"), "md").decode("utf-8")
    assert "| （六）其他处理 | 3.其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in md
    assert "| 第二十条第（八）项 |  |" in md and "| 信息内容 | 本年收费金额（单位：万元） |" in md


# --- HTML ---


def cell_of(soup, text: str):
    return next(c for c in soup.find_all(["td", "th"]) if c.get_text() == text)


def span(cell) -> tuple[int, int]:
    return int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))


@pytest.mark.parametrize("fmt_code", ["2019", "2021"])
def test_html_merged_headers(fmt_code):
    html = render(numbered(fmt_code), "html").decode("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == "zh-CN"
    assert soup.find("h1").get_text() == numbered(fmt_code).title
    assert [h.get_text() for h in soup.find_all("h2")] == [f"{s.numeral}、{s.label}" for s in SECTIONS]
    # self-contained
    assert not soup.find_all(["link", "script", "img"]) and "http" not in html.replace("http-equiv", "")
    table2, table3, table4 = soup.find_all("table")
    # table 2: caption rows across the four columns
    assert span(cell_of(table2, "第二十条第（一）项")) == (1, 4)
    # table 3: the printed head
    assert span(cell_of(table3, TABLE3_NOTE)) == (3, 3)
    assert span(cell_of(table3, "申请人情况")) == (1, 7)
    assert span(cell_of(table3, "法人或其他组织")) == (1, 5)
    assert span(cell_of(table3, "自然人")) == (2, 1) and span(cell_of(table3, "总计")) == (2, 1)
    assert len(table3.find("thead").find_all("tr")) == 3
    fmt = FORMATS[fmt_code]
    results = sum(1 for row in fmt.table3_rows if row.group)
    assert span(cell_of(table3, TABLE3_RESULTS_LABEL)) == (results, 1)
    assert span(cell_of(table3, "（三）不予公开")) == (8, 1)
    assert span(cell_of(table3, "（四）无法提供")) == (3, 1)
    assert span(cell_of(table3, "（五）不予处理")) == (5, 1)
    if fmt_code == "2021":
        assert span(cell_of(table3, "（六）其他处理")) == (3, 1)
    else:
        assert span(cell_of(table3, "（六）其他处理")) == (1, 2)
    assert span(cell_of(table3, "一、本年新收政府信息公开申请数量")) == (1, 3)
    # every body row: its labels, then exactly seven number cells
    for tr in table3.find("tbody").find_all("tr"):
        numbers = tr.find_all("td", class_="number")
        assert len(numbers) == 7 and tr.find_all("td")[-7:] == numbers
    first = table3.find("tbody").find("tr")
    assert [td.get_text() for td in first.find_all("td")] == ["一、本年新收政府信息公开申请数量", *NEW_ROW]
    # table 4: two-level head and the row of 15
    assert span(cell_of(table4, "行政复议")) == (1, 5)
    assert span(cell_of(table4, "行政诉讼")) == (1, 10)
    assert span(cell_of(table4, "未经复议直接起诉")) == (1, 5)
    assert span(cell_of(table4, "复议后起诉")) == (1, 5)
    heads = [th.get_text() for th in table4.find("thead").find_all("tr")[2].find_all("th")]
    assert heads == [c.label for c in TABLE4_COLUMNS] * 2
    assert [td.get_text() for td in table4.find("tbody").find_all("td")] == TABLE4_ROW


def test_html_escapes_text_and_has_print_variant():
    report = zero_report("2021")
    report.sections["6"] = '<script>alert("x")</script> & 其他'
    report.title = "<b>某局</b>2021年政府信息公开工作年度报告"
    html = render(report, "html").decode("utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;某局" in html
    printed = render_html(report, media="print")
    assert "@page" in printed and "counter(page)" in printed and "'Noto Serif CJK SC'" in printed
    with pytest.raises(ValueError):
        render_html(report, media="tv")


def test_title_broken_after_the_year():
    report = zero_report("2021", agency="沙坡头区科学技术局")
    assert title_lines(report) == ["沙坡头区科学技术局2021年", "政府信息公开工作年度报告"]
    report.title = "某局2021年年报"
    assert title_lines(report) == ["某局2021年年报"]


def test_table3_grid_positions():
    """The grid places every cell: 10 columns, each body row covers them all exactly once."""
    grid = table3_grid(numbered("2021"), FORMAT_2021)
    covered: dict[int, set[int]] = {}
    for r, c, cell in grid.placed():
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                cols = covered.setdefault(r + dr, set())
                assert c + dc not in cols
                cols.add(c + dc)
    assert all(cols == set(range(10)) for cols in covered.values())
    assert len(covered) == 3 + len(FORMAT_2021.table3_rows)


# --- DOCX ---


def test_docx_structure():
    report = numbered("2021")
    document = docx.Document(io.BytesIO(render(report, "docx")))
    assert document.core_properties.title == report.title
    assert document.core_properties.author == report.agency
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    assert "PAGE" in section.footer._element.xml
    title = document.paragraphs[0]
    assert title.style.name == "Heading 1" and title.text.replace("\n", "") == report.title
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [f"{s.numeral}、{s.label}" for s in SECTIONS]
    styles = document.styles.element.xml
    for font in ("仿宋", "黑体", "方正小标宋简体", "宋体"):
        assert f'w:eastAsia="{font}"' in styles

    table2, table3, table4 = document.tables
    assert len(table3.columns) == 10 and len(table3.rows) == 3 + len(FORMAT_2021.table3_rows)
    # merged cells: the note covers 3x3, the results label covers its rows
    assert table3.cell(0, 0)._tc is table3.cell(2, 2)._tc or table3.cell(2, 2).text == TABLE3_NOTE
    assert table3.cell(0, 0).text == TABLE3_NOTE
    assert table3.cell(0, 3)._tc is table3.cell(0, 9)._tc and table3.cell(0, 3).text == "申请人情况"
    assert table3.cell(1, 4).text == "法人或其他组织" and table3.cell(1, 4)._tc is table3.cell(1, 8)._tc
    results = [r for r in range(len(table3.rows)) if table3.cell(r, 0).text == TABLE3_RESULTS_LABEL]
    assert len(results) == sum(1 for row in FORMAT_2021.table3_rows if row.group)
    # header rows repeat on every page
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is not None for row in table3.rows[:3])
    assert table3.rows[3]._tr.trPr.find(qn("w:tblHeader")) is None
    first = [c.text for c in table3.rows[3].cells]
    assert first[3:] == NEW_ROW
    assert [c.text for c in table4.rows[3].cells] == TABLE4_ROW
    assert table4.cell(0, 5).text == "行政诉讼" and table4.cell(0, 5)._tc is table4.cell(0, 14)._tc
    assert table2.cell(0, 0).text == "第二十条第（一）项" and table2.cell(0, 0)._tc is table2.cell(0, 3)._tc


# --- PDF ---


def test_pdf_text_layer():
    report = numbered("2019")
    data = render(report, "pdf")
    assert data.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert pdf.metadata.get("Title") == report.title
        assert pdf.metadata.get("Author") == report.agency
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == (595, 842)
        text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "政府信息公开工作年度报告" in text and report.agency in text
    assert "行政许可 12345 12345 12345" in text
    assert "一、本年新收政府信息公开申请数量 4 3 0 1 2 0 10" in text
    assert "2 1 0 4 7 0 0 0 0 0 0 0 0 0 0" in text
    assert "— 1 —" in text


# --- round trip ---


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
@pytest.mark.parametrize("fmt_code", ["2019", "2021"])
def test_round_trip_fixed(fmt, fmt_code):
    assert_round_trip(numbered(fmt_code), fmt)


@pytest.mark.parametrize("fmt_code", ["2019", "2021"])
def test_round_trip_pdf_sections(fmt_code):
    report = numbered(fmt_code)
    back = read_back(report, "pdf")
    assert [d for d in differences(report, back) if d[0].startswith("section")] == []


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_round_trip_blank_and_dash_cells(fmt):
    """Structured formats keep a blank cell and "/" apart from 0 (a PDF cannot show where a blank was)."""
    report = numbered("2021")
    report.table3["partial"][6] = Cell("")
    report.table3["refused.state_secret"][3] = Cell("/")
    report.table2["regulations"]["issued"] = Cell("/")
    report.table2["regulations"]["repealed"] = Cell("")
    assert differences(report, read_back(report, fmt)) == []


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
@pytest.mark.parametrize("table", ["table2", "table3"])
def test_round_trip_blank_row(fmt, table):
    """A row left wholly blank (an agency that did not fill it in) is still a row of blank cells."""
    report = numbered("2021")
    if table == "table2":
        report.table2["fees"]["amount"] = Cell("")  # "| 行政事业性收费 |  |"
    else:
        report.table3["partial"] = [Cell("")] * 7
    assert differences(report, read_back(report, fmt)) == []


_settings = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
# shrinking re-renders a PDF hundreds of times: report the first failing example as it is
_no_shrink = [Phase.explicit, Phase.reuse, Phase.generate]


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
@settings(max_examples=25, **_settings)
@given(report=valid_reports())
def test_round_trip(fmt, report):
    assert_round_trip(report, fmt)


@settings(max_examples=6, phases=_no_shrink, **_settings)
@given(report=valid_reports())
def test_round_trip_pdf(report):
    """Generated reports through PDF: tables, metadata and section text come back."""
    assert_round_trip(report, "pdf")


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_round_trip_extra_table2_row(fmt):
    """A row a province added to table 2 (kept by the readers as "extra.<label>") is printed and read back."""
    report = numbered("2021")
    report.table2["extra.其他主动公开文件"] = {"1": Cell("17")}
    assert differences(report, read_back(report, fmt)) == []


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_renders_a_bare_report(fmt):
    """A report with nothing read (no layout, no year, no tables) still renders: blank 2021 tables."""
    data = render(AnnualReport(), fmt)
    assert data
    if fmt in ("md", "html"):
        assert "政府信息公开工作年度报告" in data.decode("utf-8") and "（六）其他处理" in data.decode("utf-8")


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
@settings(max_examples=15, **_settings)
@given(case=changed_cell())
def test_changed_cell_is_found_after_the_round_trip(fmt, case):
    """A wrong number written into a document is caught where it stands once the document is read."""
    report, table, row, column = case
    back = read_bytes(render(report, fmt), f"changed.{fmt}")
    fired = {
        (f.rule, str(f.location))
        for f in check(back)
        if f.severity == "error" and f.rule in ("R1", "R2", "R3", "R4")
    }
    assert fired == expected_errors(table, row, column)
