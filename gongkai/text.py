"""Text that people type, as the system keeps it: the one set of rules every form, service and the API use,
and what the writers of Word, XML and CSV files do to text before they put it out. No Django here.

- Control characters (C0 U+0000–U+001F, DEL, C1 U+0080–U+009F) never reach the database: a typing accident
  or a crafted request would otherwise break every Word letter of the case (XML 1.0 cannot hold them) or,
  for NUL, be refused by PostgreSQL. Multi-line text keeps its line breaks (as "\\n") and tabs and loses the
  rest (`clean_multiline`); a single-line field refuses them (`single_line_problem`), since a name or a
  number with a hidden character in it is a mistake to show, not to repair silently.
- `xml_safe` drops what XML 1.0 cannot hold, for text already stored before these rules.
- `spreadsheet_safe` neutralises a cell that a spreadsheet would read as a formula (OWASP "CSV injection").
"""

from __future__ import annotations

import re

# C0 except tab and line feed, DEL, C1; the non-characters U+FFFE/U+FFFF and lone surrogates, which no
# encoding carries and XML refuses
_NOT_KEPT_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# what a spreadsheet takes for the start of a formula (=, +, -, @) or strips before reading one (tab, CR)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CONTROL_MESSAGE = "不能包含换行、制表符等控制字符，请删除后重新填写"

_NAMES = {"\n": "换行符", "\r": "回车符", "\t": "制表符", "\x00": "空字符"}


def clean_multiline(text: str) -> str:
    """Multi-line text as kept: line breaks as "\\n" (a browser sends "\\r\\n"), tabs kept, every other
    control character removed."""
    if not text:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_KEPT_MULTILINE.sub("", text)


def control_characters(text: str) -> list[str]:
    """The control characters in `text` (each once, in order of appearance)."""
    seen: list[str] = []
    for char in _CONTROL.findall(text or ""):
        if char not in seen:
            seen.append(char)
    return seen


def describe(char: str) -> str:
    """A control character as a person can name it: 换行符, or U+000B."""
    return _NAMES.get(char, f"U+{ord(char):04X}")


def single_line_problem(text: str) -> str | None:
    """Why `text` cannot be a single-line value (a name, a number, a code), in Chinese; None when it can."""
    found = control_characters(text)
    if not found:
        return None
    return f"{CONTROL_MESSAGE}（发现：{'、'.join(describe(c) for c in found[:3])}）"


def has_control_characters(text: str, *, multiline: bool = True) -> bool:
    """Does `text` hold a character it should not keep (multi-line text may hold line breaks and tabs)?"""
    return bool((_NOT_KEPT_MULTILINE if multiline else _CONTROL).search(text or ""))


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (for text stored before the rules above)."""
    return _NOT_XML.sub("", text) if text else text


def spreadsheet_safe(value):
    """A CSV cell that Excel, WPS or LibreOffice shows as text, never runs as a formula: a text starting with
    =, +, -, @, a tab or a carriage return gets a leading apostrophe (OWASP). Other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
