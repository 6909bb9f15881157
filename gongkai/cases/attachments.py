"""Stored attachments of applications (the online form, an online correction): one `Attachment` row per file,
the file encrypted under MEDIA_ROOT/attachments/<key[:2]>/<key> with its random key as the file's name and
as the cipher's associated data.

Order of writing: the file first (to its final name), then the row, in the caller's transaction. So a row
never points at a missing file, and a file is never served for another row (the key is random, not the
row's id, and the file decrypts only under its own key). A file whose transaction failed has no row: the
service removes it at once, and the daily sweep removes any that a killed process left behind.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import Path

from django.conf import settings

from gongkai.cases.models import Application, Attachment
from gongkai.privacy.files import read_decrypted, reencrypt, write_encrypted
from gongkai.web.attachments import CONTENT_TYPES, CheckedUpload

FOLDER = "attachments"
# A file younger than this may belong to a transaction that is still running: the sweep leaves it.
SWEEP_GRACE = dt.timedelta(hours=1)


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def _path(key: str) -> Path:
    return _root() / key[:2] / key


def attachment_store(*, application: Application, upload: CheckedUpload, source: str) -> Attachment:
    """Write a checked upload for the application (inside the caller's transaction)."""
    key = secrets.token_hex(16)
    path = _path(key)
    size = write_encrypted(path, upload.file.chunks(), context=key)
    try:
        return Attachment.objects.create(
            application=application, key=key, extension=upload.sniffed.extension.lstrip("."), size=size,
            source=source,
        )  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def attachment_file_remove(attachment: Attachment) -> None:
    """Remove the file of an attachment whose transaction failed (its row is gone with the rollback)."""
    _path(attachment.key).unlink(missing_ok=True)


def attachments_of(*, application: Application) -> list[Attachment]:
    return list(Attachment.objects.filter(application=application))


def attachment_get(*, application: Application, key: str) -> Attachment | None:
    return Attachment.objects.filter(application=application, key=key).first()


def attachment_content(attachment: Attachment) -> bytes:
    return read_decrypted(_path(attachment.key), context=attachment.key)


def attachment_content_type(attachment: Attachment) -> str:
    return CONTENT_TYPES[attachment.extension]


def attachment_files() -> list[Path]:
    """Every file under the attachments folder (stored files and leftovers)."""
    root = _root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def attachments_sweep(*, now: float | None = None) -> int:
    """Remove files that no row refers to (a submission that failed or was killed before its commit), once
    they are older than SWEEP_GRACE; returns how many were removed."""
    limit = (now if now is not None else time.time()) - SWEEP_GRACE.total_seconds()
    files = [p for p in attachment_files() if p.stat().st_mtime < limit]
    known = set(Attachment.objects.filter(key__in=[p.name for p in files]).values_list("key", flat=True))
    removed = 0
    for path in files:
        if path.name not in known:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def attachments_reencrypt() -> int:
    """Re-encrypt every stored file under the current key (key rotation); returns how many changed."""
    changed = 0
    for attachment in Attachment.objects.only("key").iterator():
        path = _path(attachment.key)
        if path.exists() and reencrypt(path, context=attachment.key):
            changed += 1
    return changed
