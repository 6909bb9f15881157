"""Uploads from the public and staff forms, checked before anything is stored (`check_upload`: size, and
type by content — the file's name and declared type are not trusted). Storing them is
gongkai.cases.attachments (encrypted, under a random key, never the name the client sent); only staff of
the agency read them back (through the workbench, after gongkai.cases.selectors.application_get has checked
the user may see the application).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings

from gongkai.errors import Code, invalid

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx"
TYPES_TEXT = "PDF、JPG、PNG 或 Word（.docx）"


@dataclass(frozen=True)
class Sniffed:
    extension: str
    label: str


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file that passed `check_upload`."""

    file: object  # django UploadedFile
    sniffed: Sniffed


def size_label(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def sniff(head: bytes, file) -> Sniffed | None:
    """PDF, JPEG, PNG or a Word document (.docx: a ZIP package holding word/document.xml), by content."""
    if head.startswith(b"%PDF-"):
        return Sniffed(".pdf", "PDF")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(".jpg", "JPEG 图片")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(".png", "PNG 图片")
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return Sniffed(".docx", "Word 文档")
    return None


def check_upload(upload, *, field: str = "attachment") -> CheckedUpload:
    """The upload if it is within the size limit and of an accepted type; ValidationError otherwise."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise invalid(
            field, Code.FILE_TOO_LARGE, f"附件过大（{size_label(upload.size)}），不能超过 {size_label(limit)}"
        )
    if upload.size == 0:
        raise invalid(field, Code.INVALID_FILE, "上传的文件是空的")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    sniffed = sniff(head, upload)
    if sniffed is None:
        raise invalid(field, Code.INVALID_FILE, f"附件只能是 {TYPES_TEXT} 文件，系统按文件内容识别类型")
    return CheckedUpload(upload, sniffed)
