"""The backup archive: one tar file, gzip-compressed unless its name ends in .tar. Written and read as a
stream, in one pass each way; nothing in it is trusted before its SHA-256 matches.

Members, in this order:

    manifest.json                what the archive holds (see `Manifest`)
    manifest.sha256              the SHA-256 of manifest.json: an edited manifest is refused
    database/gongkai.sqlite3     a consistent copy of the SQLite database (online backup API), or
    database/gongkai.pgdump      pg_dump's custom format of the PostgreSQL database
    media/…                      every uploaded file under MEDIA_ROOT

The manifest comes first so that a restore can refuse an archive of the wrong engine or schema before it
reads anything else; its hashes are therefore computed before the archive is written, and each file is
hashed again while it is written (a file that changed in between fails the backup).

The keys are never in an archive (`KEYS`, `NEVER_BACKED_UP`): whoever holds a backup must not also hold
what signs the sessions and decrypts the attachments. They are kept apart (README "Backup and restore").

This module imports no Django: the caller passes the paths and the database dump.
"""

from __future__ import annotations

import collections
import contextlib
import fnmatch
import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import NoReturn

FORMAT = "gongkai-backup/1"
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
DATABASE_MEMBERS = {"sqlite": "database/gongkai.sqlite3", "postgresql": "database/gongkai.pgdump"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA = "media"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Key:
    """A key the installation needs that a backup never holds."""

    file: str  # in the data directory
    env: str  # or in this environment variable
    label: str  # what it is, for people


# The keys, defined once: the backup leaves them out, the restore tells the user to put them back.
# "data-key" / GONGKAI_DATA_KEY: the key that encrypts personal data (gongkai.privacy.keys).
KEYS = (
    Key("secret-key", "GONGKAI_SECRET_KEY", "Django 密钥（签名登录会话和表单令牌）"),
    Key(
        "data-key",
        "GONGKAI_DATA_KEY",
        "数据加密密钥（证件号码、电话、附件、文书；没有它，恢复后的个人信息无法读取）",
    ),
)
# Never in a backup: the keys, and any file or folder named like a key (matched case-insensitively
# against every part of its path under the data directory).
NEVER_BACKED_UP = (*(key.file for key in KEYS), "*key*")

# The names an archive may hold: a media path is plain relative parts (no "..", no absolute path).
_SAFE_PART = re.compile(r"^[^/\\\x00]+$")

Advance = Callable[[int], None]
# progress(label, total bytes or None) -> advance(bytes done); the command shows it as a bar on a terminal
Progress = Callable[[str, int | None], Advance]


def no_progress(label: str, total: int | None) -> Advance:
    return lambda done: None


class Refused(Exception):
    """Nothing was changed: the archive, the target or the environment is not as it must be. One Chinese
    line per problem."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class Damaged(Refused):
    """The archive is not a gongkai backup, or not the one it says it is."""


def never_backed_up(relative: PurePosixPath) -> bool:
    """Whether a path (relative to the data directory) is, or is inside, something never backed up."""
    return any(
        fnmatch.fnmatchcase(part.lower(), pattern.lower())
        for part in relative.parts
        for pattern in NEVER_BACKED_UP
    )


def safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and str(path) == name
        and all(part not in (".", "..") and _SAFE_PART.match(part) for part in path.parts)
    )


@dataclass(frozen=True)
class Entry:
    """A member of the archive: its name, size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass
class Manifest:
    engine: str  # "sqlite" or "postgresql"
    created_at: str  # ISO 8601, when the backup began (just before the database snapshot)
    gongkai_version: str
    migrations: dict[str, list[str]]  # app label -> applied migration names, as in the snapshot
    tables: dict[str, int]  # table -> rows, as in the snapshot
    database: Entry
    files: list[Entry] = field(default_factory=list)
    format: str = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data.decode())
        except (UnicodeDecodeError, ValueError) as exc:
            raise Damaged(f"备份清单（{MANIFEST}）无法读取：{exc}") from exc
        if not isinstance(raw, dict) or not str(raw.get("format", "")).startswith("gongkai-backup/"):
            raise Damaged(f"不是 gongkai 的备份文件（{MANIFEST} 中没有 gongkai-backup 格式标记）")
        if raw["format"] != FORMAT:
            raise Damaged(
                f"备份格式 {raw['format']} 不受本版本支持（本版本读取 {FORMAT}）：请用较新的 gongkai 恢复"
            )
        try:
            manifest = cls(
                engine=str(raw["engine"]),
                created_at=str(raw["created_at"]),
                gongkai_version=str(raw["gongkai_version"]),
                migrations={str(app): [str(n) for n in names] for app, names in raw["migrations"].items()},
                tables={str(table): int(rows) for table, rows in raw["tables"].items()},
                database=_entry(raw["database"]),
                files=[_entry(item) for item in raw["files"]],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Damaged(f"备份清单（{MANIFEST}）内容不完整或格式有误：{exc!r}") from exc
        if (
            manifest.engine not in DATABASE_MEMBERS
            or manifest.database.path != DATABASE_MEMBERS[manifest.engine]
        ):
            raise Damaged(f"备份清单（{MANIFEST}）中的数据库类型或数据库文件名无效")
        bad = [
            e.path
            for e in manifest.files
            if not (e.path.startswith(MEDIA + "/") and safe_member_name(e.path))
        ]
        if bad:
            raise Damaged(f"备份清单（{MANIFEST}）中有无效的文件路径：{bad[0]}")
        return manifest

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    @property
    def file_bytes(self) -> int:
        return sum(e.size for e in self.files)


def _entry(raw) -> Entry:
    entry = Entry(path=str(raw["path"]), size=int(raw["size"]), sha256=str(raw["sha256"]))
    if entry.size < 0 or not re.fullmatch(r"[0-9a-f]{64}", entry.sha256):
        raise ValueError(f"{entry.path}: size or sha256")
    return entry


# --- hashing -------------------------------------------------------------------------------------------------


class _HashingReader(io.RawIOBase):
    """Reads from a file, hashing what passes and reporting progress."""

    def __init__(self, raw, advance: Advance = lambda n: None):
        self._raw, self._advance = raw, advance
        self.hash = hashlib.sha256()
        self.count = 0

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.hash.update(data)
        self.count += len(data)
        if data:
            self._advance(len(data))
        return len(data)


class _HashingWriter(io.RawIOBase):
    def __init__(self, raw):
        self._raw = raw
        self.hash = hashlib.sha256()
        self.count = 0

    def write(self, data) -> int:
        self._raw.write(data)
        self.hash.update(data)
        self.count += len(data)
        return len(data)


def hash_file(path: Path, advance: Advance = lambda n: None, *, name: str | None = None) -> Entry:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            advance(len(chunk))
    return Entry(name or path.name, size, digest.hexdigest())


# --- what to back up -----------------------------------------------------------------------------------------


@dataclass
class MediaFiles:
    entries: list[tuple[Entry, Path]]  # archive entry, file on disk
    left_out: list[str]  # paths (relative to the data directory) named like keys, or not regular files


def media_files(
    media_root: Path, *, skip: Path | None = None, advance: Advance = lambda n: None
) -> MediaFiles:
    """Every regular file under MEDIA_ROOT with its size and SHA-256, in a stable order; key-like names,
    symbolic links and the file `skip` (the archive being written, should it be under MEDIA_ROOT) left out."""
    found = MediaFiles([], [])
    if not media_root.is_dir():
        return found
    for path in sorted(_walk(media_root)):
        relative = PurePosixPath(MEDIA) / path.relative_to(media_root).as_posix()
        if skip is not None and path == skip:
            continue
        if never_backed_up(relative) or path.is_symlink() or not path.is_file():
            found.left_out.append(str(relative))
            continue
        if not safe_member_name(str(relative)):
            found.left_out.append(str(relative))
            continue
        found.entries.append((hash_file(path, advance, name=str(relative)), path))
    return found


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):  # does not follow symbolic links to folders
        for name in dirs:
            if (Path(folder) / name).is_symlink():
                yield Path(folder) / name
        for name in files:
            yield Path(folder) / name


# --- writing -------------------------------------------------------------------------------------------------


class FileChanged(Exception):
    """A file differed while the archive was written from when it was hashed."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


class ArchiveWriter:
    """Writes an archive under a temporary name beside `path` (mode 0600) and gives it its name only when
    complete, so a file with the archive's name is always whole."""

    def __init__(self, path: Path, *, compress: bool):
        self.path = path
        self._temp = path.with_name(f".{path.name}.partial-{os.getpid()}")
        fd = os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._raw = os.fdopen(fd, "wb")
        self._hashing = _HashingWriter(self._raw)
        # compresslevel 6: uploads (PDF, JPEG) barely compress, and 9 costs far more time for little
        self._gzip = (
            gzip.GzipFile(filename="", mode="wb", fileobj=self._hashing, compresslevel=6)
            if compress
            else None
        )
        self._tar = tarfile.open(fileobj=self._gzip or self._hashing, mode="w|", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self.sha256: str | None = None
        self.size = 0

    def add_bytes(self, name: str, data: bytes) -> None:
        self._tar.addfile(self._info(name, len(data)), io.BytesIO(data))

    def add_file(self, entry: Entry, source: Path, advance: Advance = lambda n: None) -> None:
        """Add a file hashed before as `entry`; FileChanged when its content is no longer the same."""
        try:
            with open(source, "rb") as f:
                reader = _HashingReader(f, advance)
                self._tar.addfile(self._info(entry.path, entry.size), reader)
                if f.read(1):  # it grew: what was archived is not the whole file
                    raise FileChanged(entry.path)
        except FileNotFoundError as exc:
            raise FileChanged(entry.path) from exc
        except OSError as exc:
            if "unexpected end of data" in str(exc):  # it shrank (tarfile's copy came up short)
                raise FileChanged(entry.path) from exc
            raise
        if reader.hash.hexdigest() != entry.sha256:
            raise FileChanged(entry.path)

    def finish(self) -> None:
        self._tar.close()
        if self._gzip is not None:
            self._gzip.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self._temp, self.path)
        _fsync_folder(self.path.parent)
        self.sha256, self.size = self._hashing.hash.hexdigest(), self._hashing.count

    def abort(self) -> None:
        for closing in (self._tar, self._gzip, self._raw):
            if closing is not None:
                with contextlib.suppress(Exception):  # the partial file goes anyway
                    closing.close()
        self._temp.unlink(missing_ok=True)

    @staticmethod
    def _info(name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.type = size, 0o600, tarfile.REGTYPE
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = 0  # the manifest says when the backup was taken; members carry no other time
        return info


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_archive(
    path: Path,
    *,
    manifest: Manifest,
    database: Path,
    media: list[tuple[Entry, Path]],
    compress: bool,
    advance: Advance = lambda n: None,
) -> ArchiveWriter:
    """The whole archive; returns the writer, whose sha256 and size describe the file written."""
    writer = ArchiveWriter(path, compress=compress)
    try:
        data = manifest.to_json()
        writer.add_bytes(MANIFEST, data)
        writer.add_bytes(MANIFEST_SUM, f"{hashlib.sha256(data).hexdigest()}  {MANIFEST}\n".encode())
        writer.add_file(manifest.database, database, advance)
        for entry, source in media:
            writer.add_file(entry, source, advance)
        writer.finish()
    except BaseException:
        writer.abort()
        raise
    return writer


# --- reading -------------------------------------------------------------------------------------------------

_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError)


def _damaged(exc: BaseException) -> Damaged:
    return Damaged(f"备份文件已损坏或不完整，无法读取（{type(exc).__name__}: {exc}）")


@dataclass
class Unpacked:
    manifest: Manifest
    database: Path  # the verified database dump in the staging folder
    files: list[tuple[Entry, Path]]  # verified media files in the staging folder (if kept)
    sha256: str  # of the archive file
    size: int


class ArchiveReader:
    """Reads an archive in one pass: first its manifest (checked against manifest.sha256), so that the
    caller can refuse an archive that does not fit before anything else is read; then `unpack` writes every
    member into a staging folder and checks its size and SHA-256 against the manifest."""

    def __init__(self, path: Path):
        self.path = path
        self._raw = open(path, "rb")  # noqa: SIM115 (closed by close())
        try:
            compressed = self._raw.peek(2)[:2] == b"\x1f\x8b"
            self._hashing = _HashingReader(self._raw)
            self._stream = gzip.GzipFile(fileobj=self._hashing, mode="rb") if compressed else self._hashing
            try:
                self._tar = tarfile.open(fileobj=self._stream, mode="r|")  # noqa: SIM115
            except tarfile.ReadError as exc:
                raise Damaged("不是 gongkai 的备份文件（不是 tar 或 tar.gz 文件）") from exc
            self._members = iter(self._tar)
            data = self._read_small(MANIFEST)
            digest = self._read_small(MANIFEST_SUM)
            if digest.split()[:1] != [hashlib.sha256(data).hexdigest().encode()]:
                raise Damaged(f"备份清单（{MANIFEST}）与其校验值（{MANIFEST_SUM}）不符：清单被改动过或已损坏")
        except Damaged as refused:
            self._refuse(refused)
        except _READ_ERRORS as exc:
            self.close()
            raise _damaged(exc) from exc
        try:
            self.manifest = Manifest.from_json(data)
        except Damaged:
            self.close()
            raise

    def _refuse(self, refused: Damaged) -> NoReturn:
        """A beginning that is not a gongkai manifest may be a damaged compressed file whose bytes still
        decompressed: read the compressed stream to its end (gzip checks its CRC there) to say which."""
        try:
            if self._stream is not self._hashing:
                _drain(self._stream)
        except _READ_ERRORS as exc:
            raise _damaged(exc) from exc
        finally:
            self.close()
        raise refused

    def _read_small(self, expected: str) -> bytes:
        member = next(self._members, None)
        if member is None or member.name != expected or not member.isreg() or member.size > 64 * CHUNK:
            raise Damaged(f"不是 gongkai 的备份文件（开头没有 {expected}）")
        return self._tar.extractfile(member).read()

    def unpack(
        self, staging: Path, advance: Advance = lambda n: None, *, keep_media: bool = True
    ) -> Unpacked:
        """Every member checked; the database dump, and the media files unless not `keep_media` (a check
        that restores nothing only hashes them), written under `staging`."""
        expected = {e.path: e for e in [self.manifest.database, *self.manifest.files]}
        seen: dict[str, Path] = {}
        problems: list[str] = []
        try:
            for member in self._members:
                name = member.name
                if name in seen or name not in expected or not member.isreg() or not safe_member_name(name):
                    problems.append(f"备份文件中有清单没有列出的内容：{name}")
                    continue
                target = staging / name
                if keep_media or name == self.manifest.database.path:
                    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    size, digest = _extract(self._tar.extractfile(member), target, advance)
                else:
                    size, digest = _extract_hash(self._tar.extractfile(member), advance)
                seen[name] = target
                entry = expected[name]
                if (size, digest) != (entry.size, entry.sha256):
                    problems.append(f"{name} 的内容与备份清单不符（校验值不同）：文件已损坏")
            _drain(self._stream)  # to the end: gzip checks its CRC there
            _drain(self._hashing)  # and the archive's hash covers every byte
        except _READ_ERRORS as exc:
            if isinstance(exc, OSError) and exc.filename is not None:
                raise  # writing to the staging folder failed: not the archive's fault
            raise _damaged(exc) from exc
        missing = [name for name in expected if name not in seen]
        problems += [f"备份文件不完整：缺少 {name}" for name in missing[:20]]
        if len(missing) > 20:
            problems.append(f"备份文件不完整：另有 {len(missing) - 20} 个文件缺少")
        if problems:
            raise Damaged(problems)
        return Unpacked(
            manifest=self.manifest,
            database=seen[self.manifest.database.path],
            files=[(e, seen[e.path]) for e in self.manifest.files],
            sha256=self._hashing.hash.hexdigest(),
            size=self._hashing.count,
        )

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _drain(stream) -> None:
    collections.deque(iter(lambda: stream.read(CHUNK), b""), maxlen=0)


def _extract_hash(source, advance: Advance) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        advance(len(chunk))
    return size, digest.hexdigest()


def _extract(source, target: Path, advance: Advance) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while True:
            chunk = source.read(CHUNK)  # a read error is the archive's
            if not chunk:
                break
            try:
                out.write(chunk)
            except OSError as exc:  # writing is ours (a full disk): say which file
                exc.filename = exc.filename or str(target)
                raise
            digest.update(chunk)
            size += len(chunk)
            advance(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()
