"""The HTML reader: blocks from pages as government sites publish them, and the reports read from them."""

from __future__ import annotations

import codecs
import contextlib
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.report.formats import TABLE3_COLUMNS, TABLE4_GROUPS
from gongkai.report.parse.blocks import Para, Row, Unreadable
from gongkai.report.parse.html import html_blocks

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def page(body: str, *, head: str = '<meta charset="utf-8">') -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def rows(blocks) -> list[list[str]]:
    return [b.cells for b in blocks if isinstance(b, Row)]


def paras(blocks) -> list[str]:
    return [b.text for b in blocks if isinstance(b, Para)]


# --- cells and rows ---

TABLE3_EXCERPT = """
<table border="1">
  <tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
      <td colspan="7">申请人情况</td></tr>
  <tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
  <tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
  <tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
      <td>5</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>6</td></tr>
  <tr><td rowspan="4">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>
      <td>2</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td></tr>
  <tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td>
      <td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>
  <tr><td>2.其他法律行政法规禁止公开</td>
      <td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>
  <tr><td colspan="2">（七）总计</td><td>5</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>6</td></tr>
</table>
"""


def test_rowspan_and_colspan_cells_appear_once_in_their_first_row():
    got = rows(html_blocks(page(TABLE3_EXCERPT)))
    assert got[0] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]
    assert got[1] == ["自然人", "法人或其他组织", "总计"]
    assert got[2] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert got[3] == ["一、本年新收政府信息公开申请数量", "5", "1", "0", "0", "0", "0", "6"]
    # the rowspan=4 group label and the rowspan=2 sub-group label are not repeated in later rows
    assert got[4] == ["三、本年度办理结果", "（一）予以公开", "2", "1", "0", "0", "0", "0", "3"]
    assert got[5] == ["（三）不予公开", "1.属于国家秘密", "1", "0", "0", "0", "0", "0", "1"]
    assert got[6] == ["2.其他法律行政法规禁止公开", "2", "0", "0", "0", "0", "0", "2"]
    assert got[7] == ["（七）总计", "5", "1", "0", "0", "0", "0", "6"]


def test_rows_are_exact_carry_their_table_and_spans():
    blocks = [b for b in html_blocks(page(TABLE3_EXCERPT)) if isinstance(b, Row)]
    assert all(b.exact and b.table == 0 for b in blocks)
    assert blocks[0].extras["spans"] == [(3, 3), (1, 7)]
    assert blocks[4].extras["spans"][:2] == [(4, 1), (1, 2)]
    assert "spans" not in blocks[6].extras


def test_cell_text_joins_paragraphs_and_lines_and_collapses_spaces():
    html = """<table>
      <tr><td><p style="text-align:center"><span>法律服务</span></p><p><span>机构</span></p></td>
          <td>结果<br/>维持</td><td>社会公益&nbsp;&nbsp;&nbsp;组织</td><td>&nbsp;&nbsp;12&nbsp;</td>
          <td>\u3000\u30007\u3000</td><td><p><b>3</b></p>\n\n</td></tr>
    </table>"""
    assert rows(html_blocks(page(html))) == [["法律服务机构", "结果维持", "社会公益 组织", "12", "7", "3"]]


def test_blank_cells_stay_empty_strings():
    html = """<table>
      <tr><td>（一）予以公开</td><td>2</td><td>0</td><td></td><td>&nbsp;</td><td><p><span>&nbsp;</span></p></td><td> </td></tr>
    </table>"""
    assert rows(html_blocks(page(html))) == [["（一）予以公开", "2", "0", "", "", "", ""]]


def test_dash_cells_are_kept_as_printed():
    html = "<table><tr><td>规章</td><td>/</td><td>／</td><td>—</td><td><p>/</p></td></tr></table>"
    assert rows(html_blocks(page(html))) == [["规章", "/", "／", "—", "/"]]


def test_rows_without_any_text_are_skipped():
    # Word's HTML export adds an invisible row of empty cells that only sets column widths
    html = """<table>
      <tr><td>行政许可</td><td>12</td></tr>
      <tr style="display:none" height="0"><td width="80"></td><td width="60">&nbsp;</td></tr>
      <tr></tr>
      <tr><td>行政处罚</td><td>3</td></tr>
    </table>"""
    assert rows(html_blocks(page(html))) == [["行政许可", "12"], ["行政处罚", "3"]]


def test_thead_tbody_th_and_caption():
    html = """<table><caption>表四 行政复议、行政诉讼情况</caption>
      <thead><tr><th colspan="5">行政复议</th><th colspan="10">行政诉讼</th></tr></thead>
      <tbody><tr><td>1</td><td>0</td></tr></tbody>
    </table>"""
    blocks = html_blocks(page(html))
    assert blocks[0] == Para("表四 行政复议、行政诉讼情况")
    assert rows(blocks) == [["行政复议", "行政诉讼"], ["1", "0"]]


def test_table_index_counts_the_data_tables_of_the_document():
    html = """<p>二、主动公开政府信息情况</p>
      <table><tr><td>第二十条第（一）项</td></tr><tr><td>规章</td><td>0</td></tr></table>
      <table><tr><td>第二十条第（五）项</td></tr><tr><td>行政许可</td><td>4</td></tr></table>
      <table><tr><td>一个只有单元格的排版表格</td></tr></table>
      <table><tr><td>行政处罚</td><td>1</td></tr></table>"""
    blocks = html_blocks(page(html))
    assert [(b.cells[0], b.table) for b in blocks if isinstance(b, Row)] == [
        ("第二十条第（一）项", 0),
        ("规章", 0),
        ("第二十条第（五）项", 1),
        ("行政许可", 1),
        ("行政处罚", 2),
    ]
    assert "一个只有单元格的排版表格" in paras(blocks)


# --- paragraphs ---


def test_paragraphs_headings_lines_and_spaces():
    html = """
      <h1>某局2020年政府信息公开工作年度报告</h1>
      <div>前言文字<div>嵌套块</div>尾随文字</div>
      <h2>一、<span>总体情况</span></h2>
      <p>第一行<br>第二行<br/><br/>第三行</p>
      <p>&nbsp;&nbsp;&nbsp;&nbsp;首行缩进的段落，\u3000\u3000中间有全角空格。</p>
      <p>&nbsp;</p><p><br></p>
      <ul><li>列表一</li><li>列表二</li></ul>
      <h3>（一）小标题</h3>"""
    blocks = html_blocks(page(html))
    assert blocks == [
        Para("某局2020年政府信息公开工作年度报告", 1),
        Para("前言文字"),
        Para("嵌套块"),
        Para("尾随文字"),
        Para("一、总体情况", 2),
        Para("第一行"),
        Para("第二行"),
        Para("第三行"),
        Para("首行缩进的段落， 中间有全角空格。"),
        Para("列表一"),
        Para("列表二"),
        Para("（一）小标题", 3),
    ]


def test_scripts_styles_and_navigation_are_dropped():
    html = """
      <header class="top"><a href="/">首页</a><a href="/zwgk/">政务公开</a></header>
      <nav><ul><li>依申请公开</li></ul></nav>
      <script>var s = "<p>脚本里的文字</p>";</script><style>p { color: red; }</style>
      <noscript>请启用脚本</noscript><iframe src="weather.html">天气</iframe>
      <select><option>省市政府网站</option></select>
      <h1>某局2021年政府信息公开工作年度报告</h1><!-- 注释 --><p>正文。</p>
      <footer>版权所有</footer>"""
    assert paras(html_blocks(page(html))) == ["某局2021年政府信息公开工作年度报告", "正文。"]


def test_page_title_is_not_the_report_title_when_a_heading_exists():
    head = '<meta charset="utf-8"><title>首页_某某县人民政府</title>'
    blocks = html_blocks(page("<h1>某县2022年政府信息公开工作年度报告</h1><p>一、总体情况</p>", head=head))
    assert blocks[0] == Para("某县2022年政府信息公开工作年度报告", 1)
    assert "首页" not in " ".join(paras(blocks))


def test_page_title_is_used_when_the_page_shows_no_title():
    head = '<meta charset="utf-8"><title>某县2022年政府信息公开工作年度报告_年报_某县人民政府</title>'
    blocks = html_blocks(page("<p>一、总体情况</p><p>正文。</p>", head=head))
    assert blocks[0] == Para("某县2022年政府信息公开工作年度报告", 1)
    assert paras(blocks)[1:] == ["一、总体情况", "正文。"]


def test_article_container_is_preferred_and_its_title_kept():
    article = "".join(f"<p>第{i}段正文，介绍本机关政府信息公开工作的具体情况和数据。</p>" for i in range(30))
    html = f"""
      <div class="top"><a href="/">首页</a><a href="/">政务公开</a><a href="/">互动交流</a></div>
      <div class="crumb">当前位置：首页 &gt; 政府信息公开年报</div>
      <div class="article"><div class="article_title">某区2023年政府信息公开工作年度报告</div>
        <div class="info">来源：某区政府办</div>
        <div class="TRS_Editor">{article}<table><tr><td>规章</td><td>0</td></tr><tr><td>行政许可</td><td>3</td></tr></table></div>
      </div>
      <ul class="related"><li>某区2022年政府信息公开工作年度报告</li></ul>
      <div class="bottom">网站标识码：1234567890 主办单位：某区人民政府办公室</div>"""
    blocks = html_blocks(page(html))
    assert blocks[0] == Para("某区2023年政府信息公开工作年度报告", 1)
    assert len(paras(blocks)) == 31
    assert rows(blocks) == [["规章", "0"], ["行政许可", "3"]]
    text = " ".join(paras(blocks))
    assert "网站标识码" not in text and "当前位置" not in text and "2022年" not in text


def test_report_text_outside_the_article_container_is_never_lost():
    article = "".join(f"<p>第{i}段正文，介绍本机关政府信息公开工作的具体情况和数据。</p>" for i in range(30))
    html = f"""
      <div class="main"><h1>某区2023年政府信息公开工作年度报告</h1>
        <div class="TRS_Editor"><p>一、总体情况</p>{article}</div>
      </div>
      <div class="appendix"><p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p></div>"""
    text = paras(html_blocks(page(html)))
    assert text[0] == "某区2023年政府信息公开工作年度报告"
    assert text[-2:] == ["六、其他需要报告的事项", "本年度未收取信息处理费。"]


def test_nested_layout_tables_do_not_swallow_the_report():
    html = """
      <table width="1000"><tr><td colspan="2"><img src="banner.jpg">某县人民政府</td></tr>
        <tr><td width="200"><table><tr><td>信息公开指南</td></tr><tr><td>信息公开年报</td></tr></table></td>
            <td width="800">
              <p>某县民政局2020年政府信息公开工作年度报告</p>
              <p>一、总体情况</p><p>全年收到申请2件。</p>
              <table border="1"><tr><td>第二十条第（一）项</td></tr>
                <tr><td>信息内容</td><td>本年新制作数量</td></tr><tr><td>规章</td><td>0</td></tr></table>
              <p>三、收到和处理政府信息公开申请情况</p>
              <table border="1"><tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>2</td><td></td></tr></table>
            </td></tr>
      </table>"""
    blocks = html_blocks(page(html))
    assert rows(blocks) == [
        ["第二十条第（一）项"],
        ["信息内容", "本年新制作数量"],
        ["规章", "0"],
        ["一、本年新收政府信息公开申请数量", "2", ""],
    ]
    assert [b.table for b in blocks if isinstance(b, Row)] == [0, 0, 0, 1]
    # the content cell holds the article: banner and navigation cells are left out, the order is kept
    assert paras(blocks) == [
        "某县民政局2020年政府信息公开工作年度报告",
        "一、总体情况",
        "全年收到申请2件。",
        "三、收到和处理政府信息公开申请情况",
    ]
    assert isinstance(blocks[3], Row) and isinstance(blocks[6], Para)


def test_article_laid_out_in_a_two_column_table_is_text():
    article = "".join(f"<p>第{i}段正文，介绍本机关政府信息公开工作的具体情况和数据。</p>" for i in range(20))
    html = f"<table><tr><td>栏目导航</td><td>{article}</td></tr></table>"
    blocks = html_blocks(page(html))
    assert rows(blocks) == []
    # the article cell is the article: the navigation cell beside it is left out
    assert paras(blocks) == [f"第{i}段正文，介绍本机关政府信息公开工作的具体情况和数据。" for i in range(20)]


# --- encodings ---

GBK_BODY = "<h1>兴华县2024年度政府信息公开工作年度报告</h1><p>联系人：王堃。</p><table><tr><td>规章</td><td>0</td></tr></table>"


@pytest.mark.parametrize(
    "head",
    [
        '<meta charset="gbk">',
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',  # 堃 is GBK, not GB2312
        '<meta charset="GB18030">',
        "",  # undeclared
        '<meta charset="iso-8859-1">',  # wrongly declared
    ],
)
def test_gbk_pages(head):
    data = f"<html><head>{head}</head><body>{GBK_BODY}</body></html>".encode("gbk")
    blocks = html_blocks(data)
    assert paras(blocks) == ["兴华县2024年度政府信息公开工作年度报告", "联系人：王堃。"]
    assert rows(blocks) == [["规章", "0"]]


@pytest.mark.parametrize(
    "data",
    [
        page(GBK_BODY),
        page(GBK_BODY, head=""),
        b"\xef\xbb\xbf" + page(GBK_BODY, head=""),
        page(GBK_BODY, head='<meta charset="gbk">'),  # declared wrongly: the bytes are UTF-8
        f'<?xml version="1.0" encoding="utf-8"?><html><body>{GBK_BODY}</body></html>'.encode(),
        f"<html><body>{GBK_BODY}</body></html>".encode("utf-16"),
    ],
)
def test_utf8_and_unicode_pages(data):
    blocks = html_blocks(data)
    assert paras(blocks) == ["兴华县2024年度政府信息公开工作年度报告", "联系人：王堃。"]
    assert rows(blocks) == [["规章", "0"]]


def test_gbk_fixture_is_really_gbk():
    data = (FIXTURES / "d-gbk-2024.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "王堃" in " ".join(paras(html_blocks(data)))


# --- not HTML ---


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t ",
        b"\x00\x01\x02\x03" * 300,
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 8,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8,
        "这只是一段纯文本，没有任何标签。".encode(),
        b"<html><body><img src='scan.jpg'></body></html>",
        b"<html><head><title>\xe6\x97\xa0</title><script>var a = 1;</script></head><body>  </body></html>",
    ],
)
def test_junk_and_empty_pages_are_unreadable(data):
    with pytest.raises(Unreadable):
        html_blocks(data)


def test_large_page_is_read_in_reasonable_time():
    paragraph = "<p>" + "政府信息公开工作年度报告正文" * 20 + "</p>\n"
    body = paragraph * (10_000_000 // len(paragraph.encode()))
    data = page(body + "<table><tr><td>行政许可</td><td>12</td></tr></table>")
    assert len(data) > 9_000_000
    started = time.perf_counter()
    blocks = html_blocks(data)
    assert time.perf_counter() - started < 10
    assert rows(blocks) == [["行政许可", "12"]]


# --- fuzz ---

_TAGS = ["p", "div", "span", "table", "tr", "td", "th", "br", "h1", "h3", "li", "b", "script", "tbody"]
_pieces = st.one_of(
    st.sampled_from([f"<{t}>" for t in _TAGS] + [f"</{t}>" for t in _TAGS]),
    st.sampled_from(
        ['<td rowspan="3">', '<td colspan="x">', '<td rowspan="-2">', "&nbsp;", "\u3000", "<!--", "-->"]
    ),
    st.text(max_size=12),
)


@settings(max_examples=300)
@given(st.lists(_pieces, max_size=60))
def test_fuzz_tag_soup(pieces):
    try:
        blocks = html_blocks("".join(pieces).encode("utf-8", errors="surrogatepass"))
    except Unreadable:
        return
    for block in blocks:
        assert isinstance(block, Para | Row)
        if isinstance(block, Row):
            assert (
                block.exact and isinstance(block.table, int) and all(isinstance(c, str) for c in block.cells)
            )
        else:
            assert block.text and block.text == block.text.strip()


@settings(max_examples=300)
@given(st.text())
def test_fuzz_text(text):
    with contextlib.suppress(Unreadable):
        html_blocks(text.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=300)
@given(st.binary())
def test_fuzz_bytes(data):
    with contextlib.suppress(Unreadable):
        html_blocks(data)


# --- end to end: pages -> AnnualReport (needs the assembler) ---


def _report(data: bytes, name: str):
    from gongkai.report.parse import read_bytes

    return read_bytes(data, name)


def _check_tables(report, expected: dict) -> None:
    for row, values in expected["table3"].items():
        assert [report.value3(row, i) for i in range(len(TABLE3_COLUMNS))] == values, row
    for group, values in expected["table4"].items():
        assert [cell.value for cell in report.table4[group]] == values, group


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_reports(name):
    expected = EXPECTED[name]
    report = _report((FIXTURES / name).read_bytes(), name)
    assert (report.format, report.year, report.agency) == (
        expected["format"],
        expected["year"],
        expected["agency"],
    )
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    assert list(report.table3) == list(expected["table3"])
    _check_tables(report, expected)
    raw2 = {
        row: [cell.raw if cell else None for cell in cells.values()] for row, cells in report.table2.items()
    }
    assert raw2 == expected["table2"]


@pytest.mark.parametrize("saved_as", ["page.html", "page.txt", "page"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_pages_saved_in_utf16_or_utf32_are_read_whatever_their_name(encoding, saved_as):
    """A page saved as "Unicode" (with a byte order mark), its charset declaration left as it was."""
    name = "a-trs-2021.html"
    text = (FIXTURES / name).read_bytes().decode("utf-8")
    # Python's "utf-16" and "utf-32" write a little-endian mark; the big-endian codecs write none
    bom = {"utf-16-be": codecs.BOM_UTF16_BE, "utf-32-be": codecs.BOM_UTF32_BE}.get(encoding, b"")
    report = _report(bom + text.encode(encoding), saved_as)
    assert (report.format, report.year, report.agency) == (
        EXPECTED[name]["format"],
        EXPECTED[name]["year"],
        EXPECTED[name]["agency"],
    )
    _check_tables(report, EXPECTED[name])


def test_fixture_chrome_stays_out_of_the_report():
    report = _report((FIXTURES / "a-trs-2021.html").read_bytes(), "a.html")
    assert report.title == "青山区商务局2022年政府信息公开工作年度报告"
    text = report.text()
    for chrome in ("网站标识码", "当前位置", "统计代码", "2021年政府信息公开工作年度报告", "微信"):
        assert chrome not in text
    assert report.sections["6"] == "本年度未收取信息处理费。"


def test_fixture_blank_totals_are_blank_not_zero():
    report = _report((FIXTURES / "b-blank-totals-nested-layout-2023.html").read_bytes(), "b.html")
    for row, cells in report.table3.items():
        total = cells[6]
        if row in ("new", "carried_in", "total", "carried_out"):
            assert total is not None and not total.is_blank
        else:
            assert total is not None and total.is_blank and total.value is None, row


def test_fixture_slash_cells_are_dashes_not_zero():
    expected = EXPECTED["c-slash-and-p-cells-2021.html"]
    report = _report((FIXTURES / "c-slash-and-p-cells-2021.html").read_bytes(), "c.html")
    cells = report.table3[expected["slash_row"]]
    assert all(c is not None and c.is_dash and c.value is None for c in cells)
    assert all(c.is_dash for c in report.table2["regulations"].values())
    assert report.table2["coercion"]["decisions"].raw == "/"


def test_fixture_table4_has_all_groups():
    report = _report((FIXTURES / "e-format2019-2019.html").read_bytes(), "e.html")
    assert list(report.table4) == [g.code for g in TABLE4_GROUPS]


def _sample(name: str) -> tuple[bytes, dict]:
    if not (SAMPLES / "expected.json").exists():
        pytest.skip("../shared/samples is not beside this checkout")
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))[name]
    return (SAMPLES / name).read_bytes(), expected


def test_real_cms_page_blocks():
    data, _expected = _sample("09-pingtan-2024.html")
    blocks = html_blocks(data)
    assert blocks[0] == Para("平潭综合实验区2024年度政府信息公开工作年度报告", 1)
    text = " ".join(paras(blocks))
    for chrome in ("网站标识码", "当前位置", "闽ICP备", "长者模式", "扫一扫"):
        assert chrome not in text
    assert sorted({b.table for b in blocks if isinstance(b, Row)}) == [0, 1, 2]
    table3 = [b.cells for b in blocks if isinstance(b, Row) and b.table == 1]
    assert table3[5] == ["三、本年度办 理结果", "（一）予以公开", "71", "0", "0", "0", "0", "0", "71"]
    assert table3[6][0].startswith("（二）部分公开")
    assert table3[-1] == ["四、结转下年度继续办理", "0", "0", "0", "0", "0", "0", "0"]
    table4 = [b.cells for b in blocks if isinstance(b, Row) and b.table == 2]
    assert table4[-1] == ["2", "1", "3", "1", "7", "0", "0", "0", "0", "0", "13", "2", "4", "0", "19"]


def test_real_cms_page_report():
    data, expected = _sample("09-pingtan-2024.html")
    report = _report(data, "09-pingtan-2024.html")
    assert (report.format, report.year) == (expected["format"], expected["year"])
    assert report.agency == "平潭综合实验区"
    assert expected["agency"].startswith(report.agency)
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    _check_tables(report, expected)
    assert report.table2["normative_documents"]["issued"].value == 62
    assert report.table2["fees"]["amount"].raw == "18651.06"
    assert not [f for f in report.findings if f.severity == "error"]
