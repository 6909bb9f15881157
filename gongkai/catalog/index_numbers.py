"""索引号: the catalog number of an item, unique across an agency's catalog and never changed or reused.

The deployment chooses the form it generates (`GONGKAI_INDEX_NUMBER_FORMAT`, placeholders `{code}` — the
agency's code, `{year}`, `{month}`, `{serial}` with an optional width such as `{serial:05d}`); the default is
the old national convention `组织机构代码/YYYY-NNNNN`. Read-side, `index_number_problem` accepts every real
form seen on government sites (portal-conventions §3), so imported catalogs keep their numbers.

Pure: no Django.
"""

from __future__ import annotations

import re
import string

DEFAULT_FORMAT = "{code}/{year}-{serial:05d}"
MAX_LENGTH = 60

# The forms seen on live sites. Letters may come in lower case on old sites; the check character of an
# organisation code may follow a hyphen (0142768-8).
_KNOWN_FORMS = (
    re.compile(r"^[0-9A-Z]{8}-?[0-9A-Z]([0-9A-Z]{9})?/\d{4}-\d{1,6}$"),  # code/YYYY-NNNNN (9 or 18-char code)
    re.compile(r"^[0-9A-Z]{18}-\d{4}-\d{1,6}$"),  # hyphen-separated credit code variant
    re.compile(r"^\d{8}-\d{1,8}$"),  # YYYYMMDD-serial
    re.compile(r"^\d{6}-\d{1,8}$"),  # YYYYMM-serial
    re.compile(r"^[0-9A-Z]{6,18}-\d{4}-\d{1,6}$"),  # local code-year-serial
    re.compile(r"^[0-9A-Z]{6,18}-[0-9A-Z]{2,10}-\d{4}-\d{1,6}$"),  # code-category-year-serial
)
_FIELDS = {"code", "year", "month", "serial"}


def organisation_code(credit_code: str) -> str:
    """The 9-character organisation code inside an 18-character 统一社会信用代码 (characters 9–17)."""
    credit_code = credit_code.strip().upper()
    return credit_code[8:17] if len(credit_code) == 18 else ""


def format_problem(fmt: str) -> str | None:
    """Why a deployment's format cannot generate unique numbers (None when it can)."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None}
    except ValueError as error:
        return f"索引号格式有误：{error}"
    if unknown := names - _FIELDS:
        return f"索引号格式含未知字段：{'、'.join(sorted(unknown))}（可用 code、year、month、serial）"
    if "serial" not in names or "year" not in names:
        return "索引号格式须包含 {year} 和 {serial}"
    return None


def index_number_format(fmt: str, *, code: str, year: int, month: int, serial: int) -> str:
    return fmt.format(code=code, year=year, month=f"{month:02d}", serial=serial)


def normalise(number: str) -> str:
    """The form a number is stored and compared in: trimmed, full-width characters folded, upper case."""
    folded = "".join(
        chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in number.strip().replace("\u3000", "")
    )
    return folded.upper()


def index_number_problem(number: str) -> str | None:
    """Why `number` is not a 索引号 (None when it has one of the known forms)."""
    number = normalise(number)
    if not number:
        return "请填写索引号"
    if len(number) > MAX_LENGTH:
        return f"索引号不能超过{MAX_LENGTH}个字符"
    if any(form.match(number) for form in _KNOWN_FORMS):
        return None
    return (
        "索引号格式不正确，常见格式如“000014349/2017-00110”“11640502MB1234567X/2020-00001”“20191202-189769”"
    )
