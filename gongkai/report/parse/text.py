"""Plain text and Markdown, as extracted from PDFs or saved by crawlers -> blocks.

Handles: tab- or space-separated cells, Markdown pipe tables, headings with or without Markdown marks,
page breaks (`---`) and page footers (`— 5 —`) inside tables and paragraphs, and paragraphs wrapped
over several lines by the extraction.
"""

from __future__ import annotations

import re

from gongkai.report.formats import heading_view
from gongkai.report.parse.assemble import is_value
from gongkai.report.parse.blocks import Block, Para, Row, Unreadable

_PAGE_MARK = re.compile(
    r"^\s*(?:-{3,}|\*{3,}|_{3,}|[—–\-－]\s*\d+\s*[—–\-－]|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\f)\s*$"
)
_PIPE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_HEADING = re.compile(r"^\s*(#{1,6})\s*")
_MD_MARKS = re.compile(r"\*\*")  # bold; single * and _ are kept: report text may hold them
_PIPE = re.compile(r"(?<!\\)\|")
_MD_LINK = re.compile(r"<(https?://[^>]+)>|\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = tuple("。！？；：!?;:」』）)")
_WRAP_WIDTH = 20
_METADATA = re.compile(r"^\s*[\u4e00-\u9fff]{2,6}\s*[:：]")  # "发布时间: 2020-01-20" lines of saved pages


def text_blocks(text: str) -> list[Block]:
    if "\x00" in text:
        raise Unreadable("文件含有二进制内容，不是文本")
    blocks: list[Block] = []
    open_para: Para | None = None  # a paragraph that may continue on the next line
    last_line = ""
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.rstrip()
        if not line.strip() or _PAGE_MARK.match(line):
            continue
        row = _row(line)
        if row is not None:
            blocks.append(row)
            open_para = None
            continue
        level, content = _para_text(line)
        if not content:
            continue
        if open_para is not None and level == 0 and open_para.level == 0 and _continues(last_line, content):
            open_para.text += content
        else:
            open_para = Para(content, level)
            blocks.append(open_para)
        last_line = content
    if not any(isinstance(b, Para) and b.text.strip() for b in blocks) and not any(
        isinstance(b, Row) for b in blocks
    ):
        raise Unreadable("文件中没有可读的文字")
    return blocks


def _continues(previous: str, line: str) -> bool:
    """A long line that stops mid-sentence was wrapped (or cut by a page break) by the extraction."""
    return (
        len(previous) >= _WRAP_WIDTH
        and not previous.endswith(_SENTENCE_END)
        and not previous.endswith("报告")
        and not _METADATA.match(line)
        and not _looks_like_heading(line)
    )


def _looks_like_heading(line: str) -> bool:
    return bool(
        re.match(
            r"^\s*([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+)",
            heading_view(line)[0],
        )
    )


def _para_text(line: str) -> tuple[int, str]:
    level = 0
    heading = _MD_HEADING.match(line)
    if heading:
        level = len(heading.group(1))
        line = line[heading.end() :]
    line = _MD_LINK.sub(lambda m: m.group(1) or m.group(2) or "", line)
    line = _MD_MARKS.sub("", line)
    if line.lstrip().startswith(">"):
        line = line.lstrip()[1:]
    return level, line.strip()


def _row(line: str) -> Row | None:
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        if _PIPE_SEPARATOR.match(stripped):
            return Row([], exact=True)
        inner = stripped[1:-1] if stripped.endswith("|") and not stripped.endswith("\\|") else stripped[1:]
        return Row([c.strip().replace("\\|", "|") for c in _PIPE.split(inner)], exact=True)
    if "\t" in line:
        return Row(line.split("\t"))
    tokens = stripped.split()
    values = 0
    while values < len(tokens) and is_value(tokens[-1 - values]):
        values += 1
    label = " ".join(tokens[: len(tokens) - values])
    if values >= 2 or (values == 1 and label and len(label) <= 16 and not re.search(r"[。，,；]", label)):
        if values >= 2 and label and len(label) > 60:
            return None  # a sentence that happens to end with numbers
        return Row([label, *tokens[len(tokens) - values :]] if label else tokens)
    return None
