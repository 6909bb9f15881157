"""The rules R1–R11 (gongkai/report/rules.py) on hand-built reports and on drawn ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from gongkai.report.formats import FORMAT_2019, FORMAT_2021, TABLE4_GROUPS
from gongkai.report.model import Cell, Finding, Location
from gongkai.report.rules import RULES, check
from tests.report.strategies import changed_cell, expected_errors, outcome_codes, valid_reports, zero_report

NATURAL, TOTAL = 0, 6
T4_TOTAL = 4


def errors(report, previous=None) -> set[tuple[str, str]]:
    return {(f.rule, str(f.location)) for f in check(report, previous=previous) if f.severity == "error"}


def by_rule(report, rule, previous=None) -> list[Finding]:
    return [f for f in check(report, previous=previous) if f.rule == rule]


def set_row(report, row: str, values: list) -> None:
    report.table3[row] = [Cell("" if v is None else str(v)) for v in values]


def row_of(natural=0, commercial=0, total=None) -> list[int]:
    """A table 3 row with the given 自然人 and 商业企业 and 总计 (their sum unless given)."""
    return [natural, commercial, 0, 0, 0, 0, natural + commercial if total is None else total]


def with_applications(fmt_code="2021", *, new=0, carried_in=0, granted=0, carried_out=0, year=None):
    """A consistent report whose applications are all from 自然人."""
    report = zero_report(fmt_code, year=year)
    set_row(report, "new", row_of(new))
    set_row(report, "carried_in", row_of(carried_in))
    set_row(report, "granted", row_of(granted))
    set_row(report, "total", row_of(granted))
    set_row(report, "carried_out", row_of(carried_out))
    return report


# --- the registry and a consistent report ---


def test_registry_lists_eleven_rules_with_chinese_descriptions():
    assert list(RULES) == [f"R{i}" for i in range(1, 12)]
    for rule_id, (function, description) in RULES.items():
        assert callable(function) and function.__name__.startswith(rule_id.lower() + "_")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in description)


@pytest.mark.parametrize("fmt_code", ["2019", "2021"])
def test_consistent_report_has_no_findings(fmt_code):
    assert check(zero_report(fmt_code)) == []
    assert check(with_applications(fmt_code, new=5, carried_in=2, granted=4, carried_out=3)) == []


def test_reader_findings_come_first():
    report = zero_report()
    reader = Finding("R11", "warning", "table4", "表四数据行有16个单元格，应为15个")
    report.findings.append(reader)
    report.sections.pop("6")
    findings = check(report)
    assert findings[0] is reader
    assert [f.rule for f in findings[1:]] == ["R8"]


# --- R1–R4 ---


def test_r1_carry_balance():
    report = zero_report()
    set_row(report, "carried_out", row_of(1))
    (finding,) = by_rule(report, "R1")[:1]
    assert finding.severity == "error"
    assert finding.location == Location.table3("carried_out", NATURAL)
    assert str(finding.location) == "table3.carried_out[自然人]"
    assert (finding.expected, finding.actual) == (0, 1)
    assert (
        "表三 自然人列：一、本年新收 + 二、上年结转 = 0 + 0 = 0，而（七）总计 + 四、结转下年度"
        in finding.message
    )
    assert errors(report) == {("R1", "table3.carried_out[自然人]"), ("R1", "table3.carried_out[总计]")}


def test_r1_expected_is_what_carried_out_should_be():
    report = with_applications(new=7, carried_in=2, granted=5, carried_out=3)
    (finding, _) = by_rule(report, "R1")
    assert (finding.expected, finding.actual) == (7 + 2 - 5, 3)


def test_r2_outcome_total():
    report = zero_report("2019")
    set_row(report, "other", row_of(2))  # （六）其他处理 (2019: one row)
    set_row(report, "refused.state_secret", row_of(1))
    set_row(report, "total", row_of(2))
    set_row(report, "new", row_of(2))
    findings = by_rule(report, "R2")
    assert [(str(f.location), f.expected, f.actual) for f in findings] == [
        ("table3.total[自然人]", 3, 2),
        ("table3.total[总计]", 3, 2),
    ]
    assert errors(report) == {("R2", "table3.total[自然人]"), ("R2", "table3.total[总计]")}


def test_r2_counts_every_outcome_row_of_the_2021_layout():
    codes = outcome_codes(FORMAT_2021)
    assert codes[:2] == ["granted", "partial"] and codes[-3:] == [
        "other.no_correction",
        "other.fee_unpaid",
        "other.other",
    ]
    assert len(codes) == 21 and len(outcome_codes(FORMAT_2019)) == 19
    report = zero_report("2021")
    for code in codes:
        set_row(report, code, row_of(1))
    set_row(report, "total", row_of(len(codes)))
    set_row(report, "new", row_of(len(codes)))
    assert check(report) == []


def test_r3_applicant_total():
    report = zero_report()
    set_row(report, "granted", row_of(1, 2, total=4))
    (finding,) = by_rule(report, "R3")
    assert (finding.severity, str(finding.location)) == ("error", "table3.granted[总计]")
    assert (finding.expected, finding.actual) == (3, 4)
    assert "（一）予以公开" in finding.message


def test_r3_blank_totals_are_one_info_not_sum_errors():
    report = with_applications(new=3, granted=3)
    for code in ("granted", "refused.state_secret", "unable.not_held"):
        report.table3[code][TOTAL] = Cell("")
    findings = by_rule(report, "R3")
    assert [(f.severity, str(f.location), f.actual) for f in findings] == [("info", "table3", 3)]
    assert "（三）不予公开 1.属于国家秘密" in findings[0].message
    assert not errors(report)
    (blank,) = by_rule(report, "R11")
    assert (blank.severity, str(blank.location), blank.actual) == ("warning", "table3", 3)


def test_r4_review_litigation_total():
    report = zero_report()
    report.table4["review"] = [Cell(v) for v in ("1", "0", "0", "1", "3")]
    report.table4["litigation_after_review"] = [Cell(v) for v in ("1", "1", "0", "0", "2")]
    (finding,) = by_rule(report, "R4")
    assert finding.location == Location.table4("review", T4_TOTAL)
    assert str(finding.location) == "table4.review[总计]"
    assert (finding.expected, finding.actual) == (2, 3)
    assert (
        "表四 行政复议：总计 = 3，而结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 1 + 0 + 0 + 1 = 2"
        in finding.message
    )


# --- blanks, dashes and unknown cells: never 0 ---


def test_sums_skip_unknown_operands():
    report = with_applications(new=3, granted=2, carried_out=1)
    report.table3["carried_in"][NATURAL] = Cell("")  # blank
    report.table3["refused.state_secret"][NATURAL] = Cell("/")  # dash
    report.table4["review"][0] = None  # unread
    assert errors(report) == {("R11", "table4.review")}
    (summary,) = [f for f in by_rule(report, "R11") if str(f.location) == "table3"]
    assert summary.severity == "warning" and summary.actual == 2
    assert "空白 1 个" in summary.message and "二、上年结转/自然人" in summary.message


def test_blank_is_not_zero():
    report = zero_report()
    set_row(report, "granted", [None, 0, 0, 0, 0, 0, 0])
    set_row(report, "total", [None, 0, 0, 0, 0, 0, 0])
    assert errors(report) == set()  # R2/R3 cannot compare what is blank
    report.table3["granted"][NATURAL] = Cell("0")
    report.table3["total"][NATURAL] = Cell("1")
    assert ("R2", "table3.total[自然人]") in errors(report)


# --- R5, R6: the previous year ---


def test_r5_carried_over():
    previous = with_applications(new=4, granted=1, carried_out=3, year=2021)
    report = with_applications(new=1, carried_in=2, granted=3, year=2022)
    findings = by_rule(report, "R5", previous)
    assert [(f.severity, str(f.location), f.expected, f.actual) for f in findings] == [
        ("error", "table3.carried_in[自然人]", 3, 2),
        ("error", "table3.carried_in[总计]", 3, 2),
    ]
    assert "二、上年结转政府信息公开申请数量 = 2" in findings[0].message
    assert by_rule(report, "R5") == []
    set_row(report, "carried_in", row_of(3))
    set_row(report, "new", row_of(0))
    assert by_rule(report, "R5", previous) == []


def test_r5_needs_the_previous_year_of_the_same_agency():
    previous = with_applications(carried_out=3, year=2020, fmt_code="2019")
    report = with_applications(year=2022)
    (finding,) = by_rule(report, "R5", previous)
    assert (finding.severity, finding.expected, finding.actual) == ("warning", 2021, 2020)
    previous.year, previous.agency = 2021, "上海市人民政府办公厅"
    (finding,) = by_rule(report, "R5", previous)
    assert finding.severity == "warning" and "上海市人民政府办公厅" in finding.message
    assert by_rule(report, "R6", previous) == []


def test_r6_documents_in_force():
    previous = zero_report(year=2023)
    report = zero_report(year=2024)
    previous.table2["normative_documents"]["in_force"] = Cell("411")
    for column, value in {"issued": "62", "repealed": "33", "in_force": "440"}.items():
        report.table2["normative_documents"][column] = Cell(value)
    assert by_rule(report, "R6", previous) == []
    report.table2["normative_documents"]["in_force"] = Cell("445")
    (finding,) = by_rule(report, "R6", previous)
    assert finding.severity == "warning"
    assert finding.location == Location.table2("normative_documents", "现行有效件数")
    assert str(finding.location) == "table2.normative_documents[现行有效件数]"
    assert (finding.expected, finding.actual) == (440, 445)
    assert by_rule(report, "R6") == []


# --- R7, R8 ---


def test_r7_format_matches_year():
    report = zero_report("2019", year=2020)
    assert by_rule(report, "R7") == []
    report.year = 2021
    (finding,) = by_rule(report, "R7")
    assert (finding.severity, str(finding.location), finding.expected, finding.actual) == (
        "error",
        "format",
        "2021",
        "2019",
    )
    assert FORMAT_2021.notice in finding.message
    late = zero_report("2021", year=2020)
    (finding,) = by_rule(late, "R7")
    assert (finding.severity, finding.expected, finding.actual) == ("error", "2019", "2021")


def test_r7_cannot_tell():
    report = zero_report()
    report.year = None
    assert [(f.severity, str(f.location)) for f in by_rule(report, "R7")] == [("warning", "format")]
    report.year, report.format = 2021, None
    assert [f.severity for f in by_rule(report, "R7")] == ["warning"]
    report.findings.append(Finding("R7", "error", "format", "无法判断报告采用的格式"))
    assert [f.severity for f in by_rule(report, "R7")] == ["error"]  # only the reader's


def test_r8_missing_sections():
    report = zero_report()
    del report.sections["3"], report.sections["5"]
    findings = by_rule(report, "R8")
    assert [(f.severity, str(f.location)) for f in findings] == [
        ("error", "section.3"),
        ("error", "section.5"),
    ]
    assert "三、收到和处理政府信息公开申请情况" in findings[0].message


@pytest.mark.parametrize(
    "period, fires",
    [
        ("本年度报告中所列数据的统计期限自 2020 年 1 月 1 日起至 12 月 31 日止。", False),
        ("本报告所列数据统计期限为2020年1月1日至2020年12月31日。", False),
        ("本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止。", True),
        ("本报告所列数据的统计期限自 2020 年 1 月 1 日起至 11 月 30 日止。", True),
        ("本报告电子版可从政府网站下载。", False),  # no period stated: nothing to compare
    ],
)
def test_r8_statistical_period(period, fires):
    report = zero_report("2019", year=2020)
    report.preamble = period
    findings = [f for f in by_rule(report, "R8") if str(f.location) == "period"]
    assert [f.severity for f in findings] == (["warning"] if fires else [])


@pytest.mark.parametrize(
    "preamble, fires",
    [
        (
            "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、因政府信息公开工作被申请复议、"
            "提起行政诉讼情况、政府信息公开工作存在的主要问题及改进情况、其他需要报告的事项六部分组成。",
            False,
        ),
        (
            "本报告共分6个部分：总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
            "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。",
            False,
        ),
        (
            "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
            "存在的主要问题及改进情况、其他需要报告的事项五个部分组成。",
            True,
        ),
        (
            "本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
            "政府信息公开行政复议、行政诉讼情况和存在的主要问题及改进情况。",
            True,
        ),
    ],
)
def test_r8_announced_parts(preamble, fires):
    report = zero_report()
    report.preamble = preamble
    findings = [f for f in by_rule(report, "R8") if str(f.location) == "preamble"]
    assert bool(findings) == fires
    assert all(f.severity == "warning" for f in findings)


def test_r8_five_parts_announced_reports_the_count():
    report = zero_report()
    report.preamble = (
        "本报告由总体情况、主动公开、依申请公开、存在的主要问题、其他需要报告的事项五个部分组成。"
    )
    counts = {(f.expected, f.actual) for f in by_rule(report, "R8")}
    assert (6, 5) in counts


# --- R9: figures in the text against the tables ---

SHANGHAI = (
    "（二）依申请公开方面\n市政府共受理政府信息公开申请 1295 件，办结 1191 件（含\n上年结转 189 件），均在法定期限内答复。"
    "其中，予以公开及部分公开 208 件（17.46%），不予公开 20 件（1.68%），因本机关\n不掌握等原因无法提供 564 件（47.36%），"
    "属信访、重复申请等不予处理 80 件（6.72%），其他处理 319 件（26.78%，含申请人\n主动撤回 157 件）。"
    "全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。"
)


def shanghai_like():
    """The applications and cases of the 上海市人民政府办公厅 2025 report, totals only where it matters."""
    report = with_applications(new=1295, carried_in=189, granted=206, carried_out=293, year=2025)
    set_row(report, "partial", row_of(2))
    set_row(report, "unable.not_held", row_of(1191 - 208))
    set_row(report, "total", row_of(1191))
    report.table4["review"] = [Cell(v) for v in ("40", "0", "10", "5", "55")]
    report.sections["1"] = SHANGHAI
    return report


def test_r9_shanghai_text_agrees():
    assert by_rule(shanghai_like(), "R9") == []


def test_r9_received_and_concluded():
    report = shanghai_like()
    set_row(report, "new", row_of(1290))
    set_row(report, "carried_out", row_of(288))
    (finding,) = by_rule(report, "R9")
    assert (finding.severity, str(finding.location), finding.expected, finding.actual) == (
        "error",
        "section.1",
        1290,
        1295,
    )
    assert "受理政府信息公开申请1295件" in finding.message and "一、本年新收" in finding.message
    report = shanghai_like()
    report.sections["1"] = report.sections["1"].replace("办结 1191 件", "办结 1192 件")
    (finding,) = by_rule(report, "R9")
    assert (finding.expected, finding.actual) == (1191, 1192)


def test_r9_handled_may_mean_received_or_concluded():
    report = with_applications(new=218, granted=218)
    report.sections["1"] = "全年办理政府信息公开申请218件。"
    assert by_rule(report, "R9") == []
    report.sections["1"] = "全年办理政府信息公开申请217件。"
    assert [f.actual for f in by_rule(report, "R9")] == [217]


def test_r9_none_received():
    report = zero_report(year=2020, fmt_code="2019")
    report.sections["1"] = (
        "一是收到申请情况。2020年，我局未收到群众主动要求公开政府信息的申请。二是收费情况。"
    )
    assert by_rule(report, "R9") == []
    set_row(report, "new", row_of(2))
    set_row(report, "granted", row_of(2))
    set_row(report, "total", row_of(2))
    (finding,) = by_rule(report, "R9")
    assert (str(finding.location), finding.expected, finding.actual) == ("section.1", 2, 0)
    assert "未收到群众主动要求公开政府信息的申请" in finding.message


def test_r9_granted_only_when_the_phrase_is_clear():
    report = shanghai_like()
    report.sections["3"] = "对收到的申请，予以公开207件，部分公开2件。"
    assert [(f.expected, f.actual) for f in by_rule(report, "R9")] == [(206, 207)]
    report.sections["3"] = "对收到的申请，予以公开及部分公开207件。"
    assert by_rule(report, "R9") == []


def test_r9_review_and_litigation():
    report = zero_report()
    report.table4["review"] = [Cell(v) for v in ("1", "0", "0", "1", "2")]
    report.table4["litigation_direct"] = [Cell(v) for v in ("1", "0", "0", "0", "1")]
    report.sections["4"] = "本年度因政府信息公开工作被申请行政复议2件，提起行政诉讼1起。"
    assert by_rule(report, "R9") == []
    report.sections["4"] = "本年度因政府信息公开工作被申请行政复议3件，提起行政诉讼2起。"
    assert [(str(f.location), f.expected, f.actual) for f in by_rule(report, "R9")] == [
        ("section.4", 2, 3),
        ("section.4", 1, 2),
    ]
    report.sections["4"] = "本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
    assert [(f.expected, f.actual) for f in by_rule(report, "R9")] == [(2, 0), (1, 0)]
    report.sections["4"] = "行政复议结果纠正0件。全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。"
    assert by_rule(report, "R9") == []


def test_r9_skips_unknown_cells():
    report = zero_report()
    report.table3["new"][TOTAL] = Cell("")
    report.sections["1"] = "全年共收到政府信息公开申请5件。"
    assert by_rule(report, "R9") == []


def test_r9_ignores_other_kinds_of_requests():
    report = zero_report()
    report.sections["1"] = (
        "全年受理行政复议申请3件，办结信访件12件，收到人大代表建议5件，受理各类群众诉求259起。"
    )
    assert by_rule(report, "R9") == []


# --- R10: totals and their parts ---

SEED_SENTENCE = (
    "通过政府网站主动公开政府信息共114条，其中权责清单类1条，法制专栏类1条，政府信息\n\n"
    "公开目录栏目上传科技类文件信息 18 条，议案提案类 1 条，扶贫开发类 2 条，部门预算 1 条，部门决算 1 条，"
    "就业创业类 2 条，行政执法类 1 条，部门动态类信息 78 条，政府开放日 2 条，意见征集类 1 条，意见征集反馈类 2 条，"
    "三农服务类 1 条，公示公告类一条。通过沙坡头区科学技术局政务微博主动公开政府信息 714 条，其中原创信息 1 条，"
    "转载信息 713 条。"
)


def test_r10_seed_sentence():
    report = zero_report("2019", year=2020)
    report.sections["1"] = SEED_SENTENCE
    (finding,) = by_rule(report, "R10")
    assert (finding.severity, str(finding.location), finding.expected, finding.actual) == (
        "warning",
        "section.1",
        114,
        113,
    )
    assert "114" in finding.message and "113" in finding.message


@pytest.mark.parametrize(
    "sentence, total_and_sum",
    [
        (
            "今年共发布380条财政资金信息，其中专项资金152条，预决算公开197条（政府预决算32条、部门预决算公开165条）、"
            "“三公”经费27条、债券发行4条。",
            None,
        ),
        ("共受理申请100件，其中予以公开50件（50%），不予公开40件（40.00%）。", (100, 90)),
        ("2021年共制发文件12件，其中2021年1月3件、2月4件。", (12, 7)),
        ("共发布信息30条，其中文字两条、图片十二条。", (30, 14)),
        ("共发布信息30条，其中文字10条。", None),  # one part: may be a highlight
        ("共发布信息30条，其中文字10个、图片5个。", None),  # another unit
        ("共发布信息1000余条，其中文字10条、图片5条。", None),  # an approximate total
        ("发布各类信息 13528 条，总浏览量为 536 万，同比显著增长 82%，其中 47%来自海外。", None),
        ("发布办事服务指引 403 项，其中直接办事服务 19 项。", None),
    ],
)
def test_r10_parts(sentence, total_and_sum):
    report = zero_report()
    report.sections["2"] = sentence
    found = [(f.expected, f.actual) for f in by_rule(report, "R10")]
    assert found == ([total_and_sum] if total_and_sum else [])


# --- R11: cells ---


def test_r11_cell_kinds():
    report = zero_report("2019", year=2020)
    report.table3["granted"][NATURAL] = Cell("-1")
    report.table4["review"][0] = Cell("1.5")
    report.table3["partial"][1] = Cell("若干")
    report.table2["licensing"]["change"] = Cell("-3")  # 本年增/减 may be negative
    report.table2["procurement"]["amount"] = Cell("394432.52")  # money may be a decimal
    report.table2["penalty"]["previous"] = Cell("-2")
    findings = [f for f in by_rule(report, "R11") if f.severity == "error"]
    assert {str(f.location) for f in findings} == {
        "table3.granted[自然人]",
        "table3.partial[商业企业]",
        "table4.review[结果维持]",
        "table2.penalty[上一年项目数量]",
    }
    assert any("“-1”是负数" in f.message for f in findings)


def test_r11_dashes_are_one_warning_per_table():
    report = zero_report()
    for c in range(6):
        report.table3["refused.state_secret"][c] = Cell("—")
    report.table4["litigation_direct"] = [Cell("/")] * 5
    report.table2["regulations"]["issued"] = Cell("/")
    findings = by_rule(report, "R11")
    assert [(f.severity, str(f.location), f.actual) for f in findings] == [
        ("info", "table2", 1),
        ("warning", "table3", 6),
        ("warning", "table4", 5),
    ]
    assert not errors(report)


def test_r11_unread_rows_and_tables():
    report = zero_report()
    report.table3["partial"] = [None] * 7
    del report.table3["unable.not_held"]
    report.table4 = {}
    report.table2["fees"] = {}
    findings = by_rule(report, "R11")
    assert [(f.severity, str(f.location)) for f in findings] == [
        ("error", "table2.fees"),
        ("error", "table3.partial"),
        ("error", "table3.unable.not_held"),
        ("error", "table4"),
    ]
    report.table3 = {row.code: [None] * 7 for row in FORMAT_2021.table3_rows}
    assert [f.location for f in by_rule(report, "R11") if f.location.kind == "table3"] == [Location.table3()]


def test_r11_does_not_repeat_the_reader():
    report = zero_report()
    report.table3 = {row.code: [None] * 7 for row in FORMAT_2021.table3_rows}
    report.table3["new"] = [Cell("0")] * 7
    report.table4["review"] = [None] * 5
    report.findings = [
        Finding("R11", "error", "table3", "表三“…”行的数字连在一起，无法唯一拆分，该行各项未知"),
        Finding("R11", "error", "table4.review", "表四“行政复议”行只有4个单元格，应为5个"),
    ]
    assert check(report) == report.findings


# --- properties ---


@settings(max_examples=60, deadline=None)
@given(valid_reports())
def test_valid_reports_have_no_findings(report):
    assert check(report) == []


# Cells the drawn narrative may state (R9 may then fire too, in the section that states them).
STATED_IN_TEXT = {
    ("table3", "new", TOTAL),
    ("table3", "total", TOTAL),
    ("table3", "granted", TOTAL),
    ("table4", "review", T4_TOTAL),
    ("table4", "litigation_direct", T4_TOTAL),
    ("table4", "litigation_after_review", T4_TOTAL),
}


@settings(max_examples=150, deadline=None)
@given(changed_cell())
def test_changing_one_cell_fires_where_it_was_changed(case):
    report, table, row, column = case
    fired = errors(report)
    table_rules = {(rule, location) for rule, location in fired if rule in ("R1", "R2", "R3", "R4")}
    assert table_rules == expected_errors(table, row, column)
    others = fired - table_rules
    assert all(rule == "R9" and location.startswith("section.") for rule, location in others)
    if (table, row, column) not in STATED_IN_TEXT:
        assert not others


def test_expected_errors_examples():
    assert expected_errors("table3", "granted", NATURAL) == {
        ("R3", "table3.granted[总计]"),
        ("R2", "table3.total[自然人]"),
    }
    assert expected_errors("table3", "new", TOTAL) == {
        ("R3", "table3.new[总计]"),
        ("R1", "table3.carried_out[总计]"),
    }
    assert expected_errors("table4", TABLE4_GROUPS[1].code, 2) == {("R4", "table4.litigation_direct[总计]")}


@settings(max_examples=10, deadline=None)
@given(valid_reports(FORMAT_2019))
def test_strategy_layouts_and_years(report):
    assert report.format == "2019" and report.year in (2019, 2020)
    assert report.title == f"{report.agency}{report.year}年政府信息公开工作年度报告"


def test_r4_warns_when_suits_after_review_outnumber_reviews():
    report = zero_report()
    report.table4["review"] = [Cell(v) for v in ("2", "1", "3", "1", "7")]
    report.table4["litigation_after_review"] = [Cell(v) for v in ("13", "2", "4", "0", "19")]
    findings = check(report)
    assert [(f.rule, f.severity, str(f.location), f.expected, f.actual) for f in findings] == [
        ("R4", "warning", "table4.litigation_after_review[总计]", 7, 19)
    ]
