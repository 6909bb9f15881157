"""The pre-submission scan of an item (sites are monitored for these): unmasked 居民身份证号码 (only numbers
whose check character is right, so a 文号 or a serial number is not taken for one), mobile numbers
(11 digits 1[3-9]…, not inside a longer digit run) and the deployment's sensitive words
(`GONGKAI_SENSITIVE_WORDS`, comma-separated), in the body and in the attachments' text.

A finding is a warning: the clerk sees where, with the number masked, and submits anyway only on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from gongkai.agencies.validators import id_number_problem, mask_id_number, mask_phone

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
CONTEXT = 12


@dataclass(frozen=True)
class ScanWarning:
    kind: str  # "id_number" | "mobile" | "word"
    where: str  # 正文, 附件“…”
    shown: str  # masked
    context: str

    @property
    def message(self) -> str:
        what = {"id_number": "未遮盖的身份证号码", "mobile": "未遮盖的手机号码", "word": "敏感词"}[self.kind]
        return f"{self.where}含有{what}“{self.shown}”：……{self.context}……"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "where": self.where, "shown": self.shown, "message": self.message}


def sensitive_words() -> list[str]:
    words = getattr(settings, "SENSITIVE_WORDS", ())
    return [w.strip() for w in words if w and w.strip()]


def _context(text: str, start: int, end: int, shown: str) -> str:
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return " ".join(f"{before}{shown}{after}".split())


def scan_text(text: str, *, where: str, words: Iterable[str] = ()) -> list[ScanWarning]:
    hits: list[tuple[int, int, str, str]] = []  # start, end, kind, masked
    for match in _ID.finditer(text):
        number = match.group(1).upper()
        if id_number_problem(number) is None:
            hits.append((*match.span(1), "id_number", mask_id_number(number)))
    hits += [(*m.span(1), "mobile", mask_phone(m.group(1))) for m in _MOBILE.finditer(text)]
    # the context shown around a finding never shows another unmasked number: mask them all first
    masked, shift, spans = text, 0, []
    for start, end, kind, shown in sorted(hits):
        masked = masked[: start + shift] + shown + masked[end + shift :]
        spans.append((start + shift, start + shift + len(shown), kind, shown))
        shift += len(shown) - (end - start)
    found = [ScanWarning(kind, where, shown, _context(masked, a, b, shown)) for a, b, kind, shown in spans]
    for word in words:
        start = masked.find(word)
        if start >= 0:
            found.append(ScanWarning("word", where, word, _context(masked, start, start + len(word), word)))
    return found


def scan_item(
    *, title: str, summary: str, body_text: str, attachments: Iterable[tuple[str, str]]
) -> list[ScanWarning]:
    """Warnings for an item; `attachments` gives (file name, text) pairs."""
    words = sensitive_words()
    found = scan_text(f"{title}\n{summary}", where="标题或内容概述", words=words)
    found += scan_text(body_text, where="正文", words=words)
    for name, text in attachments:
        found += scan_text(text, where=f"附件“{name}”", words=words)
    return found
