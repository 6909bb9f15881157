"""Where the files of catalog items live: MEDIA_ROOT/catalog/<key[:2]>/<key>, named by a random key (never
the name the uploader sent). Published documents are public, so they are stored as they are served (with
their embedded metadata stripped, gongkai.catalog.files), not encrypted like applicants' files.

Order of writing (gongkai.catalog.services.attachments): the file first, then the row, in one transaction.
A file whose transaction failed is removed at once; one left behind by a killed process has no row and is
removed by the daily sweep (`catalog_files_sweep`) once it is older than SWEEP_GRACE.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from django.conf import settings

from gongkai.catalog.files import KINDS
from gongkai.catalog.models import ItemAttachment

FOLDER = "catalog"
# A file younger than this may belong to a transaction that is still running: the sweep leaves it.
SWEEP_GRACE = dt.timedelta(hours=1)


def attachment_root() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def attachment_path(attachment: ItemAttachment | str) -> Path:
    key = attachment if isinstance(attachment, str) else attachment.key
    return attachment_root() / key[:2] / key


def attachment_write(key: str, content: bytes) -> Path:
    """Write a new file under its key (owner-only; never over an existing file)."""
    path = attachment_path(key)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def attachment_content(attachment: ItemAttachment) -> bytes:
    return attachment_path(attachment).read_bytes()


def attachment_content_type(attachment: ItemAttachment) -> str:
    kind = KINDS.get(attachment.extension)
    return kind.content_type if kind else "application/octet-stream"


def attachment_files() -> list[Path]:
    """Every file under the catalog folder (stored files and leftovers)."""
    root = attachment_root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def catalog_files_sweep(*, now: float | None = None) -> int:
    """Remove files that no row refers to (an upload whose transaction failed or was killed, a removed
    attachment whose file outlived its row) once they are older than SWEEP_GRACE; returns how many."""
    limit = (now if now is not None else time.time()) - SWEEP_GRACE.total_seconds()
    files = [p for p in attachment_files() if p.stat().st_mtime < limit]
    known: set[str] = set()
    names = [p.name for p in files]
    for start in range(0, len(names), 500):
        known |= set(
            ItemAttachment.objects.filter(key__in=names[start : start + 500]).values_list("key", flat=True)
        )
    removed = 0
    for path in files:
        if path.name not in known:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
