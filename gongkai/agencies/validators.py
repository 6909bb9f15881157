"""Check characters of Chinese identifiers: 居民身份证号码 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015)."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_check_char(body: str) -> str:
    """The 18th character of a 居民身份证号码 for its first 17 digits (GB 11643-1999)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def credit_check_char(body: str) -> str:
    """The 18th character of a 统一社会信用代码 for its first 17 characters (GB 32100-2015)."""
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def id_number_problem(value: str) -> str | None:
    """Why a 18-digit 居民身份证号码 is invalid, or None."""
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return "居民身份证号码应为18位，前17位为数字，最后一位为数字或X"
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "居民身份证号码中的出生日期无效"
    if value[17] != id_check_char(value[:17]):
        return "居民身份证号码校验位不正确，请核对"
    return None


def credit_code_problem(value: str) -> str | None:
    """Why a 18-character 统一社会信用代码 is invalid, or None."""
    value = value.strip().upper()
    if len(value) != 18 or any(c not in _CREDIT_CHARS for c in value):
        return "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"
    if value[17] != credit_check_char(value[:17]):
        return "统一社会信用代码校验位不正确，请核对"
    return None


def validate_id_number(value: str) -> None:
    if problem := id_number_problem(value):
        raise ValidationError(problem, code="invalid_id_number")


def validate_credit_code(value: str) -> None:
    if value and (problem := credit_code_problem(value)):
        raise ValidationError(problem, code="invalid_credit_code")


def mask_id_number(value: str) -> str:
    """110105********1234: region kept for the clerk, birth date hidden."""
    value = value.strip()
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    digits = value.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else digits[:2] + "****"
