"""Text in UTF-16 or UTF-32 with a byte order mark, as Windows editors save it ("Unicode" in Notepad).

Such a file is text, not binary: it is turned into UTF-8 once, before its kind is told, so that every
reader (text, Markdown, HTML, the JSON data format) reads it like any other.
"""

from __future__ import annotations

import codecs

from gongkai.report.parse.blocks import Unreadable

# UTF-32 first: the UTF-32 little-endian mark begins with the UTF-16 little-endian one
WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# a broken last character is tolerated (a download cut short); more than this share is not text
_MAX_REPLACED = 0.01


def utf8_of_wide_text(data: bytes) -> bytes:
    """UTF-16 or UTF-32 bytes that start with a byte order mark, as UTF-8 without it; other bytes as they are."""
    for bom, encoding, name in WIDE_BOMS:
        if data.startswith(bom):
            # the codec reads the mark to know the byte order, and drops it
            text = data.decode(encoding, errors="replace")
            replaced = text.count("\ufffd")
            if replaced > 8 and replaced > _MAX_REPLACED * len(text):
                raise Unreadable(f"文件以 {name} 的字节顺序标记开头，内容却不是有效的 {name} 文字")
            return text.encode("utf-8", errors="replace")
    return data
