"""The JSON data format read back: every problem of a file's structure named where it is, in Chinese.

`AnnualReport.from_dict` refuses data that is not the published format (docs/data-format.md) with one
line per problem; nothing in a file, however mangled, may surface as a Python error.
"""

import copy
import json
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings

from gongkai.report.data import InvalidReportData, describe, problems_in
from gongkai.report.model import SCHEMA, AnnualReport, Cell
from gongkai.report.render import render
from tests.report.strategies import mutated_data, valid_reports, zero_report


def valid_data(fmt: str = "2021") -> dict:
    return json.loads(render(zero_report(fmt), "json"))


def problems_after(change, fmt: str = "2021") -> list[str]:
    data = valid_data(fmt)
    change(data)
    return problems_in(data)


def test_what_gongkai_writes_has_no_problems():
    for fmt in ("2019", "2021"):
        data = valid_data(fmt)
        assert problems_in(data) == []
        assert AnnualReport.from_dict(data).table3["new"][0] == Cell("0")
    assert problems_in(json.loads(json.dumps(AnnualReport().as_dict()))) == []


@given(valid_reports())
@settings(max_examples=30)
def test_every_valid_report_reads_back_without_problems(report):
    report.table2["extra.其他主动公开文件"] = {"1": Cell("3"), "2": Cell("")}
    report.table3["partial"][1] = None
    data = json.loads(render(report, "json"))
    assert problems_in(data) == []
    back = AnnualReport.from_dict(data)
    assert back.table3 == report.table3 and back.table2 == report.table2


@pytest.mark.parametrize(
    "change,problem",
    [
        (lambda d: d["table3"]["new"].__setitem__(2, [1, 2]), "table3.new[2]：应为数字或 null，实为数组"),
        (lambda d: d["table3"]["new"].__setitem__(0, {"a": 1}), "table3.new[0]：应为数字或 null，实为对象"),
        (
            lambda d: d["table3"]["new"].__setitem__(6, "5"),
            "table3.new[6]：应为数字或 null，实为字符串“5”（数字不加引号）",
        ),
        (lambda d: d["table3"]["new"].__setitem__(1, True), "table3.new[1]：应为数字或 null，实为 true"),
        (lambda d: d["table3"]["new"].__setitem__(1, math.nan), "table3.new[1]：应为数字或 null，实为 NaN"),
        (
            lambda d: d["table4"]["review"].__setitem__(4, -math.inf),
            "table4.review[4]：应为数字或 null，实为 -Infinity",
        ),
        (lambda d: d.__setitem__("table3", 5), "table3：应为对象（行代码 → 单元格数组），实为数字 5"),
        (lambda d: d.__setitem__("table2", []), "table2：应为对象（行代码 → 各栏），实为数组"),
        (lambda d: d["table2"].__setitem__("regulations", None), "table2.regulations：应为对象，实为 null"),
        (
            lambda d: d["table3"].__setitem__("new", [0] * 5),
            "table3.new：应为 7 个单元格（自然人…总计），实为 5 个",
        ),
        (
            lambda d: d["table4"].__setitem__("appeal", [0] * 5),
            "table4.appeal：不是表四的组代码（review、litigation_direct、litigation_after_review）",
        ),
        (lambda d: d["table3"].__setitem__("other", [0] * 7), "table3.other：不是 2021 年版表三的行代码"),
        (
            lambda d: d["table2"]["regulations"].__setitem__("made", 1),
            "table2.regulations.made：不是 2021 年版表二“规章”行的栏代码（issued、repealed、in_force）",
        ),
        (lambda d: d.__setitem__("year", "二〇二一"), "year：应为整数年份或 null，实为字符串“二〇二一”"),
        (lambda d: d.__setitem__("year", 20210), "year：应为整数年份或 null，实为数字 20210"),
        (lambda d: d.__setitem__("format", "2020"), "format：应为“2019”“2021”或 null，实为字符串“2020”"),
        (lambda d: d.__setitem__("format", ["2021"]), "format：应为“2019”“2021”或 null，实为数组"),
        (lambda d: d.__setitem__("agency", ["某局"]), "agency：应为字符串或 null，实为数组"),
        (lambda d: d["sections"].__setitem__("1", None), "sections.1：应为字符串，实为 null"),
        (lambda d: d["sections"].__setitem__("7", "附件"), "sections.7：不是章节编号（1–6）"),
        (
            lambda d: d.__setitem__("tables", 5),
            "tables：不是本格式的键（本格式的键：schema、source、agency、year、format、title、preamble、"
            "sections、table2、table3、table4、raw、findings）",
        ),
        (
            lambda d: d["raw"]["table3"]["new"].__setitem__(2, 0),
            "raw.table3.new[2]：应为字符串（单元格原文）或 null，实为数字 0",
        ),
        (
            lambda d: d["raw"]["table3"]["new"].__setitem__(0, "3"),
            "table3.new[0]：数字 0 与 raw.table3.new[0] 的原文“3”不一致（修改数字时请一并修改或删去 raw 中的原文）",
        ),
        (lambda d: d["raw"]["table3"].__setitem__("new", 5), "raw.table3.new：应为数组，实为数字 5"),
        (lambda d: d["raw"]["table3"].__setitem__("x", ["0"] * 7), "raw.table3.x：table3 中没有这一行"),
        (
            lambda d: d["raw"]["table3"].__setitem__("total", ["0"] * 6),
            "raw.table3.total：应为 7 个单元格（自然人…总计），实为 6 个",
        ),
        (
            lambda d: d["raw"].__setitem__("table5", {}),
            "raw.table5：不是本格式的键（raw 只有 table2、table3、table4）",
        ),
        (lambda d: d["table2"].__setitem__("appeals", {}), "table2.appeals：不是 2021 年版表二的行代码"),
        (lambda d: d["raw"]["table2"].__setitem__("fees", 5), "raw.table2.fees：应为对象，实为数字 5"),
        (lambda d: d["table2"].pop("fees"), "raw.table2.fees：table2 中没有这一行"),
        (
            lambda d: d["raw"]["table2"]["fees"].__setitem__("x", "0"),
            "raw.table2.fees.x：table2.fees 中没有这一栏",
        ),
        (
            lambda d: d["table4"]["review"].__setitem__(0, 1e301),
            "table4.review[0]：数字过大（超过 300 位），不是报告中的数字",
        ),
        (lambda d: d.__setitem__("findings", {}), "findings：应为数组，实为对象"),
        (lambda d: d.__setitem__("findings", [5]), "findings[0]：应为对象，实为数字 5"),
        (
            lambda d: d.__setitem__("findings", [{"rule": 1, "x": 1}]),
            "findings[0].x：不是发现项的键（rule、severity、location、message、expected、actual）",
        ),
        (lambda d: d.__setitem__("findings", [{"rule": 1}]), "findings[0].rule：应为字符串，实为数字 1"),
        (
            lambda d: d.__setitem__("findings", [{"location": 5, "expected": [1]}]),
            "findings[0].expected：应为数字、字符串或 null，实为数组",
        ),
        (
            lambda d: d.__setitem__("findings", [{"location": 5}]),
            "findings[0].location：不是有效的位置（如 table3.new[总计]），实为数字 5",
        ),
        (lambda d: d.__setitem__("findings", [{"rule": "R1"}]), "findings[0].severity：缺少此键"),
        (
            lambda d: d.__setitem__(
                "findings",
                [{"rule": "R1", "severity": "fatal", "location": "table3", "message": "x"}],
            ),
            "findings[0].severity：应为“error”“warning”或“info”，实为字符串“fatal”",
        ),
        (
            lambda d: d.__setitem__(
                "findings",
                [{"rule": "R1", "severity": "error", "location": "table3[", "message": "x"}],
            ),
            "findings[0].location：不是有效的位置（如 table3.new[总计]），实为字符串“table3[”",
        ),
    ],
)
def test_each_problem_is_named_where_it_is(change, problem):
    problems = problems_after(change)
    assert problem in problems, problems


def test_null_tables_and_texts_read_as_left_out():
    data = valid_data()
    data.update(sections=None, table2=None, raw=None, findings=None, preamble=None, agency=None, year=None)
    data["table4"]["review"] = [None] * 5
    assert problems_in(data) == []
    report = AnnualReport.from_dict(data)
    assert (report.sections, report.table2, report.preamble, report.agency) == ({}, {}, "", None)
    assert report.table4["review"] == [None] * 5
    data = valid_data()
    data["raw"]["table3"]["new"] = None  # no texts for the row: its numbers as they are
    data["table3"]["new"][0] = 4
    assert problems_in(data) == [] and AnnualReport.from_dict(data).table3["new"][0] == Cell("4")


def test_every_problem_is_listed_and_from_dict_refuses_them_all():
    data = valid_data()
    data["table3"]["new"][2] = [1]
    data["table4"]["review"] = None
    data["year"] = "2021"
    with pytest.raises(InvalidReportData) as caught:
        AnnualReport.from_dict(data)
    assert [p.split("：")[0] for p in caught.value.problems] == ["year", "table3.new[2]", "table4.review"]
    assert str(caught.value) == "不是有效的年度报告数据，有 3 处问题"
    assert isinstance(caught.value, ValueError)  # what callers of from_dict caught before


def test_wrong_schema_is_the_only_problem_named():
    assert problems_in({"schema": "someone-else/2", "table3": 5}) == [
        f"schema：应为“{SCHEMA}”，实为字符串“someone-else/2”"
    ]
    assert problems_in({"table3": {}}) == [f"schema：缺少此键（应为“{SCHEMA}”）"]
    assert problems_in([1, 2]) == ["应为 JSON 对象，实为数组"]


def test_a_record_of_an_unreadable_file_is_not_report_data():
    record = {"schema": SCHEMA, "source": "a.pdf", "error": "文件是空的"}
    assert problems_in(record) == ["这是 gongkai check 对无法读取或已跳过的文件所作的记录，不是报告数据"]


def test_values_are_described_by_kind_and_briefly():
    assert [describe(v) for v in (None, False, 1.5, -(10**30), 10**5000, "a\nb")] == [
        " null",
        " false",
        "数字 1.5",
        "数字 （31 位）",
        "数字 （位数过多）",
        "字符串“a\\nb”",
    ]
    assert describe(Decimal("1")) == " Decimal"  # not from JSON: a caller's own object


def test_long_and_nested_values_are_described_briefly():
    data = valid_data()
    data["agency"] = 12
    data["title"] = "长" * 100_000
    data["table3"]["new"][0] = "很" * 1000
    deep: list = []
    for _ in range(500):
        deep = [deep]
    data["table3"]["new"][1] = deep
    problems = problems_in(data)
    assert "agency：应为字符串或 null，实为数字 12" in problems
    assert max(len(p) for p in problems) < 120
    assert "table3.new[1]：应为数字或 null，实为数组" in problems


def test_numbers_within_reason_are_accepted_as_they_are():
    data = valid_data()
    data["table3"]["new"][0] = 10**40  # the rules compare such a number, they don't refuse to read it
    data["table3"]["new"][1] = -3  # a negative count is for the rules (R11) to name, not the reader
    data["table2"]["fees"]["amount"] = 12.5
    data["raw"]["table3"]["new"][0] = None
    data["raw"]["table3"]["new"][1] = "-3"
    data["raw"]["table2"]["fees"]["amount"] = "12.50"
    assert problems_in(data) == []
    report = AnnualReport.from_dict(data)
    assert report.value3("new", 0) == 10**40 and report.value3("new", 1) == -3
    assert report.table2["fees"]["amount"].raw == "12.50"


def test_a_float_is_read_as_its_decimal_digits():
    data = valid_data()
    data["table2"]["fees"]["amount"] = 1e21
    data["raw"]["table2"]["fees"]["amount"] = None
    report = AnnualReport.from_dict(data)
    assert report.table2["fees"]["amount"].value == 10**21


# --- a sweep: mutated reports never break the reader ---


@given(mutated_data())
@settings(max_examples=300)
def test_mutated_data_is_read_or_refused_with_named_problems(data):
    problems = problems_in(copy.deepcopy(data))
    assert all(isinstance(p, str) and p and "\n" not in p and len(p) < 200 for p in problems)
    if problems:
        with pytest.raises(InvalidReportData):
            AnnualReport.from_dict(data)
    else:
        AnnualReport.from_dict(data)
