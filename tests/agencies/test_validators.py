"""Check characters of 居民身份证号码 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015), and masking."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gongkai.agencies.validators import (
    _CREDIT_CHARS,
    _CREDIT_WEIGHTS,
    _ID_CHECK,
    _ID_WEIGHTS,
    credit_code_problem,
    id_number_problem,
    mask_id_number,
    mask_phone,
    validate_credit_code,
    validate_id_number,
)


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",  # the example of GB 11643-1999
        "11010519491231002x",  # lower-case x is read as X
        "640502198503151237",
        " 110101199003078873 ",  # surrounding blanks ignored
    ],
)
def test_valid_id_numbers(value):
    assert id_number_problem(value) is None
    validate_id_number(value)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491231002", "18位"),
        ("1101051949123100XX", "18位"),
        ("110105194913310028", "出生日期"),  # month 13
        ("110105194902300028", "出生日期"),  # 30 February
    ],
)
def test_invalid_id_numbers(value, words):
    problem = id_number_problem(value)
    assert problem and words in problem
    with pytest.raises(ValidationError):
        validate_id_number(value)


@pytest.mark.parametrize("value", ["91350100M000100Y43", "12640502MB12345675", "91110108MA01ABCDEN"])
def test_valid_credit_codes(value):
    assert credit_code_problem(value) is None
    assert credit_code_problem(value.lower()) is None
    validate_credit_code(value)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100Y4", "18位"),
        ("91350100M000100I43", "不含I、O、Z、S、V"),  # I is not in the character set
        ("91350100M000100O43", "不含I、O、Z、S、V"),
    ],
)
def test_invalid_credit_codes(value, words):
    problem = credit_code_problem(value)
    assert problem and words in problem
    with pytest.raises(ValidationError):
        validate_credit_code(value)


def test_blank_credit_code_is_allowed_on_the_agency_form():
    validate_credit_code("")


def _id_with_check(body: str) -> str:
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def _credit_with_check(body: str) -> str:
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return body + _CREDIT_CHARS[(31 - total % 31) % 31]


id_bodies = st.builds(
    lambda region, born, seq: f"{region:06d}{born:%Y%m%d}{seq:03d}",
    st.integers(min_value=110000, max_value=659999),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@given(id_bodies, st.sampled_from("0123456789X"))
def test_exactly_one_check_character_fits_an_id_number(body, check):
    assert id_number_problem(_id_with_check(body)) is None
    if check != _id_with_check(body)[-1]:
        assert "校验位" in id_number_problem(body + check)


@given(st.text(alphabet=_CREDIT_CHARS, min_size=17, max_size=17), st.sampled_from(_CREDIT_CHARS))
def test_exactly_one_check_character_fits_a_credit_code(body, check):
    assert credit_code_problem(_credit_with_check(body)) is None
    if check != _credit_with_check(body)[-1]:
        assert "校验位" in credit_code_problem(body + check)


def test_masking_keeps_region_and_tail_only():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("AB123") == "*****"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("0951-123") == "09****"
