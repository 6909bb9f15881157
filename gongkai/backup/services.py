"""`backup_create`, `backup_verify` and `backup_restore`: the work behind `gongkai backup` and `gongkai
restore` (gongkai/backup/command.py prints it).

Backup: the database first, then the uploaded files. Files are only ever added (an attachment is written
under a new random name before the row that owns it commits, and removed only when that row never
commits), never replaced: so every row in the database snapshot finds its files in the archive, and a file
written after the snapshot is a harmless extra. Should files one day be replaced or deleted in place, this
order no longer suffices.

Restore: into an empty database of the same engine and schema, and an empty media folder. Everything is
checked before the target changes: the manifest, the engine, the migrations against this code, that the
target is empty, then every member's SHA-256 (unpacked into a staging folder beside the data) and, for
SQLite, the integrity of the database copy and its row counts. Then the database goes in, then the files;
then the rows are counted again against the manifest, and the restore is written to the audit log of the
restored database.
"""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.backup.archive import (
    DATABASE_MEMBERS,
    ENGINE_LABELS,
    ArchiveReader,
    FileChanged,
    Manifest,
    Progress,
    Refused,
    Unpacked,
    hash_file,
    media_files,
    no_progress,
    write_archive,
)
from gongkai.backup.engines import (
    BOOKKEEPING,
    Engine,
    Failed,
    check_dump,
    count_problems,
    engine_for,
    place_file,
)

ARCHIVE_SUFFIXES = {".tar.gz": True, ".tgz": True, ".tar": False}  # suffix -> gzip-compressed


@dataclass(frozen=True)
class BackupArchive:
    """What the audit log records a backup as: object_id is the archive's SHA-256."""

    pk: str


@dataclass
class BackupDone:
    path: Path
    size: int
    sha256: str
    manifest: Manifest
    left_out: list[str] = field(default_factory=list)  # files not backed up (named like keys, links)
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreDone:
    manifest: Manifest
    sha256: str
    database: str  # describes the target database


def gongkai_version() -> str:
    try:
        return metadata.version("gongkai")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed (pip install -e .)
        return "unknown"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - a user id without a name (some containers)
        return str(os.getuid())


# --- backup ---------------------------------------------------------------------------------------------------


def archive_path(given: str | Path, *, now: datetime) -> tuple[Path, bool]:
    """The archive to write and whether it is compressed: OUT itself, or a dated file when OUT is a folder
    (an existing one, or a path written with a trailing slash)."""
    out = Path(given)
    if out.is_dir() or str(given).endswith(("/", os.sep)):
        return out / f"gongkai-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz", True
    for suffix, compressed in ARCHIVE_SUFFIXES.items():
        if out.name.endswith(suffix) and len(out.name) > len(suffix):
            return out, compressed
    raise Refused(f"备份文件名应以 .tar.gz、.tgz 或 .tar 结尾，或者给出一个目录：{out}")


def _make_folder(folder: Path) -> None:
    """Create the folder and any missing parents owner-only (0700); an existing folder is left as it is."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700)
        path.chmod(0o700)  # mkdir's mode is filtered by the umask


def backup_create(*, out: str | Path, progress: Progress = no_progress) -> BackupDone:
    """Write a backup archive of the database and the uploaded files to OUT (mode 0600); the backup is
    audited in the live database afterwards."""
    now = timezone.now()
    path, compress = archive_path(out, now=now)
    if path.exists():
        raise Refused(f"{path} 已存在，不会覆盖：请换一个文件名或目录")
    _make_folder(path.parent)
    engine = engine_for()
    media_root = Path(settings.MEDIA_ROOT)
    warnings = []
    if path.resolve().is_relative_to(Path(settings.DATA_DIR).resolve()):
        warnings.append(
            f"备份文件在数据目录 {settings.DATA_DIR} 之内：数据所在的磁盘损坏时备份会一起丢失，请另存一份到别的磁盘或机器"
        )

    with tempfile.TemporaryDirectory(prefix=".gongkai-backup-", dir=path.parent) as staging:
        dump = Path(staging) / Path(DATABASE_MEMBERS[engine.name]).name
        progress("正在读取数据库快照", None)
        snapshot = engine.snapshot(dump)
        if snapshot.problems:
            raise Failed(
                [
                    *snapshot.problems,
                    "数据库快照未通过检查，没有写入备份：请先修复数据库（例如用上一次的备份恢复）",
                ]
            )
        warnings += _unapplied_warning(snapshot.migrations)
        database = hash_file(dump, name=DATABASE_MEMBERS[engine.name])
        total = (
            sum(f.stat().st_size for f in media_root.rglob("*") if f.is_file()) if media_root.is_dir() else 0
        )
        found = media_files(media_root, skip=path, advance=progress("正在核对上传的文件", total))
        manifest = Manifest(
            engine=engine.name,
            created_at=timezone.localtime(now).isoformat(timespec="seconds"),
            gongkai_version=gongkai_version(),
            migrations=snapshot.migrations,
            tables=snapshot.tables,
            database=database,
            files=[entry for entry, _ in found.entries],
        )
        advance = progress("正在写入备份文件", database.size + manifest.file_bytes)
        try:
            writer = write_archive(
                path,
                manifest=manifest,
                database=dump,
                media=found.entries,
                compress=compress,
                advance=advance,
            )
        except FileChanged as exc:
            raise Failed(
                f"{exc.path} 在备份过程中被改动或删除，备份没有写入：请重新备份"
                "（上传的文件只应新增，不应原地修改）"
            ) from exc

    with transaction.atomic(durable=True):
        audit_record(
            actor=None,
            action=AuditAction.BACKUP_CREATE,
            obj=BackupArchive(writer.sha256),
            after={
                "file": str(path),
                "size": writer.size,
                "sha256": writer.sha256,
                "engine": engine.name,
                "created_at": manifest.created_at,
                "tables": len(manifest.tables),
                "rows": manifest.rows,
                "files": len(manifest.files),
                "os_user": _os_user(),
            },
        )
    return BackupDone(path, writer.size, writer.sha256, manifest, found.left_out, warnings)


def _unapplied_warning(applied: dict[str, list[str]]) -> list[str]:
    missing, extra = _migration_difference(applied)
    if missing:
        return [
            f"数据库还有 {len(missing)} 个本程序的迁移没有应用（{_names(missing)}）：恢复这份备份需要与数据库相同"
            "版本的 gongkai；建议先运行 gongkai manage migrate 再备份"
        ]
    return []


# --- restore --------------------------------------------------------------------------------------------------


def _migration_difference(applied: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(migrations this code has that the archive lacks, migrations the archive has that this code lacks),
    for the apps this code knows."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    code = {f"{app}.{name}" for app, name in loader.disk_migrations}
    apps = {app for app, _ in loader.disk_migrations}
    archived = {f"{app}.{name}" for app, names in applied.items() if app in apps for name in names}
    return sorted(code - archived), sorted(archived - code)


def _names(names: list[str], limit: int = 3) -> str:
    shown = "、".join(names[:limit])
    return shown + (f" 等 {len(names)} 个" if len(names) > limit else "")


def migration_problems(manifest: Manifest) -> list[str]:
    missing, extra = _migration_difference(manifest.migrations)
    problems = []
    if extra:
        problems.append(
            f"备份来自较新版本的 gongkai（{manifest.gongkai_version}）：其中有本程序没有的迁移 {_names(extra)}。"
            "请用备份时的版本恢复"
        )
    if missing:
        problems.append(
            f"备份来自较旧版本的 gongkai（{manifest.gongkai_version}）：其中缺少本程序的迁移 {_names(missing)}。"
            "请用备份时的版本恢复，再升级程序并运行 gongkai manage migrate"
        )
    return problems


def _engine_problem(manifest: Manifest, engine: Engine) -> list[str]:
    if manifest.engine == engine.name:
        return []
    return [
        f"备份来自 {ENGINE_LABELS[manifest.engine]} 数据库，当前配置的是 {engine.label}（{engine.describe()}）："
        f"不支持跨数据库类型恢复。请在 {ENGINE_LABELS[manifest.engine]} 上恢复"
        + ("（不设置 DATABASE_URL，用 GONGKAI_DATA_DIR 指定新的数据目录）" if manifest.engine == "sqlite" else
           "（DATABASE_URL=postgresql://…，指向一个新建的空数据库）")
    ]  # fmt: skip


def _target_problems(engine: Engine, media_root: Path) -> tuple[list[str], bool]:
    """(why the target is not empty, whether its database has tables)."""
    problems = []
    rows = engine.target_rows()
    filled = {table: n for table, n in (rows or {}).items() if n and table not in BOOKKEEPING}
    if filled:
        how = (
            "请用 GONGKAI_DATA_DIR 指定一个新的（不存在或空的）数据目录"
            if engine.name == "sqlite"
            else "请新建一个空数据库（createdb 新库名），并让 DATABASE_URL 指向它"
        )
        problems.append(
            f"目标数据库 {engine.describe()} 不是空的（{len(filled)} 张表中有数据，共 {sum(filled.values())} 行）："
            f"恢复只能在空数据库中进行，不会覆盖已有数据。{how}"
        )
    present = (
        [p for p in media_root.rglob("*") if p.is_file() or p.is_symlink()] if media_root.is_dir() else []
    )
    if present:
        problems.append(
            f"数据目录中已有上传的文件（{media_root}，{len(present)} 个）：恢复只能在空的数据目录中进行，"
            "请用 GONGKAI_DATA_DIR 指定一个新的数据目录"
        )
    return problems, rows is not None


def _staging_folder(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(prefix=".gongkai-restore-", dir=data_dir))


def backup_verify(*, archive: Path, progress: Progress = no_progress) -> Unpacked:
    """Read a whole archive and check it as a restore would (the manifest, every hash, the migrations
    against this code, the SQLite copy's integrity and row counts), without a target. Refused if not."""
    staging = Path(tempfile.mkdtemp(prefix=".gongkai-verify-"))
    try:
        with _open(archive) as reader:
            problems = migration_problems(reader.manifest)
            unpacked = reader.unpack(staging, progress("正在核对备份文件", _size(archive)), keep_media=False)
        problems += check_dump(unpacked.manifest.engine, unpacked.database, unpacked.manifest)
        if problems:
            raise Refused(problems)
        return unpacked
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _open(archive: Path) -> ArchiveReader:
    if not archive.is_file():
        raise FileNotFoundError(archive)
    return ArchiveReader(archive)


def _size(path: Path) -> int:
    return path.stat().st_size


def backup_restore(*, archive: Path, progress: Progress = no_progress) -> RestoreDone:
    """Restore an archive into the configured (empty) database and data directory."""
    engine = engine_for()
    media_root = Path(settings.MEDIA_ROOT)
    with _open(archive) as reader:
        manifest = reader.manifest
        problems = _engine_problem(manifest, engine) or migration_problems(manifest)
        if problems:
            raise Refused(problems)
        problems, has_tables = _target_problems(engine, media_root)
        if problems:
            raise Refused(problems)
        staging = _staging_folder(Path(settings.DATA_DIR))
        try:
            unpacked = reader.unpack(staging, progress("正在核对备份文件", _size(archive)))
            reader.close()
            problems = check_dump(manifest.engine, unpacked.database, manifest)
            if problems:
                raise Refused(problems)
            # -- from here on the target changes --
            progress("正在恢复数据库", None)
            engine.restore(unpacked.database, over_tables=has_tables)
            try:
                _place_media(unpacked, media_root, progress("正在恢复上传的文件", manifest.file_bytes))
            except OSError as exc:
                raise Failed(
                    [
                        f"无法写入上传的文件（{exc.strerror or exc}：{exc.filename}）",
                        f"恢复没有完成：数据库已恢复，上传的文件只恢复了一部分。请清空数据库 {engine.describe()} "
                        f"和 {media_root}，解决问题后重新恢复",
                    ]
                ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    problems = count_problems(manifest, engine.counts())
    if problems:
        raise Failed(
            [*problems, "恢复后的数据库与备份清单不符：请不要使用这个数据库，重新建立空数据库后再恢复"]
        )
    with transaction.atomic(durable=True):
        audit_record(
            actor=None,
            action=AuditAction.BACKUP_RESTORE,
            obj=BackupArchive(unpacked.sha256),
            after={
                "file": str(archive),
                "sha256": unpacked.sha256,
                "engine": manifest.engine,
                "backup_created_at": manifest.created_at,
                "backup_gongkai_version": manifest.gongkai_version,
                "tables": len(manifest.tables),
                "rows": manifest.rows,
                "files": len(manifest.files),
                "os_user": _os_user(),
            },
        )
    connections["default"].close()
    return RestoreDone(manifest=manifest, sha256=unpacked.sha256, database=engine.describe())


def _place_media(unpacked: Unpacked, media_root: Path, advance) -> None:
    """Move the verified files into MEDIA_ROOT (folders 0700, files 0600, as staged)."""
    for entry, staged in unpacked.files:
        target = media_root.joinpath(*Path(entry.path).parts[1:])
        _make_folder(target.parent)
        place_file(staged, target)
        advance(entry.size)
