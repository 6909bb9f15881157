"""`gongkai check` and `gongkai render` as a user runs them."""

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.cli import describe_location, main
from gongkai.report.model import Location
from gongkai.report.render import render
from tests.report.strategies import mutated_data, zero_report


def run(*args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, timeout=120
    )
    return done.returncode, done.stdout, done.stderr


def broken_seed(seed_path, tmp_path):
    """The seed with one more 自然人 application in 一、本年新收: the sums no longer hold."""
    text = seed_path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("一、本年新收"))
    broken = text.replace(line, line.replace("\t0", "\t1", 1))
    path = tmp_path / "broken.md"
    path.write_text(broken, encoding="utf-8")
    return path


def test_check_seed_reports_real_problems_and_no_false_errors(seed_path):
    code, out, err = run("check", str(seed_path))
    assert code == 0, out + err
    assert "沙坡头区科学技术局" in out and "2019年版" in out
    assert "R10" in out and "应为 114，实为 113" in out
    assert "表四" in out and "16" in out
    assert "[错误]" not in out
    assert "Traceback" not in err


def test_check_json_one_line_per_report(seed_path, tmp_path):
    code, out, _ = run("check", "--json", str(seed_path), str(broken_seed(seed_path, tmp_path)))
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(x) for x in lines)
    assert first["schema"] == "gongkai.annual-report/1"
    assert first["table3"]["new"] == [0] * 7
    assert first["raw"]["table3"]["new"] == ["0"] * 7
    assert any(f["rule"] == "R10" and f["expected"] == 114 and f["actual"] == 113 for f in first["findings"])
    errors = {(f["rule"], f["location"]) for f in second["findings"] if f["severity"] == "error"}
    assert ("R1", "table3.carried_out[自然人]") in errors
    assert ("R3", "table3.new[总计]") in errors


def test_check_directory_summary_and_unreadable_exit_2(seed_path, tmp_path):
    (tmp_path / "reports").mkdir()
    folder = tmp_path / "reports"
    (folder / "a.md").write_bytes(seed_path.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.pdf").write_bytes(b"%PDF-1.4 not really a pdf \x00\x01")
    (folder / "ignored.png").write_bytes(b"\x89PNG")
    code, out, err = run("check", str(folder))
    assert code == 2
    assert "检查汇总：3 份报告" in out
    assert out.count("无法读取") >= 2
    assert "Traceback" not in out + err


def folder_with_other_files(tmp_path):
    """An annual report among files that are plainly not annual reports."""
    folder = tmp_path / "site"
    (folder / "docs").mkdir(parents=True)
    (folder / "2021.md").write_bytes(render(zero_report("2021"), "md"))
    (folder / "package.json").write_text('{"name": "site", "version": "1.0"}', encoding="utf-8")
    (folder / "list.json").write_text("[1, 2, 3]", encoding="utf-8")
    (folder / "docs" / "notes.txt").write_text("会议纪要：讨论网站改版事宜。\n", encoding="utf-8")
    (folder / "docs" / "index.html").write_text(
        "<html><body><p>欢迎访问本站</p></body></html>", encoding="utf-8"
    )
    return folder


SKIPPED_NAMES = ["docs/index.html", "docs/notes.txt", "list.json", "package.json"]


def test_check_directory_skips_files_that_are_not_reports(tmp_path):
    folder = folder_with_other_files(tmp_path)
    code, out, err = run("check", str(folder))
    assert code == 0, out + err  # the report has no errors; skipped files change nothing
    lines = [line for line in out.splitlines() if line.startswith("已跳过（不是年度报告）：")]
    assert [line.split("：")[1].split("（")[0] for line in lines] == [str(folder / n) for n in SKIPPED_NAMES]
    assert "JSON 文件没有 schema 键" in lines[2] and "没有“政府信息公开”“年度报告”字样" in lines[1]
    assert "检查汇总：1 份报告，4 个文件已跳过" in out
    assert "共 1 份：0 份有错误，0 份无法读取。另有 4 个文件不是年度报告，已跳过。" in out
    assert out.count("已跳过（不是年度报告）") == 4 + 4  # the lines and the summary's rows


def test_check_json_lists_skipped_files(tmp_path):
    folder = folder_with_other_files(tmp_path)
    code, out, _ = run("check", "--json", str(folder))
    assert code == 0
    objects = [json.loads(line) for line in out.splitlines()]
    assert objects[0]["agency"] == "沙坡头区科学技术局"
    skipped = [o for o in objects if "skipped" in o]
    assert [o["source"] for o in skipped] == [str(folder / n) for n in SKIPPED_NAMES]
    assert all(
        o["schema"] == "gongkai.annual-report/1" and o["skipped"] and "error" not in o for o in skipped
    )


def test_check_directory_invalid_schema_or_unreadable_report_exit_2(tmp_path):
    folder = folder_with_other_files(tmp_path)
    (folder / "other.json").write_text('{"schema": "someone-else/2"}', encoding="utf-8")
    (folder / "README.md").write_text("本目录收存各单位政府信息公开工作年度报告。\n", encoding="utf-8")
    code, out, _ = run("check", "--json", str(folder))
    assert code == 2
    errors = {Path(o["source"]).name: o["error"] for o in map(json.loads, out.splitlines()) if "error" in o}
    assert set(errors) == {"other.json", "README.md"}
    assert sum("skipped" in json.loads(line) for line in out.splitlines()) == 4


def test_check_file_named_explicitly_is_checked(tmp_path):
    folder = folder_with_other_files(tmp_path)
    code, out, _ = run("check", str(folder / "docs" / "notes.txt"), str(folder / "package.json"))
    assert code == 2
    assert out.count("无法读取") >= 2 and "已跳过" not in out
    code, out, _ = run("check", "--help")
    assert code == 0 and "直接指定的文件总是检查" in "".join(line.strip() for line in out.splitlines())


def test_check_directory_of_no_reports_exit_2(tmp_path):
    (tmp_path / "notes.txt").write_text("会议纪要。", encoding="utf-8")
    code, out, err = run("check", str(tmp_path))
    assert code == 2
    assert "已跳过（不是年度报告）" in out and "目录中没有年度报告" in err


def test_check_errors_exit_1(seed_path, tmp_path):
    code, out, _ = run("check", str(broken_seed(seed_path, tmp_path)))
    assert code == 1
    assert "[错误] R1" in out


def test_missing_file_one_line_exit_2(tmp_path):
    code, out, err = run("check", str(tmp_path / "nope.pdf"))
    assert code == 2
    assert err.strip().count("\n") == 0 and "找不到" in err


def test_previous_year_carry_over(seed_path, tmp_path):
    # last year's report says 1 application was carried over; this year's 二、上年结转 says 0
    text = seed_path.read_text(encoding="utf-8").replace("2020", "2019")
    line = next(x for x in text.splitlines() if x.startswith("四、结转下年度"))
    previous = tmp_path / "2019.md"
    previous.write_text(text.replace(line, line.replace("\t0", "\t1", 1)), encoding="utf-8")
    code, out, _ = run("check", "--json", "--previous", str(previous), str(seed_path))
    findings = json.loads(out)["findings"]
    assert any(f["rule"] == "R5" and f["location"] == "table3.carried_in[自然人]" for f in findings)
    assert code == 1


@pytest.mark.parametrize(
    "to,magic",
    [("json", b"{"), ("md", b"# "), ("html", b"<!DOCTYPE html"), ("docx", b"PK"), ("pdf", b"%PDF")],
)
def test_render_every_format(seed_path, tmp_path, to, magic):
    out = tmp_path / f"report.{to}"
    code, _, err = run("render", str(seed_path), "--to", to, "-o", str(out))
    assert code == 0, err
    assert out.read_bytes().lstrip().startswith(magic)


def test_render_from_json_data(seed_path, tmp_path):
    data = tmp_path / "r.json"
    assert main(["render", str(seed_path), "--to", "json", "-o", str(data)]) == 0
    assert main(["render", str(data), "--to", "md", "-o", str(tmp_path / "r.md")]) == 0
    assert "（七）总计" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_bad_arguments_exit_2():
    code, _, err = run("render", "x.md", "--to", "xls")
    assert code == 2 and "参数有误" in err


def test_rules_listed():
    code, out, _ = run("rules")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == [f"R{i}" for i in range(1, 12)]


def test_check_does_not_import_django(seed_path):
    probe = (
        "import sys; from gongkai.cli import main; main(['check', '--json', sys.argv[1]]);"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(seed_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "location,fmt,text",
    [
        (Location.table3("carried_out", 6), "2019", "表三 四、结转下年度继续办理 · 总计"),
        (Location.table3("refused.state_secret"), "2021", "表三 1.属于国家秘密"),
        (Location.table3(), None, "表三"),
        (
            Location.table2("normative_documents", "现行有效件数"),
            "2021",
            "表二 行政规范性文件 · 现行有效件数",
        ),
        (Location.table2("regulations"), None, "表二 regulations"),
        (Location.table4("litigation_direct", 4), None, "表四 行政诉讼（未经复议直接起诉） · 总计"),
        (Location.section("5"), None, "正文 五、存在的主要问题及改进情况"),
        (Location("format"), None, "格式"),
        (Location("previous"), "2019", "上一年度报告"),
    ],
)
def test_locations_described_for_people(location, fmt, text):
    assert describe_location(location, fmt) == text


def test_check_of_a_directory_does_not_import_django(tmp_path):
    """Skipping files and the Chinese argparse take nothing from Django either (needs no ../shared)."""
    folder = folder_with_other_files(tmp_path)
    probe = (
        "import sys; from gongkai.cli import main; main(['check', sys.argv[1]]); main(['check', '--json', sys.argv[1]]);"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "已跳过（不是年度报告）" in done.stdout


# --- data files that are not quite the data format ---


def _json_files(folder: Path) -> None:
    """A valid data file among files with wrongly typed fields, nested too deep, in UTF-16."""
    data = json.loads(render(zero_report("2021"), "json"))
    variants = {
        "good.json": data,
        "list-cell.json": {**data, "table3": {**data["table3"], "new": [[1], 0, 0, 0, 0, 0, 0]}},
        "tables-5.json": {**data, "table3": 5},
        "year-words.json": {**data, "year": "二〇二一"},
        "null-section.json": {**data, "sections": {**data["sections"], "1": None}},
        "null-row.json": {**data, "table2": {**data["table2"], "regulations": None}},
    }
    for name, value in variants.items():
        (folder / name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    (folder / "nan.json").write_text(
        json.dumps(data, ensure_ascii=False).replace('"new": [0,', '"new": [NaN,', 1), encoding="utf-8"
    )
    (folder / "deep.json").write_text('{"schema": "gongkai.annual-report/1", "x": ' + "[" * 100_000)
    (folder / "utf16.json").write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-16"))


def test_check_wrongly_typed_data_files_one_line_per_problem_and_the_rest_checked(tmp_path):
    _json_files(tmp_path)
    code, out, err = run("check", str(tmp_path))
    assert code == 2
    assert "Traceback" not in out + err and "内部错误" not in out
    assert "检查汇总：9 份报告" in out and "共 9 份：0 份有错误，7 份无法读取。" in out
    blocks = {Path(b.split("\n")[0].strip()).name: b for b in out.split("■ ")[1:]}
    assert "未发现问题" in blocks["good.json"] and "未发现问题" in blocks["utf16.json"]
    assert "    table3.new[0]：应为数字或 null，实为数组\n" in blocks["list-cell.json"]
    assert "    table3：应为对象（行代码 → 单元格数组），实为数字 5\n" in blocks["tables-5.json"]
    assert "    year：应为整数年份或 null，实为字符串“二〇二一”\n" in blocks["year-words.json"]
    assert "    sections.1：应为字符串，实为 null\n" in blocks["null-section.json"]
    assert "    table2.regulations：应为对象，实为 null\n" in blocks["null-row.json"]
    assert "    table3.new[0]：应为数字或 null，实为 NaN\n" in blocks["nan.json"]
    assert "无法读取：JSON 嵌套过深" in blocks["deep.json"]


@pytest.mark.parametrize(
    "content,error",
    [
        (
            b'{"schema": "gongkai.annual-report/1",\n "year": }',
            "不是有效的 JSON（第 2 行第 10 列：此处应有一个值）",
        ),
        (b'{"schema": 1} {}', "不是有效的 JSON（第 1 行第 15 列：JSON 数据结束后还有多余的内容）"),
        (b'{"year": 1' + b"0" * 5000 + b"}", "JSON 中有位数过多的数字，不是年度报告数据"),
        (b"[" * 100_000, "JSON 嵌套过深，不是年度报告数据"),
        ("{}".encode("gb18030") + "年".encode("gb18030"), "JSON 文件不是 UTF-8 编码的文字"),
        (b'{"schema": "gongkai.annual-report/1", "error": "x"}', "不是有效的年度报告数据，有 1 处问题"),
    ],
)
def test_check_data_file_that_is_not_json_says_why(tmp_path, content, error):
    path = tmp_path / "data.json"
    path.write_bytes(content)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["check", "--json", str(path)]) == 2
    assert json.loads(out.getvalue())["error"] == error


def test_check_json_lists_the_problems_of_a_data_file(tmp_path):
    _json_files(tmp_path)
    code, out, _ = run("check", "--json", str(tmp_path / "tables-5.json"), str(tmp_path / "good.json"))
    assert code == 2
    bad, good = (json.loads(line) for line in out.splitlines())
    assert bad["error"] == "不是有效的年度报告数据，有 1 处问题"
    assert bad["problems"] == ["table3：应为对象（行代码 → 单元格数组），实为数字 5"]
    assert good["agency"] == "沙坡头区科学技术局" and "error" not in good


def test_check_previous_year_data_with_problems_is_a_usage_error(tmp_path, seed_path):
    _json_files(tmp_path)
    code, out, err = run("check", "--previous", str(tmp_path / "year-words.json"), str(seed_path))
    assert code == 2 and not out
    assert "上一年度报告" in err and "year：应为整数年份或 null" in err and "Traceback" not in err


def test_render_of_data_with_problems_names_them(tmp_path):
    _json_files(tmp_path)
    code, out, err = run("render", str(tmp_path / "list-cell.json"), "--to", "md")
    assert code == 2 and not out
    assert "table3.new[0]：应为数字或 null，实为数组" in err and "Traceback" not in err


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=mutated_data(),
    cut=st.none() | st.integers(0, 5000),
    junk=st.sampled_from(["", "\x00", "}", "\ufeff"]),
    ascii=st.booleans(),
)
def test_check_of_mutated_data_files_exits_0_1_or_2_without_a_traceback(tmp_path, data, cut, junk, ascii):
    """Mangled data files, in process (the command's own function), as `check --json` and as text."""
    text = json.dumps(data, ensure_ascii=ascii)
    if cut is not None:
        text = text[:cut] + junk + text[cut:]
    path = tmp_path / "mutated.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    for args in (["check", "--json", str(path)], ["check", str(path)]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        assert code in (0, 1, 2)
        (out.getvalue() + err.getvalue()).encode("utf-8")  # nothing that cannot be printed
        assert "Traceback" not in out.getvalue() + err.getvalue()
        assert "内部错误" not in out.getvalue()
    record = json.loads(main_json_line(path))
    assert ("error" in record) == (code == 2)


def main_json_line(path: Path) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", "--json", str(path)])
    return out.getvalue()


def test_check_data_with_broken_unicode_escapes_names_them_and_prints(tmp_path):
    """JSON may escape half of a UTF-16 pair ("\\ud800"): no text, and nothing that can be printed."""
    data = json.loads(render(zero_report("2021"), "json"))
    (tmp_path / "agency.json").write_text(json.dumps({**data, "agency": "某\ud800局"}), encoding="ascii")
    (tmp_path / "key.json").write_text(json.dumps({**data, "x\udc00": 1}), encoding="ascii")
    for args in (["check"], ["check", "--json"]):
        code, out, err = run(*args, str(tmp_path / "agency.json"), str(tmp_path / "key.json"))
        assert code == 2
        assert "Traceback" not in err and not err.strip()
        assert "agency：含有无效的字符（不成对的 UTF-16 代理项 \\ud800）" in out.replace("\\\\", "\\")
        assert "x\\udc00：含有无效的字符（不成对的 UTF-16 代理项 \\udc00）" in out.replace("\\\\", "\\")


def test_check_lists_thirty_problems_of_a_file_and_counts_the_rest(tmp_path):
    data = json.loads(render(zero_report("2021"), "json"))
    data["table3"] = {row: [str(v) for v in cells] for row, cells in data["table3"].items()}
    (tmp_path / "strings.json").write_text(json.dumps(data), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["check", str(tmp_path / "strings.json")]) == 2
    lines = out.getvalue().splitlines()
    assert sum(line.startswith("    table3.") for line in lines) == 30
    cells = 7 * len(data["table3"])
    assert f"    ……另有 {cells - 30} 处问题（用 --json 可列出全部）" in lines
    with contextlib.redirect_stdout(out := io.StringIO()):
        main(["check", "--json", str(tmp_path / "strings.json")])
    assert len(json.loads(out.getvalue())["problems"]) == cells


def test_check_data_file_too_large_is_not_read(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: the size is all that is looked at
    with contextlib.redirect_stdout(out := io.StringIO()):
        assert main(["check", "--json", str(path)]) == 2
    assert json.loads(out.getvalue())["error"] == "文件过大，年度报告数据不应超过 20 MB"


def test_a_rule_that_fails_on_one_report_does_not_stop_the_others(tmp_path, monkeypatch):
    """The last resort behind the readers and the rules: a bug is reported for its file only."""
    from gongkai.report.rules import RULES, Rule

    def broken(report):
        if report.year == 2021:
            raise ZeroDivisionError("division by zero")
        return []

    monkeypatch.setitem(RULES, "R99", Rule(broken, "a rule with a bug"))
    (tmp_path / "2021.md").write_bytes(render(zero_report("2021"), "md"))
    (tmp_path / "2022.md").write_bytes(render(zero_report("2021", year=2022), "md"))
    with contextlib.redirect_stdout(out := io.StringIO()):
        assert main(["check", "--json", str(tmp_path)]) == 2
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["error"] == "检查时发生内部错误：ZeroDivisionError: division by zero"
    assert second["year"] == 2022 and "error" not in second


def test_check_of_an_endless_device_stops_at_the_size_limit(tmp_path):
    """/dev/zero says its size is 0: what is read stops at the limit instead of filling the memory."""
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    with contextlib.redirect_stdout(out := io.StringIO()):
        assert main(["check", "--json", "/dev/zero", str(tmp_path / "zero.json")]) == 2
    errors = [json.loads(line)["error"] for line in out.getvalue().splitlines()]
    assert errors == ["文件过大（20.0 MB），年度报告不应超过 20 MB", "文件过大，年度报告数据不应超过 20 MB"]
