"""The `gongkai` command speaks Chinese: argparse's own texts, help laid out for Chinese, one-line errors."""

import argparse
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai.argparse_zh import MESSAGES, PLURALS, chinese, width, wrap
from gongkai.cli import main

ENGLISH = ("usage:", "positional arguments", "options:", "show this help", "required", "invalid choice")


def run(*args: str) -> tuple[int, str, str]:
    env = dict(os.environ, COLUMNS="80")
    done = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, timeout=60, env=env
    )
    return done.returncode, done.stdout, done.stderr


def argparse_texts() -> tuple[set[str], set[tuple[str, str]]]:
    """Every literal text this Python's argparse passes to _() and ngettext()."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    singles, plurals = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            literals = [
                a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if node.func.id == "_" and literals:
                singles.add(literals[0])
            elif node.func.id == "ngettext" and len(literals) >= 2:
                plurals.add((literals[0], literals[1]))
    return singles, plurals


def test_every_argparse_text_has_a_translation():
    singles, plurals = argparse_texts()
    assert "usage: " in singles and "the following arguments are required: %s" in singles
    assert sorted(singles - set(MESSAGES)) == []
    assert sorted(plurals - set(PLURALS)) == []


def test_translations_keep_the_placeholders():
    def placeholders(text: str) -> list[str]:
        return sorted(
            p
            for p in ("%s", "%r", *(f"%({k})" for k in ("value", "choices", "prog", "message")))
            if p in text
        )

    for english, chinese_text in [*MESSAGES.items(), *((k[0], v) for k, v in PLURALS.items())]:
        assert placeholders(english) == placeholders(chinese_text), english


def test_main_help_in_chinese():
    code, out, _ = run("--help")
    assert code == 0
    assert out.startswith("用法：gongkai")
    assert "位置参数" in out and "选项" in out and "显示本帮助信息并退出" in out
    assert not [word for word in ENGLISH if word in out]


def test_check_help_in_chinese_and_aligned():
    code, out, _ = run("check", "--help")
    assert code == 0
    assert out.startswith("用法：gongkai check [-h] [--json] [--previous 文件] 文件或目录")
    assert not [word for word in ENGLISH if word in out]
    lines = out.splitlines()
    json_line = next(line for line in lines if line.startswith("  --json"))
    previous_line = next(line for line in lines if line.startswith("  --previous 文件"))
    # the help column starts at the same terminal column whatever the width of the option's name
    assert width(json_line.split("每份")[0]) == width(previous_line.split("上一年度")[0])
    assert all(width(line) <= 80 for line in lines if not line.startswith("用法"))


@pytest.mark.parametrize(
    "args,expected",
    [
        (["check"], "gongkai check：参数有误：缺少必需的参数：文件或目录"),
        (
            ["render", "x.md", "--to", "xls"],
            "参数 --to：无效的选择：'xls'（可选：'json', 'md', 'html', 'docx', 'pdf'）",
        ),
        (["rules", "--bogus"], "gongkai：参数有误：无法识别的参数：--bogus"),
        (["nope"], "参数 命令：无效的选择：'nope'"),
        (["demo", "--port", "x"], "参数 --port：无效的 int 值：'x'"),
        (["check", "--previous"], "参数 --previous：需要一个值"),
    ],
)
def test_usage_errors_one_chinese_line_exit_2(args, expected):
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert expected in err and "查看用法" in err
    assert not [word for word in ENGLISH if word in err]


def test_workdays_parser_is_chinese_too():
    code, _, err = run("workdays", "add", "2020-09-28")
    assert code == 2 and "缺少必需的参数：N" in err and "usage" not in err


def test_argparse_is_english_again_after_the_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "用法：" in capsys.readouterr().out
    assert argparse._("usage: ") == "usage: " and argparse.ngettext("a %s", "b %s", 2) == "b %s"
    with chinese():
        assert argparse._("options") == "选项" and argparse._(None) is None
    assert argparse._("options") == "options"


def test_wrap_by_terminal_columns_and_chinese_line_rules():
    text = "报告文件，或包含报告文件的目录（递归查找）。目录中“不是年度报告”的文件会跳过"
    lines = wrap(text, 20)
    assert "".join(lines) == text
    assert all(width(line) <= 20 for line in lines[:-1] if line[-1] not in "，。）")
    assert not [line for line in lines if line[0] in "，。、）”"]
    assert not [line for line in lines if line[-1] in "（“"]
    assert wrap("JSON data format version 1", 12) == ["JSON data", "format", "version 1"]
