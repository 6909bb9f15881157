"""`gongkai backup` and `gongkai restore`: the backup is taken here, from the test database (committed data:
transactional tests); the restore runs as a user runs it, in a subprocess, into a fresh data directory
(SQLite) or a fresh database (PostgreSQL, when the suite runs on it), and every table's rows and every
file's hash are compared."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from gongkai.audit.models import AuditEvent
from gongkai.backup import archive
from gongkai.backup.archive import (
    MANIFEST,
    MANIFEST_SUM,
    ArchiveReader,
    Damaged,
    Entry,
    FileChanged,
    Manifest,
    Refused,
    never_backed_up,
    safe_member_name,
    write_archive,
)
from gongkai.backup.engines import Failed, sqlite_integrity
from gongkai.backup.services import backup_create, backup_verify
from gongkai.cases import services
from gongkai.cases.models import Application
from gongkai.cli import main
from gongkai.web.attachments import check_upload
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NOTHING = "没有恢复任何内容"


def vendor() -> str:
    return connection.vendor


# --- the database, as plain rows ------------------------------------------------------------------------------


def source_connection():
    """A connection of its own to the test database (committed rows only, as another process sees them)."""
    s = connection.settings_dict
    if vendor() == "sqlite":
        return sqlite3.connect(s["NAME"])
    return _psycopg(s["NAME"])


def _psycopg(dbname: str, **kwargs):
    import psycopg

    s = connection.settings_dict
    params = {
        "dbname": dbname,
        "user": s["USER"],
        "password": s["PASSWORD"],
        "host": s["HOST"],
        "port": s["PORT"],
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)


def tables(db) -> list[str]:
    if isinstance(db, sqlite3.Connection):
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY 1"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
    return [row[0] for row in db.execute(sql).fetchall()]


def all_rows(db) -> dict[str, list[dict]]:
    """Every row of every table, all columns, in a stable order."""
    rows = {}
    for table in tables(db):
        cursor = db.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cursor.description]
        rows[table] = sorted((dict(zip(names, row, strict=True)) for row in cursor.fetchall()), key=repr)
    return rows


def media_hashes(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def audit_update_refused(db) -> str:
    """The message of the database when an audit row is updated (the append-only triggers)."""
    if isinstance(db, sqlite3.Connection):
        db.create_function("gongkai_audit_maintenance", 0, lambda: 0)  # as every gongkai connection has it
        error = sqlite3.DatabaseError
    else:
        import psycopg

        error = psycopg.Error
    with pytest.raises(error) as refused:
        db.execute("UPDATE audit_auditevent SET object_id = 'changed'")
    db.rollback()
    return str(refused.value)


def integrity_problems(db) -> list[str]:
    if isinstance(db, sqlite3.Connection):
        return sqlite_integrity(db)
    # PostgreSQL checks every foreign key when pg_restore adds the constraint; none is left unvalidated
    unvalidated = db.execute("SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated")
    return [row[0] for row in unvalidated.fetchall()]


# --- the restore target ----------------------------------------------------------------------------------------


@dataclass
class Target:
    data_dir: Path
    env: dict
    dbname: str | None  # PostgreSQL

    def run(self, *args: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "gongkai.cli", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=self.env,
            cwd=self.data_dir.parent,
        )
        return done.returncode, done.stdout, done.stderr

    def connect(self):
        if self.dbname is None:
            return sqlite3.connect(self.data_dir / "gongkai.sqlite3")
        return _psycopg(self.dbname)

    def untouched(self) -> None:
        """Nothing of the restore reached the target: no database, no files, no staging folder."""
        assert media_hashes(self.data_dir / "media") == {}
        assert not list(self.data_dir.glob(".gongkai-*"))
        if self.dbname is None:
            assert not (self.data_dir / "gongkai.sqlite3").exists()
        else:
            with self.connect() as db:
                assert tables(db) == []


_created = iter(range(1, 1_000_000))


def _pg_base_name() -> str:
    return urlparse(os.environ["DATABASE_URL"]).path.lstrip("/") or "gongkai"


@pytest.fixture
def target(tmp_path):
    """An empty place to restore into, of the suite's engine: a fresh data directory, and on PostgreSQL a
    fresh database <name>_restore_* (skipped when the role may not create databases)."""
    data_dir = tmp_path / "restored"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGKAI_SECRET_KEY")}
    env["GONGKAI_DATA_DIR"] = str(data_dir)
    if vendor() == "sqlite":
        yield Target(data_dir, env, None)
        return
    with _psycopg(connection.settings_dict["NAME"], autocommit=True) as admin:  # postgresql-only
        may = admin.execute(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        if not may[0]:
            pytest.skip(
                "the PostgreSQL role cannot create databases (CREATEDB), so there is nothing to restore into"
            )
        name = f"{_pg_base_name()}_restore_{os.getpid()}_{next(_created)}"
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    env["DATABASE_URL"] = f"postgresql://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"
    try:
        yield Target(data_dir, env, name)
    finally:
        with _psycopg(connection.settings_dict["NAME"], autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- data -------------------------------------------------------------------------------------------------------


def upload(name: str, content: bytes):
    return check_upload(SimpleUploadedFile(name, content))


@pytest.fixture
def platform(tree, clerk, head, settings):
    """Applications registered and submitted online with attachments, one replied to with an issued letter
    (its DOCX in the database), an extension: rows in most tables, files in the media folder."""
    first = factories.register(tree["a"], clerk, 1)
    factories.reply(first, clerk, first.received_on, "granted")
    second = factories.register(tree["a"], clerk, 2, received_on=datetime.date(2020, 9, 28))
    factories.extend(second, head, datetime.date(2020, 10, 20), 10)
    for serial, (name, content) in enumerate([("扫描件.pdf", PDF), ("照片.png", PNG)], start=3):
        services.application_submit_online(
            agency=tree["a"],
            applicant=factories.applicant(serial),
            attachment=upload(name, content + bytes([serial])),
        )
    return Path(settings.MEDIA_ROOT)


def take_backup(out: Path, capsys=None) -> Path:
    assert main(["backup", str(out)]) == 0
    if capsys is not None:
        capsys.readouterr()
    return out


# --- the round trip ---------------------------------------------------------------------------------------------


def test_round_trip_restores_every_row_and_file(platform, target, tmp_path, capsys):
    with source_connection() as db:
        before = all_rows(db)
    files = media_hashes(platform)
    assert len(files) == 2 and before["cases_letter"] and before["audit_auditevent"]

    archive_file = take_backup(tmp_path / "backups" / "gongkai.tar.gz")
    out = capsys.readouterr().out
    sha = hashlib.sha256(archive_file.read_bytes()).hexdigest()
    assert f"SHA-256 {sha}" in out and "备份中没有密钥（secret-key、data-key）" in out
    backed_up = AuditEvent.objects.get(action="backup.create")
    assert backed_up.object_id == sha and backed_up.actor is None
    assert backed_up.after["rows"] == sum(len(rows) for rows in before.values())

    code, out, err = target.run("restore", str(archive_file))
    assert (code, err) == (0, ""), err
    assert "已核对" in out and "GONGKAI_SECRET_KEY" in out and "data-key" in out
    with target.connect() as db:
        after = all_rows(db)
        assert integrity_problems(db) == []
        assert "append-only" in audit_update_refused(db)
    restored_events = after.pop("audit_auditevent")
    restored = [e for e in restored_events if e["action"] == "backup.restore"]
    assert len(restored) == 1 and restored[0]["object_id"] == sha
    assert after | {"audit_auditevent": [e for e in restored_events if e not in restored]} == before
    assert media_hashes(target.data_dir / "media") == files

    # the target is no longer empty: a second restore is refused and changes nothing
    code, out, err = target.run("restore", str(archive_file))
    assert code == 1 and out == ""
    assert "不是空的" in err and "已有上传的文件" in err and NOTHING in err
    with target.connect() as db:
        assert len(all_rows(db)["audit_auditevent"]) == len(restored_events)


def test_a_target_that_was_only_migrated_counts_as_empty(platform, target, tmp_path):
    archive_file = take_backup(tmp_path / "b.tar")
    assert target.run("manage", "migrate", "--verbosity", "0")[0] == 0
    assert target.run("manage", "createcachetable")[0] == 0
    code, _, err = target.run("restore", str(archive_file))
    assert (code, err) == (0, ""), err
    with target.connect() as db:
        assert db.execute("SELECT count(*) FROM cases_application").fetchone()[0] == 4
        assert "append-only" in audit_update_refused(db)


# --- a backup while the site keeps writing ----------------------------------------------------------------------


def test_a_backup_during_writes_restores_everything_accepted_before_it(
    tree, clerk, target, tmp_path, settings
):
    """A thread keeps registering applications (every other one online, with an attachment) while the
    backup runs. Between the database snapshot and the reading of the files the backup waits until three
    more were accepted: their files are in the archive, their rows are not, which is harmless."""
    written: list[int] = []
    more = threading.Condition()
    stop = threading.Event()

    def writer():
        try:
            serial = 1
            while not stop.is_set():
                if serial % 2:
                    application = factories.register(tree["a"], clerk, serial)
                else:
                    application = services.application_submit_online(
                        agency=tree["a"],
                        applicant=factories.applicant(serial),
                        attachment=upload("a.pdf", PDF + str(serial).encode()),
                    )
                with more:
                    written.append(application.pk)
                    more.notify_all()
                serial += 1
        finally:
            connections.close_all()

    def wait_for(count: int) -> None:
        with more:
            assert more.wait_for(lambda: len(written) >= count, timeout=60), "the writer stopped"

    stages = []

    def progress(label, total):
        stages.append(label)
        if len(stages) == 2:  # the snapshot is taken, the files are not read yet
            wait_for(len(written) + 3)
        return lambda done: None

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(4)
        accepted = set(Application.objects.values_list("pk", flat=True))
        done = backup_create(out=tmp_path / "during.tar.gz", progress=progress)
        wait_for(len(written) + 2)  # and it kept writing after
    finally:
        stop.set()
        thread.join()

    assert set(done.manifest.tables) and done.manifest.tables["cases_application"] >= len(accepted)
    code, _, err = target.run("restore", str(done.path))
    assert (code, err) == (0, ""), err
    with target.connect() as db:
        assert integrity_problems(db) == []
        restored = {row[0] for row in db.execute("SELECT id FROM cases_application").fetchall()}
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables(db)}
    assert accepted <= restored
    assert restored < set(written) | accepted  # some were accepted after the snapshot
    counts["audit_auditevent"] -= 1  # the restore's own record
    assert counts == done.manifest.tables

    source_files = media_hashes(Path(settings.MEDIA_ROOT) / "attachments")
    restored_files = media_hashes(target.data_dir / "media" / "attachments")
    with target.connect() as db:
        keys = {row[0] for row in db.execute("SELECT key FROM cases_attachment").fetchall()}
    assert keys
    for key in keys:  # every row finds its file, as it was
        name = f"{key[:2]}/{key}"
        assert restored_files[name] == source_files[name]
    extras = {name.split("/")[1] for name in restored_files} - keys
    assert extras  # files of applications accepted after the snapshot: harmless extras (swept later)


# --- refusals ---------------------------------------------------------------------------------------------------


def rewrite(
    source: Path, out: Path, *, edit=None, resum=False, drop=None, flip=None, replace=None, compress=False
) -> Path:
    """A copy of an archive with one thing changed: the manifest edited (with or without a matching
    manifest.sha256), a member dropped, replaced, or with a byte flipped."""
    with tarfile.open(source, "r:*") as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
    data = dict(members) | (replace or {})
    if edit is not None:
        manifest = json.loads(data[MANIFEST])
        edit(manifest)
        data[MANIFEST] = json.dumps(manifest).encode()
        if resum:
            data[MANIFEST_SUM] = f"{hashlib.sha256(data[MANIFEST]).hexdigest()}  {MANIFEST}\n".encode()
    if flip is not None:
        body = bytearray(data[flip])
        body[len(body) // 2] ^= 0x01
        data[flip] = bytes(body)
    with tarfile.open(out, "w:gz" if compress else "w") as tar:
        for name, _ in members:
            if name != drop:
                info = tarfile.TarInfo(name)
                info.size = len(data[name])
                tar.addfile(info, io.BytesIO(data[name]))
    return out


def first_media(path: Path) -> str:
    with tarfile.open(path) as tar:
        return next(m.name for m in tar.getmembers() if m.name.startswith("media/"))


def damaged_archives(good: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """Damaged copies of a good (uncompressed) archive: case -> (path, what the refusal says)."""
    dump = archive.DATABASE_MEMBERS[vendor()]
    media = first_media(good)

    def rows(manifest):
        manifest["tables"]["cases_application"] += 1

    def future_format(manifest):
        manifest["format"] = "gongkai-backup/2"

    garbage = b"not a database " * 100

    def garbage_dump(manifest):
        manifest["database"] |= {"size": len(garbage), "sha256": hashlib.sha256(garbage).hexdigest()}

    compressed = rewrite(good, folder / "good.tar.gz", compress=True).read_bytes()
    middle = len(compressed) // 2
    flipped = compressed[:middle] + bytes([compressed[middle] ^ 1]) + compressed[middle + 1 :]
    (folder / "flipped.tar.gz").write_bytes(flipped)
    (folder / "truncated.tar.gz").write_bytes(compressed[:300])
    (folder / "notes.txt").write_text("不是备份", encoding="utf-8")
    (folder / "empty.tar").write_bytes(b"")
    with tarfile.open(folder / "other.tar", "w") as tar:
        tar.add(folder / "notes.txt", arcname="notes.txt")
    return {
        "a flipped byte in the dump": (
            rewrite(good, folder / "dump.tar", flip=dump),
            f"{dump} 的内容与备份清单不符",
        ),
        "a flipped byte in a file": (
            rewrite(good, folder / "file.tar", flip=media),
            f"{media} 的内容与备份清单不符",
        ),
        "a flipped byte in the compressed archive": (folder / "flipped.tar.gz", "备份文件已损坏"),
        "a missing file": (
            rewrite(good, folder / "missing.tar.gz", drop=media, compress=True),
            f"缺少 {media}",
        ),
        "a missing dump": (rewrite(good, folder / "nodump.tar", drop=dump), f"缺少 {dump}"),
        "an edited manifest": (rewrite(good, folder / "edited.tar", edit=rows), "清单被改动过或已损坏"),
        "a manifest without its sum": (
            rewrite(good, folder / "nosum.tar", drop=MANIFEST_SUM),
            "不是 gongkai",
        ),
        "a file the manifest does not list": (
            rewrite(good, folder / "extra.tar", edit=lambda m: m["files"].pop(), resum=True),
            "清单没有列出的内容",
        ),
        "a truncated archive": (folder / "truncated.tar.gz", "备份文件已损坏或不完整"),
        "a format to come": (
            rewrite(good, folder / "future.tar", edit=future_format, resum=True),
            "备份格式 gongkai-backup/2 不受本版本支持",
        ),
        "a dump that is no database": (
            rewrite(good, folder / "garbage.tar", edit=garbage_dump, resum=True, replace={dump: garbage}),
            "备份中的数据库",
        ),
        "not a tar file": (folder / "notes.txt", "不是 gongkai 的备份文件"),
        "an empty file": (folder / "empty.tar", "不是 gongkai 的备份文件"),
        "another tar file": (folder / "other.tar", "开头没有 manifest.json"),
    }


def test_damaged_archives_are_refused(platform, tmp_path, capsys, monkeypatch):
    """Every damage is found by reading the archive, as `restore --check` and a restore (before it touches
    the target: the next test) read it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # its own, not another test process's
    cases = damaged_archives(take_backup(tmp_path / "good.tar", capsys), tmp_path)
    for case, (path, message) in cases.items():
        with pytest.raises(Refused) as refused:
            backup_verify(archive=path)
        assert message in str(refused.value), f"{case}: {refused.value}"
        assert not list(Path(tempfile.gettempdir()).glob(".gongkai-verify-*")), case
    path, message = cases["a flipped byte in the dump"]
    assert main(["restore", "--check", str(path)]) == 1
    assert capsys.readouterr().err == f"gongkai restore：{message}（校验值不同）：文件已损坏\n"


def test_a_flipped_byte_anywhere_in_a_compressed_archive(platform, tmp_path, capsys):
    """Wherever the flipped byte falls (the manifest's blocks, a tar header, a member, the trailer), the
    refusal says the file is damaged: gzip's CRC is read even when the beginning already looks wrong. A flip
    that changes nothing the archive holds (a back-reference moved within a run of zeros decompresses to the
    same bytes) is no damage: the archive is read as it was."""
    compressed = rewrite(take_backup(tmp_path / "good.tar", capsys), tmp_path / "good.tar.gz", compress=True)
    data = compressed.read_bytes()
    content = gzip.decompress(data)
    header = data.index(b"\0", 10) + 1  # gzip's header ends with the original file name (FNAME)
    for position in [*range(header, len(data), max(1, len(data) // 60)), len(data) - 8, len(data) - 1]:
        flipped = data[:position] + bytes([data[position] ^ 1]) + data[position + 1 :]
        path = tmp_path / f"flipped-{position}.tar.gz"
        path.write_bytes(flipped)
        try:
            same = gzip.decompress(flipped) == content
        except (OSError, EOFError, zlib.error):
            same = False
        if same:
            backup_verify(archive=path)
            continue
        with pytest.raises(Refused) as refused:
            backup_verify(archive=path)
        assert "备份文件已损坏" in str(refused.value), f"byte {position} of {len(data)}: {refused.value}"


def test_a_damaged_archive_is_refused_before_anything_is_written(platform, target, tmp_path):
    cases = damaged_archives(take_backup(tmp_path / "good.tar"), tmp_path)
    for case in ("a flipped byte in the dump", "a missing file", "an edited manifest"):
        path, message = cases[case]
        code, out, err = target.run("restore", str(path))
        assert (code, out) == (1, ""), case
        assert message in err and NOTHING in err and "Traceback" not in err, f"{case}: {err}"
        target.untouched()


def test_a_forged_manifest_with_a_matching_sum(platform, target, tmp_path):
    """A manifest whose counts were changed and its sum recomputed (not damage: a forgery). The SQLite copy
    is counted before it is put in place, so the restore refuses it and writes nothing; a PostgreSQL dump can
    only be counted once restored, so that restore fails afterwards and says the database must not be used."""

    def rows(manifest):
        manifest["tables"]["cases_application"] += 1

    forged = rewrite(take_backup(tmp_path / "good.tar"), tmp_path / "forged.tar", edit=rows, resum=True)
    code, _, err = target.run("restore", str(forged))
    assert code == 1 and "表 cases_application 的行数与备份清单不符：清单 5，数据库 4" in err
    if vendor() == "sqlite":
        assert NOTHING in err
        target.untouched()
    else:
        assert "恢复后的数据库与备份清单不符：请不要使用这个数据库" in err


def test_an_archive_of_the_other_engine_is_refused(platform, target, tmp_path):
    archive_file = take_backup(tmp_path / "b.tar.gz")
    env = dict(target.env)
    if vendor() == "sqlite":  # a PostgreSQL target: refused before connecting, so no server is needed here
        env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/h6_restore_never"
    else:
        env.pop("DATABASE_URL")
    code, out, err = Target(target.data_dir, env, target.dbname).run("restore", str(archive_file))
    assert (code, out) == (1, "")
    assert "不支持跨数据库类型恢复" in err and NOTHING in err
    assert not (target.data_dir / "gongkai.sqlite3").exists()


def test_an_archive_of_another_schema_is_refused(platform, tmp_path):
    good = take_backup(tmp_path / "good.tar")

    def newer(manifest):
        manifest["migrations"]["cases"].append("9999_from_the_future")

    def older(manifest):
        manifest["migrations"]["cases"].remove("0004_sequence_per_code")

    with pytest.raises(Refused) as refused:
        backup_verify(archive=rewrite(good, tmp_path / "newer.tar", edit=newer, resum=True))
    assert "备份来自较新版本的 gongkai（0.1.0）：其中有本程序没有的迁移 cases.9999_from_the_future" in str(
        refused.value
    )
    with pytest.raises(Refused) as refused:
        backup_verify(archive=rewrite(good, tmp_path / "older.tar", edit=older, resum=True))
    assert "其中缺少本程序的迁移 cases.0004_sequence_per_code" in str(refused.value)


def test_a_restore_into_the_database_in_use_is_refused(platform, tmp_path, settings, capsys):
    settings.DATA_DIR = tmp_path / "data"
    archive_file = take_backup(tmp_path / "b.tar.gz", capsys)
    count, files = AuditEvent.objects.count(), media_hashes(platform)
    assert main(["restore", str(archive_file)]) == 1
    err = capsys.readouterr().err
    assert "不是空的" in err and "已有上传的文件" in err and NOTHING in err
    assert AuditEvent.objects.count() == count and media_hashes(platform) == files
    assert not settings.DATA_DIR.exists() or not list(settings.DATA_DIR.glob(".gongkai-*"))


# --- the archive: keys, modes, names ----------------------------------------------------------------------------


def test_the_keys_are_never_in_a_backup(platform, tmp_path, settings, capsys):
    for name in ("secret-key", "data-key", "applications/1/backup-KEY.txt", "keys/a.pdf"):
        (platform / name).parent.mkdir(parents=True, exist_ok=True)
        (platform / name).write_text("s3cr3t", encoding="utf-8")
    archive_file = take_backup(tmp_path / "b.tar.gz")
    err = capsys.readouterr().err
    with tarfile.open(archive_file) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    assert names[:3] == [MANIFEST, MANIFEST_SUM, archive.DATABASE_MEMBERS[vendor()]]
    assert not [n for n in names if "key" in n.lower()]
    assert sorted(e["path"] for e in manifest["files"]) == sorted(n for n in names if n.startswith("media/"))
    assert len(manifest["files"]) == 2
    for name in (
        "media/secret-key",
        "media/data-key",
        "media/applications/1/backup-KEY.txt",
        "media/keys/a.pdf",
    ):
        assert f"没有备份 {name}" in err


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("media/secret-key", True),
        ("media/Data-Key", True),
        ("media/applications/1/my.keystore", True),
        ("media/keys/a.pdf", True),
        ("media/applications/1/0123456789abcdef0123456789abcdef.pdf", False),
        ("media/monkey.png", True),  # named like a key: left out too, better one file too few than a key
    ],
)
def test_what_counts_as_a_key(path, key):
    from pathlib import PurePosixPath

    assert never_backed_up(PurePosixPath(path)) is key


def test_archive_and_its_new_folders_are_owner_only(platform, tmp_path, capsys):
    folder = tmp_path / "new" / "deeper"
    assert main(["backup", f"{folder}/"]) == 0
    out = capsys.readouterr().out
    (written,) = folder.iterdir()
    assert re.fullmatch(r"gongkai-backup-20261127-\d{6}\.tar\.gz", written.name)
    assert f"已写入备份：{written}" in out
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    for made in (folder, folder.parent):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no staging or partial file left

    plain = take_backup(tmp_path / "plain.tar")
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600 and plain.read_bytes()[257:262] == b"ustar"


@pytest.mark.parametrize(
    ("name", "message"),
    [("exists.tar.gz", "已存在，不会覆盖"), ("backup.zip", "备份文件名应以 .tar.gz、.tgz 或 .tar 结尾")],
)
def test_backup_usage_errors_exit_2(platform, tmp_path, capsys, name, message):
    (tmp_path / "exists.tar.gz").write_bytes(b"keep me")
    assert main(["backup", str(tmp_path / name)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("gongkai backup：")
    assert message in captured.err and captured.err.count("\n") == 1
    assert (tmp_path / "exists.tar.gz").read_bytes() == b"keep me"


def test_a_backup_that_cannot_be_written_fails(platform, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("一个文件，不是目录", encoding="utf-8")
    assert main(["backup", str(tmp_path / "notes.txt" / "b.tar.gz")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gongkai backup：无法写入备份：") and err.endswith("备份没有完成\n")


def test_the_keys_to_put_back_after_a_restore(tmp_path, settings, monkeypatch):
    from gongkai.backup.command import key_lines

    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("GONGKAI_SECRET_KEY", "from the environment")
    monkeypatch.delenv("GONGKAI_DATA_KEY", raising=False)
    secret, data = key_lines(started=0)
    assert secret.endswith("已设置 GONGKAI_SECRET_KEY，请确认它是备份时所用的密钥")
    assert data.startswith("数据加密密钥") and data.endswith("未找到，请放回")
    (tmp_path / "data-key").write_text("k", encoding="utf-8")
    later = (tmp_path / "data-key").stat().st_mtime + 10  # the command began after the file was written
    assert key_lines(started=later)[1].endswith(f"{tmp_path / 'data-key'} 已存在，请确认它是备份时所用的密钥")
    assert "本次运行新生成了" in key_lines(started=0)[1]


def test_restore_of_a_missing_file_exit_2(capsys, tmp_path):
    assert main(["restore", str(tmp_path / "nowhere.tar.gz")]) == 2
    assert capsys.readouterr().err == f"gongkai restore：找不到备份文件 {tmp_path / 'nowhere.tar.gz'}\n"


def test_check_describes_an_intact_archive(platform, tmp_path, capsys):
    archive_file = take_backup(tmp_path / "b.tgz", capsys)
    assert main(["restore", "--check", str(archive_file)]) == 0
    out = capsys.readouterr().out
    assert f"备份文件完好：{archive_file}" in out
    assert re.search(r"数据库 \d+ 张表 \d+ 行，上传的文件 2 个", out) and "可以用本程序恢复" in out


def test_a_backup_without_a_database_fails(tmp_path):
    target = Target(tmp_path / "data", {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, None)
    target.env["GONGKAI_DATA_DIR"] = str(target.data_dir)
    code, out, err = target.run("backup", str(tmp_path / "b.tar.gz"))
    assert (code, out) == (1, "") and "没有可备份的数据库" in err
    assert not (tmp_path / "b.tar.gz").exists() and not (target.data_dir / "gongkai.sqlite3").exists()
    sqlite3.connect(target.data_dir / "gongkai.sqlite3").close()  # a database without gongkai's tables
    code, out, err = target.run("backup", str(tmp_path / "b.tar.gz"))
    assert code == 1 and "还没有建立 gongkai 的数据表，没有可备份的内容" in err
    assert not (tmp_path / "b.tar.gz").exists()


def test_a_target_that_is_not_a_database_is_refused(platform, tmp_path):
    archive_file = take_backup(tmp_path / "b.tar")
    target = Target(tmp_path / "data", {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, None)
    target.env["GONGKAI_DATA_DIR"] = str(target.data_dir)
    target.data_dir.mkdir()
    (target.data_dir / "gongkai.sqlite3").write_bytes(b"a file of notes " * 100)
    code, _, err = target.run("restore", str(archive_file))
    if vendor() == "sqlite":
        assert code == 1 and "目标数据库" in err and "无法读取" in err and NOTHING in err
        assert (target.data_dir / "gongkai.sqlite3").read_bytes() == b"a file of notes " * 100
    else:
        assert code == 1 and "不支持跨数据库类型恢复" in err


def test_a_file_changed_during_the_backup_fails_it(platform, tmp_path):
    """Uploads are only ever added: a file changed between its hashing and its writing fails the backup."""
    from gongkai.cases.models import Attachment

    key = Attachment.objects.get(extension="png").key
    (changed,) = [p for p in platform.rglob(key)]

    def progress(label, total):
        if label == "正在写入备份文件":
            changed.write_bytes(PNG + b"changed")
        return lambda done: None

    with pytest.raises(Failed, match="在备份过程中被改动或删除，备份没有写入：请重新备份"):
        backup_create(out=tmp_path / "b.tar.gz", progress=progress)
    assert list(tmp_path.iterdir()) == [] or not [p for p in tmp_path.iterdir() if "b.tar" in p.name]
    assert not AuditEvent.objects.filter(action="backup.create").exists()


def test_a_backup_inside_the_data_directory_is_taken_with_a_warning(platform, tmp_path, settings, capsys):
    settings.DATA_DIR = tmp_path / "data"
    assert main(["backup", str(tmp_path / "data" / "backups" / "b.tar.gz")]) == 0
    assert "注意：备份文件在数据目录" in capsys.readouterr().err


def test_a_database_behind_the_code_is_backed_up_with_a_warning():
    from gongkai.backup.services import _unapplied_warning

    (warning,) = _unapplied_warning({"cases": ["0001_initial"]})
    assert warning.startswith("数据库还有") and "gongkai manage migrate" in warning
    assert _unapplied_warning({}) != []


def test_the_progress_bar_shows_on_a_terminal_only(platform, tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["backup", str(tmp_path / "b.tar.gz")]) == 0
    assert "正在" in terminal.getvalue()  # the stages, drawn and cleared
    monkeypatch.setenv("CI", "1")
    terminal.seek(0)
    terminal.truncate()
    assert main(["restore", "--check", str(tmp_path / "b.tar.gz")]) == 0
    assert "正在" not in terminal.getvalue()


# --- the archive module on its own ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("media/applications/1/a.pdf", True),
        ("media/../etc/passwd", False),
        ("/etc/passwd", False),
        ("media//a.pdf", False),
        ("media/./a.pdf", False),
        ("", False),
    ],
)
def test_member_names(name, safe):
    assert safe_member_name(name) is safe


def _manifest(**changes) -> bytes:
    data = {
        "format": archive.FORMAT,
        "engine": "sqlite",
        "created_at": "2026-11-27T10:00:00+08:00",
        "gongkai_version": "0.1.0",
        "migrations": {"cases": ["0001_initial"]},
        "tables": {"cases_application": 1},
        "database": {"path": "database/gongkai.sqlite3", "size": 1, "sha256": "0" * 64},
        "files": [],
    }
    return json.dumps(data | changes).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff", "无法读取"),
        (b"[]", "不是 gongkai 的备份文件"),
        (_manifest(format="gongkai-backup/9"), "不受本版本支持"),
        (_manifest(tables={"t": "many"}), "格式有误"),
        (_manifest(engine="oracle"), "数据库类型或数据库文件名无效"),
        (_manifest(files=[{"path": "media/../../x", "size": 1, "sha256": "0" * 64}]), "无效的文件路径"),
        (_manifest(files=[{"path": "media/x", "size": -1, "sha256": "0" * 64}]), "格式有误"),
    ],
)
def test_manifests_that_are_refused(data, message):
    with pytest.raises(Damaged, match=message):
        Manifest.from_json(data)


def test_a_file_that_changes_while_it_is_archived_fails_the_backup(tmp_path):
    source = tmp_path / "a.pdf"
    source.write_bytes(PDF)
    entry = archive.hash_file(source, name="media/a.pdf")
    manifest = Manifest.from_json(_manifest())
    database = tmp_path / "db"
    database.write_bytes(b"x")
    manifest.database = archive.hash_file(database, name="database/gongkai.sqlite3")
    manifest.files = [entry]
    for change in (
        lambda: source.write_bytes(PDF + b"more"),
        lambda: source.write_bytes(PDF[:-1]),
        source.unlink,
    ):
        source.write_bytes(PDF)
        change()
        with pytest.raises(FileChanged):
            write_archive(
                tmp_path / "out.tar",
                manifest=manifest,
                database=database,
                media=[(entry, source)],
                compress=False,
            )
        assert list(tmp_path.glob("*.tar*")) == [] and list(tmp_path.glob(".out.tar*")) == []
    source.write_bytes(PDF[:-1] + b"X")  # same size, other content
    with pytest.raises(FileChanged):
        write_archive(
            tmp_path / "out.tar", manifest=manifest, database=database, media=[(entry, source)], compress=True
        )
    source.write_bytes(PDF)
    written = write_archive(
        tmp_path / "out.tar", manifest=manifest, database=database, media=[(entry, source)], compress=False
    )
    assert written.sha256 == hashlib.sha256((tmp_path / "out.tar").read_bytes()).hexdigest()
    with ArchiveReader(tmp_path / "out.tar") as reader:
        unpacked = reader.unpack(tmp_path / "staging")
    assert unpacked.files == [(entry, tmp_path / "staging" / "media" / "a.pdf")]
    assert unpacked.sha256 == written.sha256


def test_media_files_leave_out_links_odd_names_and_the_archive(tmp_path):
    root = tmp_path / "media"
    assert archive.media_files(root).entries == []
    (root / "applications" / "1").mkdir(parents=True)
    (root / "applications" / "1" / "a.pdf").write_bytes(PDF)
    (root / "applications" / "1" / "odd\\name.pdf").write_bytes(PDF)
    (root / "linked.pdf").symlink_to(root / "applications" / "1" / "a.pdf")
    (root / "folder").symlink_to(root / "applications")
    (root / "b.tar.gz").write_bytes(b"the archive being written")
    found = archive.media_files(root, skip=root / "b.tar.gz")
    assert [e.path for e, _ in found.entries] == ["media/applications/1/a.pdf"]
    assert sorted(found.left_out) == [
        "media/applications/1/odd\\name.pdf",
        "media/folder",
        "media/linked.pdf",
    ]


def test_many_missing_files_are_summed_up(tmp_path):
    database = tmp_path / "db"
    database.write_bytes(b"x")
    manifest = Manifest.from_json(_manifest())
    manifest.database = archive.hash_file(database, name="database/gongkai.sqlite3")
    manifest.files = [Entry(f"media/{n}.pdf", 1, "0" * 64) for n in range(25)]
    write_archive(tmp_path / "out.tar", manifest=manifest, database=database, media=[], compress=True)
    with ArchiveReader(tmp_path / "out.tar") as reader, pytest.raises(Damaged) as damaged:
        reader.unpack(tmp_path / "staging")
    assert (
        len(damaged.value.problems) == 21
        and damaged.value.problems[-1] == "备份文件不完整：另有 5 个文件缺少"
    )


@pytest.mark.skipif(
    not Path("/dev/shm").is_dir() or os.stat("/dev/shm").st_dev == os.stat(tempfile.gettempdir()).st_dev,
    reason="needs /dev/shm on another file system than the temporary folder",
)
def test_a_file_is_placed_across_file_systems(tmp_path):
    from gongkai.backup.engines import place_file

    with tempfile.TemporaryDirectory(dir="/dev/shm") as other:
        source = Path(other) / "copy.sqlite3"
        source.write_bytes(b"data")
        place_file(source, tmp_path / "gongkai.sqlite3")
        assert not source.exists()
    assert (tmp_path / "gongkai.sqlite3").read_bytes() == b"data"
    assert stat.S_IMODE((tmp_path / "gongkai.sqlite3").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["gongkai.sqlite3"]


def test_sqlite_integrity_reports_a_broken_foreign_key(tmp_path):
    db = sqlite3.connect(tmp_path / "x.sqlite3")
    db.executescript(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));"
        "INSERT INTO child VALUES (1, 7);"
    )
    (problem,) = sqlite_integrity(db)
    assert problem.startswith(
        "数据库外键检查（foreign_key_check）未通过：1 处，例如表 child 第 1 行指向 parent"
    )
    assert sqlite_integrity(sqlite3.connect(":memory:")) == []
