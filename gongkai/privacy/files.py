"""Encrypted files on disk (uploaded attachments): written whole to a temporary name and renamed into place,
owner-only; the file's own key is bound to its content (a file put under another name does not decrypt)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from gongkai.privacy.keys import keyring


def write_encrypted(path: Path, chunks: Iterable[bytes], *, context: str) -> int:
    """Encrypt the content and write it to `path` (which must not exist); returns the plain size."""
    data = b"".join(chunks)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = keyring().encrypt(data, context=context.encode())
    temporary = path.with_name(f".{path.name}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(token)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            raise FileExistsError(path)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return len(data)


def read_decrypted(path: Path, *, context: str) -> bytes:
    return keyring().decrypt(path.read_bytes(), context=context.encode())


def reencrypt(path: Path, *, context: str) -> bool:
    """Re-encrypt a file under the current key (key rotation); False when it already is."""
    ring = keyring()
    token = path.read_bytes()
    if ring.is_current(token):
        return False
    data = ring.decrypt(token, context=context.encode())
    temporary = path.with_name(f".{path.name}.rotate")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(ring.encrypt(data, context=context.encode()))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    return True
