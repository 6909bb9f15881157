"""Where the files of catalog items live: MEDIA_ROOT/catalog/<key[:2]>/<key>, named by a random key (never
the name the uploader sent). Published documents are public, so they are stored as they are served (with
their embedded metadata stripped), not encrypted like applicants' files."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from gongkai.catalog.models import ItemAttachment

FOLDER = "catalog"


def attachment_root() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def attachment_path(attachment: ItemAttachment | str) -> Path:
    key = attachment if isinstance(attachment, str) else attachment.key
    return attachment_root() / key[:2] / key
