"""Attachments of online applications, kept on disk under MEDIA_ROOT/applications/<application id>/.

Files are stored under a random name with the extension of the type sniffed from their content, never
under the name the client sent. Only staff of the agency read them back (through the workbench, after
gongkai.cases.selectors.application_get has checked the user may see the application).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png|docx)$")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Attachment:
    name: str
    size: int

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[1]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


def _folder(application) -> Path:
    return Path(settings.MEDIA_ROOT) / "applications" / str(int(application.pk))


def attachment_store(*, application, upload, extension: str) -> Attachment:
    """Write an uploaded file (already checked for size and type) for the application."""
    folder = _folder(application)
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    name = f"{uuid.uuid4().hex}{extension}"
    size = 0
    with open(folder / name, "xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
            size += len(chunk)
    return Attachment(name, size)


def attachments_of(*, application) -> list[Attachment]:
    folder = _folder(application)
    if not folder.is_dir():
        return []
    return [Attachment(p.name, p.stat().st_size) for p in sorted(folder.iterdir()) if _NAME.match(p.name)]


def attachment_path(*, application, name: str) -> Path | None:
    """The file of one attachment, or None when there is no such attachment (names are checked, so a
    crafted name cannot leave the application's folder)."""
    if not _NAME.match(name):
        return None
    path = _folder(application) / name
    return path if path.is_file() else None
