"""The DOCX reader: Word documents built here with python-docx, merged cells both ways, and junk."""

from __future__ import annotations

import contextlib
import io
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.report.formats import TABLE2_2021, TABLE3_COLUMNS, TABLE3_ROWS_2021, TABLE4_GROUPS
from gongkai.report.parse.blocks import Para, Row, Unreadable
from gongkai.report.parse.docx import clean_text, docx_blocks

# a cell of a table spec: text, or (text, rowspan, colspan) like an HTML cell
Spec = list[list[str | tuple[str, int, int]]]


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_table(document, spec: Spec):
    """A Word table from rows of HTML-like cells: each spanning cell merged over the grid it covers."""
    cells = [[c if isinstance(c, tuple) else (c, 1, 1) for c in row] for row in spec]
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(cells):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, text, rowspan, colspan))
            taken.update((r + i, c + j) for i in range(rowspan) for j in range(colspan))
            c += colspan
    width = max(c for _r, c in taken) + 1
    table = document.add_table(rows=len(cells), cols=width)
    table.style = "Table Grid"
    for r, c, text, rowspan, colspan in placed:
        cell = table.cell(r, c)
        if rowspan > 1 or colspan > 1:
            cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
        lines = text.split("\n")
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    return table


def rows(blocks) -> list[list[str]]:
    return [b.cells for b in blocks if isinstance(b, Row)]


# --- blocks ---


def test_paragraphs_and_tables_keep_body_order_and_heading_levels():
    document = docx.Document()
    document.add_heading("某局2021年政府信息公开工作年度报告", 0)
    document.add_paragraph("本报告依据《条例》编制。")
    document.add_heading("一、总体情况", 1)
    document.add_paragraph("　　首行缩进的段落，\u3000中间有全角空格。")
    document.add_paragraph("")
    document.add_heading("二、主动公开政府信息情况", 2)
    add_table(document, [["规章", "0"], ["行政许可", "12"]])
    document.add_paragraph("表后的段落")
    add_table(document, [["行政处罚", "3"]])
    blocks = docx_blocks(save(document))
    assert blocks == [
        Para("某局2021年政府信息公开工作年度报告", 1),
        Para("本报告依据《条例》编制。"),
        Para("一、总体情况", 1),
        Para("首行缩进的段落， 中间有全角空格。"),
        Para("二、主动公开政府信息情况", 2),
        Row(["规章", "0"], exact=True, table=0),
        Row(["行政许可", "12"], exact=True, table=0),
        Para("表后的段落"),
        Row(["行政处罚", "3"], exact=True, table=1),
    ]


def test_heading_levels_from_chinese_style_names_and_outline_levels():
    document = docx.Document()
    style = document.styles.add_style("标题 3", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("（一）主动公开", style=style)
    custom = document.styles.add_style("一级标题", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Heading 1"]
    document.add_paragraph("一、总体情况", style=custom)
    paragraph = document.add_paragraph("二、主动公开政府信息情况")
    paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="1"/>'))
    document.add_paragraph("正文")
    assert docx_blocks(save(document)) == [
        Para("（一）主动公开", 3),
        Para("一、总体情况", 1),
        Para("二、主动公开政府信息情况", 2),
        Para("正文"),
    ]


def test_line_breaks_split_paragraphs_and_runs_join():
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("一、总体")
    paragraph.add_run("情况")
    paragraph.add_run().add_break()
    paragraph.add_run("全年共收到申请3件。")
    assert docx_blocks(save(document)) == [Para("一、总体情况"), Para("全年共收到申请3件。")]


def test_merged_cells_appear_once_in_their_first_row_and_column():
    document = docx.Document()
    add_table(
        document,
        [
            [
                ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
                ("申请人情况", 1, 7),
            ],
            [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
            ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
            [("一、本年新收政府信息公开申请数量", 1, 3), "5", "1", "0", "0", "0", "0", "6"],
            [("三、本年度办理结果", 3, 1), ("（一）予以公开", 1, 2), "2", "1", "0", "0", "0", "0", "3"],
            [("（三）不予公开", 2, 1), "1.属于国家秘密", "1", "0", "0", "0", "0", "0", ""],
            ["2.其他法律行政法规禁止公开", "2", "0", "0", "0", "0", "0", ""],
        ],
    )
    blocks = [b for b in docx_blocks(save(document)) if isinstance(b, Row)]
    assert [b.cells for b in blocks] == [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["自然人", "法人或其他组织", "总计"],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
        ["一、本年新收政府信息公开申请数量", "5", "1", "0", "0", "0", "0", "6"],
        ["三、本年度办理结果", "（一）予以公开", "2", "1", "0", "0", "0", "0", "3"],
        ["（三）不予公开", "1.属于国家秘密", "1", "0", "0", "0", "0", "0", ""],
        ["2.其他法律行政法规禁止公开", "2", "0", "0", "0", "0", "0", ""],
    ]
    assert all(b.exact and b.table == 0 for b in blocks)
    assert blocks[0].extras["spans"] == [(3, 3), (1, 7)]
    assert blocks[1].extras["spans"] == [(2, 1), (1, 5), (2, 1)]
    assert blocks[4].extras["spans"][:2] == [(3, 1), (1, 2)]
    assert blocks[5].extras["spans"][0] == (2, 1)
    assert "spans" not in blocks[6].extras


def test_cell_paragraphs_join_and_blank_and_dash_cells_are_kept():
    document = docx.Document()
    add_table(
        document,
        [
            ["法律服务\n机构", "结果\n维持", "/", "", "　", "—"],
            ["", "", "", "", "", ""],
            ["行政强制", "0", "", "", "", ""],
        ],
    )
    # the all-blank row in the middle carries nothing and is left out
    assert rows(docx_blocks(save(document))) == [
        ["法律服务机构", "结果维持", "/", "", "", "—"],
        ["行政强制", "0", "", "", "", ""],
    ]


def test_nested_table_in_a_layout_table():
    document = docx.Document()
    outer = document.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.text = "某局2020年政府信息公开工作年度报告"
    cell.add_paragraph("一、总体情况")
    inner = cell.add_table(rows=2, cols=2)
    for r, (label, value) in enumerate([("规章", "0"), ("行政许可", "5")]):
        inner.cell(r, 0).text = label
        inner.cell(r, 1).text = value
    cell.add_paragraph("二、后文")
    assert docx_blocks(save(document)) == [
        Para("某局2020年政府信息公开工作年度报告"),
        Para("一、总体情况"),
        Row(["规章", "0"], exact=True, table=0),
        Row(["行政许可", "5"], exact=True, table=0),
        Para("二、后文"),
    ]


def test_content_controls_tracked_insertions_and_text_boxes():
    document = docx.Document()
    document.add_paragraph("第一段")
    body = document.element.body
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>控件里的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    body.insert(body.index(document.paragraphs[0]._p) + 1, sdt)
    paragraph = document.add_paragraph("插入")
    paragraph._p.append(
        parse_xml(f"<w:ins {nsdecls('w')} w:id='1' w:author='a'><w:r><w:t>的文字</w:t></w:r></w:ins>")
    )
    paragraph._p.append(
        parse_xml(
            f"<w:del {nsdecls('w')} w:id='2' w:author='a'><w:r><w:delText>删掉的</w:delText></w:r></w:del>"
        )
    )
    assert docx_blocks(save(document)) == [Para("第一段"), Para("控件里的段落"), Para("插入的文字")]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"\x00" * 100,
        b"PK\x03\x04" + b"\x00" * 200,
        bytes(range(256)) * 4,
        b"<html><body><p>not a docx</p></body></html>",
    ],
)
def test_junk_is_unreadable(data):
    with pytest.raises(Unreadable):
        docx_blocks(data)


def test_zip_that_is_not_a_word_document_is_unreadable():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "你好")
    with pytest.raises(Unreadable):
        docx_blocks(buffer.getvalue())


def test_truncated_docx_is_unreadable():
    document = docx.Document()
    document.add_paragraph("正文")
    data = save(document)
    with pytest.raises(Unreadable):
        docx_blocks(data[: len(data) // 2])


def test_docx_without_text_is_unreadable():
    document = docx.Document()
    document.add_paragraph("")
    document.add_table(rows=2, cols=2)
    with pytest.raises(Unreadable):
        docx_blocks(save(document))


# --- fuzz ---


@settings(max_examples=200)
@given(st.binary())
def test_fuzz_bytes(data):
    with contextlib.suppress(Unreadable):
        docx_blocks(data)


def _with_document_xml(xml: bytes) -> bytes:
    document = docx.Document()
    document.add_paragraph("正文")
    source = zipfile.ZipFile(io.BytesIO(save(document)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, xml if item.filename == "word/document.xml" else source.read(item))
    return buffer.getvalue()


_XML_PIECES = st.one_of(
    st.sampled_from(
        ["<w:p>", "</w:p>", "<w:r>", "</w:r>", "<w:t>", "</w:t>", "<w:tbl>", "</w:tbl>", "<w:tr>"]
    ),
    st.sampled_from(
        ["</w:tr>", "<w:tc>", "</w:tc>", '<w:tcPr><w:vMerge/><w:gridSpan w:val="x"/></w:tcPr>', "<w:br/>"]
    ),
    st.text(max_size=8),
)


@settings(max_examples=200)
@given(st.lists(_XML_PIECES, max_size=40))
def test_fuzz_document_xml(pieces):
    body = "".join(pieces)
    xml = f"<w:document {nsdecls('w')}><w:body>{body}</w:body></w:document>".encode(
        "utf-8", errors="surrogatepass"
    )
    try:
        blocks = docx_blocks(_with_document_xml(xml))
    except Unreadable:
        return
    assert all(isinstance(b, Para | Row) for b in blocks)


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=30)


@settings(max_examples=50)
@given(
    st.lists(_XML_TEXT, min_size=1, max_size=5),
    st.lists(st.lists(_XML_TEXT, min_size=1, max_size=3), max_size=3),
)
def test_fuzz_document_text(lines, table):
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if table:
        width = max(len(r) for r in table)
        add_table(document, [[*r, *[""] * (width - len(r))] for r in table])
    try:
        blocks = docx_blocks(save(document))
    except Unreadable:
        assert not clean_text("".join(lines)) and not any(clean_text("".join(r)) for r in table)
        return
    assert all(isinstance(b, Para | Row) for b in blocks)


# --- end to end: a Word report -> AnnualReport (needs the assembler) ---

_OUTCOME = [r.code for r in TABLE3_ROWS_2021 if r.code not in ("new", "carried_in", "total", "carried_out")]


def _table3_values() -> dict[str, list[int]]:
    """A consistent table 3: 一 + 二 = （七） + 四 per column, （七） = the outcomes, 总计 = the six columns."""
    six = {
        "new": [20, 3, 0, 1, 0, 1],
        "carried_in": [2, 0, 0, 0, 0, 0],
        "carried_out": [1, 1, 0, 0, 0, 0],
        "partial": [2, 0, 0, 0, 0, 0],
        "refused.third_party": [1, 0, 0, 0, 0, 0],
        "unable.not_held": [6, 1, 0, 1, 0, 0],
        "not_processed.duplicate": [1, 0, 0, 0, 0, 0],
        "other.no_correction": [2, 0, 0, 0, 0, 1],
    }
    six["total"] = [
        a + b - c for a, b, c in zip(six["new"], six["carried_in"], six["carried_out"], strict=True)
    ]
    others = [code for code in _OUTCOME if code != "granted"]
    six["granted"] = [
        t - sum(six.get(code, [0] * 6)[i] for code in others) for i, t in enumerate(six["total"])
    ]
    return {row.code: [*(v := six.get(row.code, [0] * 6)), sum(v)] for row in TABLE3_ROWS_2021}


TABLE3 = _table3_values()
TABLE4 = {
    "review": [1, 1, 0, 1, 3],
    "litigation_direct": [0, 0, 0, 0, 0],
    "litigation_after_review": [1, 0, 0, 0, 1],
}


def _table3_spec() -> Spec:
    spec: Spec = [
        [
            ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
            ("申请人情况", 1, 7),
        ],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        ["商业企业", "科研机构", "社会公益\n组织", "法律服务\n机构", "其他"],
    ]
    groups = {
        "refused.": "（三）不予公开",
        "unable.": "（四）无法提供",
        "not_processed.": "（五）不予处理",
        "other.": "（六）其他处理",
    }
    first_outcome = True
    for row in TABLE3_ROWS_2021:
        cells: list = []
        if row.code in ("new", "carried_in", "carried_out"):
            cells.append((row.label, 1, 3))
        else:
            if first_outcome:
                cells.append(("三、本年度办理结果", len(_OUTCOME) + 1, 1))
                first_outcome = False
            prefix = next((p for p in groups if row.code.startswith(p)), None)
            if prefix is None:
                cells.append((row.label, 1, 2))
            else:
                members = [r for r in TABLE3_ROWS_2021 if r.code.startswith(prefix)]
                if members[0] is row:
                    cells.append((groups[prefix], len(members), 1))
                cells.append(row.label)
        spec.append([*cells, *(str(v) for v in TABLE3[row.code])])
    return spec


def _report_docx() -> bytes:
    document = docx.Document()
    title = document.add_paragraph()
    title.add_run("北岸区教育局2023年政府信息公开工作年度报告").bold = True
    document.add_paragraph("本报告依据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号编制。")
    document.add_heading("一、总体情况", 1)
    document.add_paragraph("2023年，我局共收到政府信息公开申请25件。")
    document.add_heading("二、主动公开政府信息情况", 1)
    spec: Spec = []
    for block in TABLE2_2021:
        spec.append([(block.caption, 1, 4)])
        wide = len(block.columns) == 1
        spec.append(
            ["信息内容", *([(block.columns[0].label, 1, 3)] if wide else [c.label for c in block.columns])]
        )
        for row in block.rows:
            values = {"regulations": ["0", "0", "0"], "normative_documents": ["4", "1", "30"]}.get(
                row.code, ["7"]
            )
            spec.append([row.label, *([(values[0], 1, 3)] if wide else values)])
    add_table(document, spec)
    document.add_heading("三、收到和处理政府信息公开申请情况", 1)
    add_table(document, _table3_spec())
    document.add_heading("四、政府信息公开行政复议、行政诉讼情况", 1)
    results = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
    add_table(
        document,
        [
            [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
            [*((r, 2, 1) for r in results), ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
            results * 2,
            [str(v) for g in TABLE4_GROUPS for v in TABLE4[g.code]],
        ],
    )
    document.add_heading("五、存在的主要问题及改进情况", 1)
    document.add_paragraph("公开的及时性有待提高。")
    document.add_heading("六、其他需要报告的事项", 1)
    document.add_paragraph("本年度未收取信息处理费。")
    return save(document)


def test_word_report_end_to_end():
    from gongkai.report.parse import read_bytes

    report = read_bytes(_report_docx(), "report.docx")
    assert (report.format, report.year, report.agency) == ("2021", 2023, "北岸区教育局")
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    for row, values in TABLE3.items():
        assert [report.value3(row, i) for i in range(len(TABLE3_COLUMNS))] == values, row
    for group, values in TABLE4.items():
        assert [cell.value for cell in report.table4[group]] == values, group
    assert report.table2["normative_documents"]["in_force"].value == 30
    assert report.table2["fees"]["amount"].raw == "7"
    assert not [f for f in report.findings if f.severity == "error"]


def test_word_report_merged_label_cells_are_not_repeated():
    blocks = docx_blocks(_report_docx())
    table3 = [b.cells for b in blocks if isinstance(b, Row) and b.table == 1]
    assert table3[5][:2] == ["三、本年度办理结果", "（一）予以公开"]
    assert sum(cells.count("三、本年度办理结果") for cells in table3) == 1
    assert table3[2] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert len(table3) == 3 + len(TABLE3_ROWS_2021)
