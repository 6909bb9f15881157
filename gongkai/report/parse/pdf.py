"""PDF with a text layer -> blocks. No OCR: a scanned PDF is reported as unreadable."""

from __future__ import annotations

import pypdfium2

from gongkai.report.parse.blocks import Block, Unreadable
from gongkai.report.parse.text import text_blocks


def pdf_text(data: bytes) -> str:
    """The text layer of every page, in reading order (PDFium's extraction)."""
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise Unreadable(f"不是有效的 PDF 文件（{exc}）") from exc
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(pages)
    finally:
        pdf.close()


def pdf_blocks(data: bytes) -> list[Block]:
    text = pdf_text(data)
    if not text.strip():
        raise Unreadable("PDF 没有文字层（可能是扫描件），无法读取；本工具不做文字识别（OCR）")
    return text_blocks(text)
