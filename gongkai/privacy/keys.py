"""The installation's data-encryption keyring.

Where the key comes from, in this order:
1. GONGKAI_DATA_KEY (Base64 of 32 random bytes; `gongkai keys new` prints one), with older keys still to
   be read during a rotation in GONGKAI_DATA_KEYS_OLD (comma-separated). Production sets these.
2. The key file `data-key` in the data directory: the first key line is the current key, further lines
   are older keys. `gongkai demo` and a laptop get one generated, readable by its owner only, like the
   Django secret key. In production (GONGKAI_PRODUCTION=1) no key file is generated: set the variable.

The key is never in a backup (gongkai.backup leaves the key file out): keep it apart, offline.
GONGKAI_CIPHER chooses the cipher for new data: aes-256-gcm (default) or sm4-gcm (商用密码).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gongkai.crypto import Keyring, UnusableKey, decode_key, encode_key, new_master_key

KEY_FILE_NAME = "data-key"
_lock = threading.Lock()
_cached: tuple[float | None, Keyring] | None = None  # (the key file's mtime when read, the keyring)
# Every encrypted value read asks for the keyring: look at the key file at most once a second.
RECHECK_SECONDS = 1.0
_checked_at = 0.0


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def write_key_file(path: Path, keys: list[str]) -> None:
    """Write key lines (current first) to `path`, owner-only, replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(
            "# gongkai 数据加密密钥：第一行为当前密钥，其后为轮换中的旧密钥。不要放入备份，另行妥善保管。\n"
        )
        out.write("\n".join(keys) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def read_key_file(path: Path) -> list[str]:
    return [
        line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]


def _load() -> Keyring:
    cipher = settings.DATA_CIPHER
    try:
        if settings.DATA_KEY:
            older = [decode_key(k) for k in settings.DATA_KEYS_OLD]
            return Keyring(decode_key(settings.DATA_KEY), older, cipher=cipher)
        path = key_file()
        if not path.exists():
            if settings.PRODUCTION:
                raise ImproperlyConfigured(
                    "生产环境需要数据加密密钥：请设置环境变量 GONGKAI_DATA_KEY（可用 gongkai keys new 生成），"
                    "并与备份分开保管。"
                )
            if _encrypted_data_exists():
                raise ImproperlyConfigured(
                    f"数据库或上传文件中已有加密的个人信息，但找不到数据加密密钥（{path}）。请放回原来的 data-key "
                    "文件或设置 GONGKAI_DATA_KEY（例如恢复备份后）；生成新密钥将无法读取已有数据。"
                )
            write_key_file(path, [encode_key(new_master_key())])
        lines = read_key_file(path)
        if not lines:
            raise ImproperlyConfigured(f"数据加密密钥文件 {path} 中没有密钥")
        return Keyring(decode_key(lines[0]), [decode_key(k) for k in lines[1:]], cipher=cipher)
    except UnusableKey as exc:
        raise ImproperlyConfigured(f"数据加密密钥不可用：{exc}") from exc


def _file_version() -> float | None:
    if settings.DATA_KEY:
        return None  # keys from the environment change only with a restart
    try:
        return key_file().stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _encrypted_data_exists() -> bool:
    """Is there data a new key could not read (a restored database or media folder without its key)?"""
    from django.db import connection

    attachments = Path(settings.MEDIA_ROOT) / "attachments"
    if attachments.is_dir() and any(p.is_file() for p in attachments.rglob("*")):
        return True
    if "cases_application" not in connection.introspection.table_names():  # a new installation
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM cases_application WHERE id_number LIKE %s LIMIT 1", ["gk1:%"])
        return cursor.fetchone() is not None


def keyring() -> Keyring:
    """The keyring of this process. Keys from a key file are read again when the file changes (a rotation
    by `gongkai keys rotate` reaches the running web and worker processes)."""
    global _cached, _checked_at
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - _checked_at < RECHECK_SECONDS:
        return cached[1]
    version = _file_version()
    _checked_at = now
    if cached is None or cached[0] != version:
        with _lock:
            ring = _load()
            _cached = (_file_version(), ring)
            return ring
    return cached[1]


def keyring_reset() -> None:
    global _cached
    with _lock:
        _cached = None
