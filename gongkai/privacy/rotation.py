"""Key rotation: re-encrypt every encrypted column and stored file under the current key, and recompute the
lookup hashes (they are keyed too).

With a key file (the demo, a laptop): `gongkai keys rotate` makes a new key, writes it first in the file
with the old keys after it (so every process can read both while the rotation runs), re-encrypts, then
leaves only the new key in the file. With keys from the environment: set GONGKAI_DATA_KEY to the new key
and GONGKAI_DATA_KEYS_OLD to the old one(s) for every process, run `gongkai keys rotate`, then remove the
old keys. Interrupted, it can simply be run again: every row is rewritten under whatever key is current.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from gongkai.crypto import encode_key, new_master_key
from gongkai.privacy.fields import EncryptedBinaryField, EncryptedTextField, LookupHashField
from gongkai.privacy.keys import (
    RECHECK_SECONDS,
    key_file,
    keyring,
    keyring_reset,
    read_key_file,
    write_key_file,
)

BATCH = 500


@dataclass
class Rotation:
    key_label: str = ""
    rows: int = 0
    files: int = 0
    new_key_file: bool = False


def _encrypted_models() -> list[tuple[type, list[str], list[LookupHashField]]]:
    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        encrypted = [f.name for f in fields if isinstance(f, EncryptedTextField | EncryptedBinaryField)]
        hashes = [f for f in fields if isinstance(f, LookupHashField)]
        if encrypted or hashes:
            found.append((model, encrypted, hashes))
    return found


def rows_to_rotate() -> int:
    return sum(model._default_manager.count() for model, _, _ in _encrypted_models())


def reencrypt_rows(*, progress: Callable[[int], None] | None = None) -> int:
    """Rewrite every encrypted value and lookup hash under the current key; returns the rows rewritten."""
    done = 0
    for model, encrypted, hashes in _encrypted_models():
        sources = sorted({f.source for f in hashes} | set(encrypted))
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            with transaction.atomic():
                batch = model._default_manager.filter(pk__in=pks[start : start + BATCH]).values(
                    "pk", *sources
                )
                for row in batch:
                    values = {name: row[name] for name in encrypted}
                    values |= {f.name: f.hash_of(row[f.source]) for f in hashes}
                    model._default_manager.filter(pk=row["pk"]).update(**values)
            done += len(pks[start : start + BATCH])
            if progress:
                progress(len(pks[start : start + BATCH]))
    return done


def rotate_keys(*, progress: Callable[[int], None] | None = None) -> Rotation:
    """Rotate (see the module's text); returns what was done."""
    from django.conf import settings

    from gongkai.cases.attachments import attachments_reencrypt

    summary = Rotation()
    path = key_file()
    if not settings.DATA_KEY:
        keyring()  # makes the key file when there is none yet
        summary.new_key_file = True
        new = encode_key(new_master_key())
        write_key_file(path, [new, *read_key_file(path)])
        keyring_reset()
        # the other processes look at the key file at most once a RECHECK_SECONDS: let them know the new
        # key before any row is written under it
        time.sleep(2 * RECHECK_SECONDS)
    summary.key_label = keyring().current.label
    summary.rows = reencrypt_rows(progress=progress)
    summary.files = attachments_reencrypt()
    if summary.new_key_file:
        write_key_file(path, read_key_file(path)[:1])
        keyring_reset()
    return summary
