"""The text/Markdown reader and the shared assembler, on the seed, the real samples and hand-made layouts."""

import codecs
import contextlib
import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gongkai.report.formats import FORMAT_2019, TABLE3_COLUMNS, normalize
from gongkai.report.model import Cell, parse_number
from gongkai.report.parse import Unreadable, read_bytes, read_path, read_text
from gongkai.report.parse.assemble import _Assembler, _unique_split
from gongkai.report.parse.text import text_blocks
from gongkai.report.render import render
from gongkai.report.rules import check
from gongkai.report.rules.common import flatten
from tests.report.strategies import zero_report


def values3(report) -> dict:
    return {row: [c.value if c else None for c in cells] for row, cells in report.table3.items()}


def values4(report) -> dict:
    return {group: [c.value if c else None for c in cells] for group, cells in report.table4.items()}


def test_seed_every_number(seed_path):
    report = read_path(seed_path)
    assert (report.agency, report.year, report.format) == ("沙坡头区科学技术局", 2020, "2019")
    assert report.title == "沙坡头区科学技术局2020年政府信息公开工作年度报告"
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    assert report.sections["6"] == "无"
    assert "统计期限自 2020 年 1 月 1 日起至 12 月 31 日止" in report.preamble
    # table 2, 2019 layout, including the 3 of 其他对外管理服务事项 and the 2 of 行政处罚
    table2 = {row: {col: c.value for col, c in cols.items()} for row, cols in report.table2.items()}
    assert table2["other_services"] == {"previous": 3, "change": 0, "decisions": 0}
    assert table2["penalty"] == {"previous": 2, "change": 0, "decisions": 0}
    assert table2["fees"] == {"previous": 0, "change": 0}
    assert table2["procurement"] == {"projects": 0, "amount": 0}
    assert len(table2) == 8
    # table 3: 23 rows of the 2019 layout, all zero, across the page break
    assert list(report.table3) == [r.code for r in FORMAT_2019.table3_rows]
    assert all(v == [0] * 7 for v in values3(report).values())
    # table 4: 15 zeros; the published row has a 16th cell, which the reader reports
    assert values4(report) == {g: [0] * 5 for g in ("review", "litigation_direct", "litigation_after_review")}
    stray = [f for f in report.findings if str(f.location) == "table4"]
    assert [(f.rule, f.severity, f.expected, f.actual) for f in stray] == [("R11", "warning", 15, 16)]


def test_seed_paragraph_cut_by_page_break_is_joined(seed_path):
    report = read_path(seed_path)
    assert "深入落实党中央、国务院" in report.sections["1"]
    assert "政府信息公开目录栏目上传科技类文件信息 18 条" in report.sections["1"]


@pytest.mark.parametrize("name", ["11-shanghai-govoffice-2025.md", "04-pingtan-2019.txt"])
def test_real_samples_tables(name, samples_dir, expected_samples):
    expected = expected_samples[name]
    report = read_path(samples_dir / name)
    assert report.year == expected["year"]
    assert report.format == expected["format"]
    assert values3(report) == expected["table3"]
    assert values4(report) == expected["table4"]


def test_shanghai_broken_table2_rows_stay_unknown(samples_dir):
    report = read_path(samples_dir / "11-shanghai-govoffice-2025.md")
    assert report.agency == "上海市人民政府办公厅"
    # '| 规章 | 22 | 235 |' lost a column: which one is unknowable, so nothing is invented
    assert report.table2["regulations"] == {"issued": None, "repealed": None, "in_force": None}
    assert any(str(f.location) == "table2.regulations" and f.rule == "R11" for f in report.findings)
    assert report.table2["licensing"]["decisions"].value == 0
    # the converted document has no 五、 heading
    assert "5" not in report.sections and "6" in report.sections


def test_crawler_text_table2_declined_with_finding(samples_dir):
    report = read_path(samples_dir / "04-pingtan-2019.txt")
    assert report.agency == "平潭综合实验区"
    assert all(c is None for cols in report.table2.values() for c in cols.values())
    assert any(str(f.location) == "table2" and f.severity == "error" for f in report.findings)
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    assert report.sections["6"] == "无其他需要报告的事项"


def test_digit_run_split_only_when_unique():
    assert _unique_split("230000023", groups=1, size=7) == ["23", "0", "0", "0", "0", "0", "23"]
    assert _unique_split("0000000", groups=1, size=7) == ["0"] * 7
    assert _unique_split("1100002", groups=1, size=7) == ["1", "1", "0", "0", "0", "0", "2"]
    # 1,10,0,0,0,0,11 and 11,0,0,0,0,0,11 read the same: declined
    assert _unique_split("110000011", groups=1, size=7) is None
    assert _unique_split("1111", groups=1, size=7) is None
    assert _unique_split("0" * 15, groups=3, size=5) == ["0"] * 15


SPACED_2021 = """
某某区人民政府办公室2022年政府信息公开工作年度报告

本报告统计期限为2022年1月1日至12月31日。

一、总体情况
2022年，我办共收到政府信息公开申请3件。

二、主动公开政府信息情况
第二十条第（一）项
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 0 0 0
行政规范性文件 5 1 40
第二十条第（五）项
信息内容 本年处理决定数量
行政许可 12
第二十条第（六）项
信息内容 本年处理决定数量
行政处罚 7
行政强制 /
第二十条第（八）项
信息内容 本年收费金额（单位：万元）
行政事业性收费 12.50

三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 2 1 0 0 0 0 3
二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0
三、本 年 度 办 理 结 果 （一）予以公开 1 1 0 0 0 0 2
（二）部分公开（区分处理的，只计这一情形，不计其他情形） 0 0 0 0 0 0 0
（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0
2.其他法律行政法规禁止公开 0 0 0 0 0 0 0
3.危及“三安全一稳定” 0 0 0 0 0 0 0
4.保护第三方合法权益 0 0 0 0 0 0 0
5.属于三类内部事务信息 0 0 0 0 0 0 0
6.属于四类过程性信息 0 0 0 0 0 0 0
7.属于行政执法案卷 0 0 0 0 0 0 0
8.属于行政查询事项 0 0 0 0 0 0 0
（四）无法提供 1.本机关不掌握相关政府信息 1 0 0 0 0 0 1
2.没有现成信息需要另行制作 0 0 0 0 0 0 0
3.补正后申请内容仍不明确 0 0 0 0 0 0 0
（五）不予处理 1.信访举报投诉类申请 0 0 0 0 0 0 0
2.重复申请 0 0 0 0 0 0 0
3.要求提供公开出版物 0 0 0 0 0 0 0
4.无正当理由大量反复申请 0 0 0 0 0 0 0
5.要求行政机关确认或重新出具已获取信息 0 0 0 0 0 0 0
（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0
3.其他 0 0 0 0 0 0 0
（七）总计 2 1 0 0 0 0 3
四、结转下年度继续办理 0 0 0 0 0 0 0

四、政府信息公开行政复议、行政诉讼情况
行政复议 行政诉讼
结果维持 结果纠正 其他结果 尚未审结 总计
1 0 0 0 1 0 0 0 0 0 0 0 0 0 0

五、存在的主要问题及改进情况
无。

六、其他需要报告的事项
无。
"""


def test_space_separated_2021_layout():
    report = read_text(SPACED_2021)
    assert (report.agency, report.year, report.format) == ("某某区人民政府办公室", 2022, "2021")
    assert report.value3("new", 6) == 3
    assert report.value3("granted", 0) == 1
    assert report.value3("unable.not_held", 6) == 1
    assert report.value3("other.other", 6) == 0
    assert report.table4["review"][4].value == 1
    assert report.table2["normative_documents"]["in_force"].value == 40
    assert report.table2["coercion"]["decisions"].raw == "/"
    assert report.table2["coercion"]["decisions"].value is None
    assert str(report.table2["fees"]["amount"].value) == "12.50"
    assert not [f for f in report.findings if f.severity == "error"]


def test_table_cut_off_midway_is_reported_not_invented():
    cut = SPACED_2021.split("（五）不予处理")[0]
    report = read_text(cut)
    assert report.value3("unable.not_held", 6) == 1
    assert report.table3["not_processed.petition"] == [None] * len(TABLE3_COLUMNS)
    assert report.table3["carried_out"] == [None] * len(TABLE3_COLUMNS)
    missing = {str(f.location) for f in report.findings if f.rule == "R11"}
    assert {"table3.not_processed.petition", "table3.total", "table3.carried_out"} <= missing
    assert all(c is None for cells in report.table4.values() for c in cells)


def test_row_with_a_missing_cell_is_unknown():
    report = read_text(SPACED_2021.replace("（一）予以公开 1 1 0 0 0 0 2", "（一）予以公开 1 1 0 0 0 2"))
    assert report.table3["granted"] == [None] * 7
    assert any(str(f.location) == "table3.granted" and f.severity == "error" for f in report.findings)


def test_markdown_headings_and_pipe_table():
    text = SPACED_2021.replace("一、总体情况", "## 一、总体情况").replace(
        "（七）总计 2 1 0 0 0 0 3",
        "| （七）总计 | 2 | 1 | 0 | 0 | 0 | 0 | 3 |\n|---|---|---|---|---|---|---|---|",
    )
    report = read_text(text)
    assert report.sections["1"].startswith("2022年")
    assert report.value3("total", 6) == 3


@pytest.mark.parametrize(
    "data", [b"", b"   \n\n", b"\x00\x01\x02binary\xff\xfe" * 50, b"\x89PNG\r\n\x1a\n\x00\x00"]
)
def test_unreadable_inputs(data):
    with pytest.raises(Unreadable):
        read_bytes(data, "x.txt")


def test_too_large_input_is_refused():
    with pytest.raises(Unreadable, match="过大"):
        read_bytes(b"a" * (21 * 1024 * 1024), "big.txt")


def test_ten_megabytes_of_text_is_read_without_crash():
    blob = ("某某单位2020年政府信息公开工作年度报告\n" + "无关的文字 1 2 3\n" * 600_000).encode()
    assert len(blob) > 10 * 1024 * 1024
    report = read_bytes(blob, "big.txt")
    assert report.year == 2020


@given(st.text(max_size=2000))
def test_fuzz_text_reader(text):
    try:
        report = read_text(text)
    except Unreadable:
        return
    assert report.format in (None, "2019", "2021")


@given(
    st.lists(
        st.sampled_from(
            [
                "一、总体情况",
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况",
                "（七）总计 1 2 3",
                "规章\t0\t0\t0",
                "| a | 1 |",
                "2020年某局政府信息公开工作年度报告",
                "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
                "---",
                "— 3 —",
                "第二十条第（一）项",
                "本年新收 3 0 0 0 0 0 3",
            ]
        ),
        max_size=40,
    )
)
def test_fuzz_report_like_lines(lines):
    with contextlib.suppress(Unreadable):
        read_text("\n".join(lines))


def test_text_blocks_drop_page_marks():
    blocks = text_blocks("甲\n---\n— 5 —\n第 3 页\n乙")
    assert [b.text for b in blocks] == ["甲", "乙"]


# --- invisible and compatibility characters: labels match, cells and narrative stay as printed ---

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def _zero_report_text(fmt: str = "2021") -> str:
    return render(zero_report(fmt), "md").decode()


@pytest.mark.parametrize("mark", ZERO_WIDTH)
def test_zero_width_characters_in_headings_do_not_hide_sections(mark):
    text = _zero_report_text()
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理",
        "四、政府信息公开行政复议",
        "五、存在",
        "六、其他",
    ):
        assert heading in text
        text = text.replace(heading, mark.join(heading[:2]) + heading[2] + mark + heading[3:], 1)
    text = text.replace("政府信息公开工作年度报告", f"政府信息公开工作年{mark}度报告", 1)
    report = read_text(text)
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    assert (report.agency, report.year) == ("沙坡头区科学技术局", 2021)
    assert not [f for f in check(report) if f.severity == "error"], check(report)


@pytest.mark.parametrize("mark", ZERO_WIDTH)
def test_zero_width_characters_in_row_labels_do_not_hide_rows(mark):
    text = _zero_report_text()
    for label in ("本年新收", "予以公开", "行政规范性文件", "行政许可", "其他处理", "复议后起诉"):
        assert label in text
        text = text.replace(label, label[:2] + mark + label[2:])
    report = read_text(text)
    assert not [f for f in check(report) if f.severity == "error"], check(report)
    assert report.value3("new", 6) == 0 and report.table2["licensing"]["decisions"].value == 0


def test_compatibility_forms_match_in_labels_only():
    """NFKC folds ⼀ (a Kangxi radical, as PDFs extract 一) and ① in labels; never in cells or narrative."""
    text = _zero_report_text()
    text = text.replace("一、总体情况", "⼀、总体情况", 1)  # U+2F00
    text = text.replace("（一）予以公开", "（⼀）予以公开", 1)
    text = text.replace(
        "| 二、上年结转政府信息公开申请数量 |  | 0 |", "| 二、上年结转政府信息公开申请数量 |  | ① |", 1
    )
    text = text.replace("扎实推进政府信息公开工作。", "扎实推进政府信息公开工作，共收到申请②件。", 1)
    report = read_text(text)
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    assert "共收到申请②件" in report.sections["1"]  # narrative as printed
    cell = report.table3["carried_in"][0]
    assert (cell.raw, cell.value) == ("①", None)  # a cell as printed, and not the number 1
    assert report.table3["granted"] == [Cell("0")] * 7
    findings = check(report)
    assert not [f for f in findings if f.rule == "R9"]  # ② is no figure the narrative states
    assert [(f.rule, str(f.location)) for f in findings if f.severity == "error"] == [
        ("R11", "table3.carried_in[自然人]")
    ]


def test_label_normalization_leaves_cell_numbers_alone():
    assert normalize("（一）予以\u200b公开") == normalize("(一)予以公开") == "一予以公开"
    assert normalize("①属于国家秘密") == "1属于国家秘密"
    assert parse_number("①") is None and parse_number("１２") == 12  # fullwidth digits: read as before
    assert flatten("申请②件，办结３件") == "申请②件，办结3件"


@given(
    st.text(
        alphabet=st.sampled_from(
            "一二三四五六、.．\u200b\u2060\ufeff⼀㈠①（）总体情况主动公开行政复议其他需要报告 \n"
        ),
        max_size=80,
    )
)
@example("上文。\u200b二\u2060、主动公开政府信息情况\u200b本年度" + "主动公开" * 20)
@example("\ufeff二、主动公开政府信息情况" + "正文" * 30)
def test_a_heading_found_in_text_is_cut_from_the_text_as_printed(text):
    hit = _Assembler.heading_in(text, 0)
    if hit is not None:
        _index, before, heading, after = hit
        assert before + heading + after == text
        assert heading
        assert not before or before[-1] not in "\u200b\u2060\ufeff"


# --- UTF-16 and UTF-32 with a byte order mark ---


@pytest.mark.parametrize("name", ["r.txt", "r.md", "noname"])
@pytest.mark.parametrize(
    "encoding,bom",
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
    ],
)
def test_utf16_and_utf32_text_with_a_byte_order_mark_is_read(encoding, bom, name):
    text = _zero_report_text()
    report = read_bytes(bom + text.encode(encoding), name)
    assert report == read_text(text, name)
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}


def test_utf16_without_text_or_broken_is_unreadable():
    with pytest.raises(Unreadable, match="空"):
        read_bytes(codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"), "r.txt")
    with pytest.raises(Unreadable):
        read_bytes(codecs.BOM_UTF16_LE + "\ud800".encode("utf-16-le", errors="surrogatepass") * 50, "r.txt")


def test_cells_and_figures_of_hundreds_of_digits_state_no_number():
    """Python refuses int() of more than 4,300 digits, and a float overflows past 308: such a run of
    digits is no figure a report means, so it is kept as printed and not read as a number."""
    text = _zero_report_text()
    text = text.replace("| 规章 | 0 |", "| 规章 | " + "9" * 5000 + " |", 1)
    text = text.replace("| 行政事业性收费 | 0 |", "| 行政事业性收费 | " + "9" * 400 + ".5 |", 1)
    huge = "8" * 5000
    text = text.replace(
        "扎实推进政府信息公开工作。",
        f"扎实推进政府信息公开工作。全年共收到政府信息公开申请{huge}件，办结{huge}件。"
        f"通过网站主动公开信息共{huge}条，其中政策文件{huge}条。统计期限自2021年1月1日起至{huge}年12月31日止。",
        1,
    )
    report = read_text(text)
    assert report.table2["regulations"]["issued"].raw == "9" * 5000
    assert report.table2["regulations"]["issued"].value is None
    fees = report.table2["fees"]["amount"]
    assert fees is None or fees.value is None
    findings = check(report)
    assert "table2.regulations[本年制发件数]" in {str(f.location) for f in findings if f.rule == "R11"}
    json.dumps(report.as_dict(findings=findings), allow_nan=False)  # strict JSON: no Infinity
    assert parse_number("9" * 300) == int("9" * 300) and parse_number("9" * 301) is None


def test_zero_width_character_in_a_plain_text_heading_after_an_unfinished_line():
    """Plain text: a heading line is not taken for the continuation of a long line before it."""
    text = "\n".join(
        line.lstrip("# ")
        for line in _zero_report_text()
        .replace(
            "\n## 一、总体情况",
            "\n本机关认真贯彻落实政府信息公开条例有关规定现将本年度工作情况报告如下\n## 一\u200b、总体情况",
        )
        .splitlines()
    )
    report = read_text(text)
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    assert report.preamble.endswith("报告如下")
