"""Read a published annual report from any of the formats agencies publish it in.

`read_path` and `read_bytes` detect the kind of document, turn it into blocks with the matching
reader and assemble one AnnualReport. `Unreadable` means there is no report text to read at all;
with `reports_only`, `NotAReport` means the text was read and is not an annual report.
"""

from __future__ import annotations

from pathlib import Path

from gongkai.report.model import AnnualReport
from gongkai.report.parse.assemble import assemble
from gongkai.report.parse.blocks import Block, NotAReport, Unreadable
from gongkai.report.parse.encoding import utf8_of_wide_text

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "NotAReport",
    "Unreadable",
    "detect_kind",
    "read_bytes",
    "read_limited",
    "read_path",
    "read_text",
]

MAX_BYTES = 20 * 1024 * 1024
KINDS = ("text", "html", "docx", "pdf")
_SUFFIX_KIND = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}


def detect_kind(data: bytes, name: str = "") -> str:
    """What the document is: from its first bytes, then from its name."""
    head = data[:2048].lstrip().lower()
    if data.startswith(b"%PDF") or b"%pdf-" in data[:1024].lower():
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable("这是旧版 Word（.doc）文件，请先另存为 .docx 或 PDF")
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head or b"<table" in head:
        return "html"
    suffix = Path(name).suffix.lower()
    return _SUFFIX_KIND.get(suffix, "text")


def decode_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise Unreadable("文件含有二进制内容，不是文本、HTML、DOCX 或 PDF")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("无法识别文件的文字编码（既不是 UTF-8 也不是 GBK）")


def blocks_of(data: bytes, name: str = "") -> list[Block]:
    if len(data) > MAX_BYTES:
        raise Unreadable(
            f"文件过大（{len(data) / 1024 / 1024:.1f} MB），年度报告不应超过 {MAX_BYTES // 1024 // 1024} MB"
        )
    data = utf8_of_wide_text(data)
    if not data.strip():
        raise Unreadable("文件是空的")
    kind = detect_kind(data, name)
    if kind == "pdf":
        from gongkai.report.parse.pdf import pdf_blocks

        return pdf_blocks(data)
    if kind == "docx":
        from gongkai.report.parse.docx import docx_blocks

        return docx_blocks(data)
    if kind == "html":
        from gongkai.report.parse.html import html_blocks

        return html_blocks(data)
    from gongkai.report.parse.text import text_blocks

    return text_blocks(decode_text(data))


def read_bytes(data: bytes, name: str = "", *, reports_only: bool = False) -> AnnualReport:
    return assemble(blocks_of(data, name), source=name or None, reports_only=reports_only)


def read_text(text: str, name: str = "") -> AnnualReport:
    from gongkai.report.parse.text import text_blocks

    return assemble(text_blocks(text), source=name or None)


def read_path(path: str | Path, *, reports_only: bool = False) -> AnnualReport:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise Unreadable(
                f"文件过大（{size / 1024 / 1024:.1f} MB），年度报告不应超过 {MAX_BYTES // 1024 // 1024} MB"
            )
        data = read_limited(path)
    except OSError as exc:
        raise Unreadable(f"无法打开文件：{exc.strerror or exc}") from exc
    return read_bytes(data, str(path), reports_only=reports_only)


def read_limited(path: Path) -> bytes:
    """The file's bytes, never more than MAX_BYTES + 1 of them: a device or a file still growing does not
    report its size (/dev/zero says 0), and blocks_of refuses what is larger."""
    with path.open("rb") as file:
        return file.read(MAX_BYTES + 1)
