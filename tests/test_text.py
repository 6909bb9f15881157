"""gongkai.text: the rules on typed text (pure functions, no database)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.text import (
    clean_multiline,
    control_characters,
    has_control_characters,
    single_line_problem,
    spreadsheet_safe,
    xml_safe,
)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("第一行\r\n第二行", "第一行\n第二行"),  # a browser's line breaks
        ("第一行\r第二行", "第一行\n第二行"),
        ("项目\t金额", "项目\t金额"),  # tabs stay
        ("张\x0b三", "张三"),
        ("李\x00四", "李四"),
        ("王\x85五\x9f", "王五"),  # C1
        ("删除\x7f键", "删除键"),
        ("赵\u200b六", "赵\u200b六"),  # a zero-width space is not a control character
        ("😀𠀀", "😀𠀀"),
        ("", ""),
    ],
)
def test_multiline_text_keeps_line_breaks_and_tabs_only(typed, kept):
    assert clean_multiline(typed) == kept


@pytest.mark.parametrize("typed", ["张三", "O'Brien <b>", "=SUM(A1)", "赵\u200b六", "😀", ""])
def test_single_line_text_without_control_characters_is_fine(typed):
    assert single_line_problem(typed) is None


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("张\x0b三", "U+000B"),
        ("张\n三", "换行符"),
        ("张\t三", "制表符"),
        ("张\x00三", "空字符"),
        ("王\x85五", "U+0085"),
    ],
)
def test_single_line_text_refuses_control_characters_and_says_which(typed, named):
    problem = single_line_problem(typed)
    assert problem is not None and "控制字符" in problem and named in problem


def test_control_characters_are_listed_once_in_order():
    assert control_characters("a\x0bb\x00c\x0bd") == ["\x0b", "\x00"]
    assert has_control_characters("a\nb\tc") is False
    assert has_control_characters("a\nb", multiline=False) is True


def test_xml_safe_drops_what_xml_cannot_hold():
    assert xml_safe("张\x0b三\x00\ufffe\n\t李") == "张三\n\t李"
    assert xml_safe("王\x85五") == "王\x85五"  # C1 is allowed in XML 1.0 (python-docx writes it)
    assert xml_safe("") == ""


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+8613800138000", "'+8613800138000"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张三", "张三"),
        ("2026-11-27", "2026-11-27"),
        ("", ""),
        (12, 12),
        (None, None),
    ],
)
def test_spreadsheet_cells_never_start_a_formula(cell, shown):
    assert spreadsheet_safe(cell) == shown


@given(st.text())
def test_cleaned_text_has_no_control_characters_and_is_stable(text):
    cleaned = clean_multiline(text)
    assert not has_control_characters(cleaned)
    assert clean_multiline(cleaned) == cleaned
    assert single_line_problem(cleaned.replace("\n", "").replace("\t", "")) is None
    assert xml_safe(cleaned) == cleaned
