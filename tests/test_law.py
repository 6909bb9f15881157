"""Legal citations as data (gongkai.law): the printed form, the one table, and no article typed anywhere
else (templates, user-facing strings of the code)."""

import ast
import re
from pathlib import Path

import pytest

from gongkai.law import CITATIONS, Citation, Ground, chinese_number, cite

ROOT = Path(__file__).resolve().parents[1] / "gongkai"
ARTICLE = re.compile(r"(《[^》]*》)?第[一二三四五六七八九十百]+条")
OURS = (None, "《条例》", "《中华人民共和国政府信息公开条例》")  # another law's articles are not ours to cite


def _ours(text: str) -> list[str]:
    return [m.group(0) for m in ARTICLE.finditer(text) if m.group(1) in OURS]


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (10, "十"), (14, "十四"), (20, "二十"), (33, "三十三"), (100, "一百"), (105, "一百零五")],
)
def test_chinese_numbers(n, text):
    assert chinese_number(n) == text


def test_citation_forms():
    assert str(Citation(33, 2)) == "第三十三条第二款"
    assert str(Citation(36, item=3)) == "第三十六条第（三）项"
    assert cite(Ground.THIRD_PARTY, Ground.CONSULTATION_TIME) == "《条例》第三十二条、第三十三条第三款"
    assert cite(Ground.FEE, Ground.FEE_MEASURES) == "《条例》第四十二条第一款、国办函〔2020〕109号"
    assert (
        cite(Ground.CORRECTION, intro=True)
        == "《中华人民共和国政府信息公开条例》（以下简称《条例》）第三十条"
    )
    assert cite() == ""


def test_the_paragraphs_of_article_33():
    """Art. 33: (1) on the spot, (2) 20 working days and the extension, (3) consultation time not counted."""
    assert CITATIONS[Ground.ON_THE_SPOT] == Citation(33, 1)
    assert CITATIONS[Ground.REPLY_PERIOD] == CITATIONS[Ground.EXTENSION] == Citation(33, 2)
    assert CITATIONS[Ground.CONSULTATION_TIME] == Citation(33, 3)


def test_every_ground_has_a_citation():
    assert set(CITATIONS) == set(Ground)


def _user_strings(path: Path):
    """String literals of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_article_is_typed_outside_the_table():
    """Every citation a user reads comes from gongkai.law (the report layouts' printed captions excepted)."""
    typed = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT).as_posix()
        if relative == "law.py" or relative.startswith("report/") or "/migrations/" in relative:
            continue
        if path.suffix == ".html":
            typed += [f"{relative}: {m}" for m in _ours(path.read_text(encoding="utf-8"))]
        elif path.suffix == ".py":
            typed += [f"{relative}:{line}: {text}" for line, text in _user_strings(path) if _ours(text)]
    assert typed == []
