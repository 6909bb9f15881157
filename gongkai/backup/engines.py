"""The database side of a backup, per engine: a consistent snapshot with its row counts and migration state,
whether a target is empty, checks of a dump before it is restored, the restore, and the counts after.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies the live database in one step, inside
  one read transaction: with WAL the site keeps writing meanwhile, and the copy is the database as of the
  moment it started. The copy is switched to the rollback journal, so the file stands alone.
- PostgreSQL: one REPEATABLE READ transaction exports its snapshot (`pg_export_snapshot()`), counts the rows
  in it and runs `pg_dump --snapshot`, so counts and dump describe the same moment. The connection
  parameters come from the settings through the environment (PGHOST, PGPASSWORD, …), never the command
  line, where other users of the machine could read them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from gongkai.backup.archive import ENGINE_LABELS, Manifest, Refused

# Tables that `migrate` and `createcachetable` fill on their own, and the cache: a target whose other tables
# are all empty counts as empty. An empty FTS5 table (the catalog's search index, SQLite) has rows in its
# config and data shadow tables; what it indexes is in catalog_search_content, which counts.
BOOKKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission", "gongkai_cache",
                         "catalog_search_config", "catalog_search_data", "catalog_search_idx"})  # fmt: skip


class Failed(Exception):
    """The backup or restore could not be done (a database or tool error). One Chinese line per problem."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Snapshot:
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    problems: list[str]  # integrity problems of the snapshot (SQLite)


def engine_for(using: str = "default") -> Engine:
    connection = connections[using]
    if connection.vendor == "sqlite":  # sqlite-only
        return SQLite(using)
    if connection.vendor == "postgresql":  # postgresql-only
        return PostgreSQL(using)
    raise Failed(f"不支持备份 {connection.vendor} 数据库")  # pragma: no cover - only the two are configured


def _migrations(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _counts(cursor, tables: list[str], quote) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Engine:
    """An engine's side of a backup. Each has: `describe()` (for people), `snapshot(dump) -> Snapshot`,
    `target_rows()` (rows per table of the target, None when it has no tables), `restore(dump, over_tables=)`
    and `counts()` (rows per table after the restore)."""

    name: str
    using: str

    def __init__(self, using: str = "default"):
        self.using = using

    @property
    def connection(self):
        return connections[self.using]

    @property
    def label(self) -> str:
        return ENGINE_LABELS[self.name]


def check_dump(engine: str, dump: Path, manifest: Manifest) -> list[str]:
    """Problems of a database dump before it is restored (the hashes already matched)."""
    return {"sqlite": _check_sqlite_dump, "postgresql": _check_postgresql_dump}[engine](dump, manifest)


# --- SQLite ---------------------------------------------------------------------------------------------------

_SQLITE_TABLES = r"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name"


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    cursor = db.cursor()
    return _counts(cursor, [row[0] for row in cursor.execute(_SQLITE_TABLES).fetchall()], _quote)


def sqlite_integrity(db: sqlite3.Connection) -> list[str]:
    """`PRAGMA integrity_check` and `PRAGMA foreign_key_check`, as lines for people; [] when both pass."""
    problems = []
    result = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    if result != ["ok"]:
        problems.append(f"数据库完整性检查（integrity_check）未通过：{'；'.join(result[:5])}")
    violations = db.execute("PRAGMA foreign_key_check").fetchall()
    if violations:
        table, rowid, parent, _ = violations[0]
        problems.append(
            f"数据库外键检查（foreign_key_check）未通过：{len(violations)} 处，"
            f"例如表 {table} 第 {rowid} 行指向 {parent} 中不存在的记录"
        )
    return problems


def _open_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


class SQLite(Engine):  # sqlite-only
    name = "sqlite"

    @property
    def path(self) -> Path:
        return Path(self.connection.settings_dict["NAME"])

    def describe(self) -> str:
        return f"SQLite {self.path}"

    def snapshot(self, dump: Path) -> Snapshot:
        if not self.path.is_file():
            raise Failed(f"没有可备份的数据库：{self.path} 不存在（数据目录是否正确？GONGKAI_DATA_DIR）")
        # mode=rw: never create a database that is not there; the backup only reads it
        source = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
        copy = sqlite3.connect(dump)
        try:
            source.backup(copy)  # all pages in one step: one read transaction, one consistent moment
            copy.execute("PRAGMA journal_mode=DELETE")  # the file stands alone, with no -wal beside it
            return Snapshot(
                tables=_sqlite_counts(copy),
                migrations=_migrations(copy.cursor()),
                problems=sqlite_integrity(copy),
            )
        except sqlite3.OperationalError as exc:
            if "django_migrations" in str(exc):
                raise Failed(f"{self.path} 还没有建立 gongkai 的数据表，没有可备份的内容") from exc
            raise Failed(f"无法读取数据库 {self.path}：{exc}") from exc
        finally:
            copy.close()
            source.close()

    def target_rows(self) -> dict[str, int] | None:
        if not self.path.exists():
            return None
        db = _open_ro(self.path)
        try:
            counts = _sqlite_counts(db)
        except sqlite3.DatabaseError as exc:
            raise Refused(f"目标数据库 {self.path} 无法读取（{exc}）：请指定一个新的数据目录") from exc
        finally:
            db.close()
        return counts or None

    def restore(self, dump: Path, *, over_tables: bool) -> None:
        """Put the verified copy in place: one rename in the database's folder. A -wal or -shm left beside
        the old (empty) database would be replayed onto the new one: they go first."""
        self.connection.close()
        target = self.path
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        place_file(dump, target)

    def counts(self) -> dict[str, int]:
        db = _open_ro(self.path)
        try:
            return _sqlite_counts(db)
        finally:
            db.close()


def _check_sqlite_dump(dump: Path, manifest: Manifest) -> list[str]:
    try:
        db = _open_ro(dump)
        try:
            problems = sqlite_integrity(db)
            if not problems:
                problems += _compare(manifest, tables=_sqlite_counts(db), migrations=_migrations(db.cursor()))
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return [f"备份中的数据库文件无法读取：{exc}"]
    return problems


def _compare(manifest: Manifest, *, tables: dict[str, int], migrations: dict[str, list[str]]) -> list[str]:
    problems = []
    if migrations != manifest.migrations:
        problems.append("备份中数据库的迁移记录与备份清单不符")
    for table in sorted(set(tables) | set(manifest.tables)):
        if tables.get(table) != manifest.tables.get(table):
            problems.append(
                f"表 {table} 的行数与备份清单不符：清单 {manifest.tables.get(table, '（无此表）')}，"
                f"数据库 {tables.get(table, '（无此表）')}"
            )
    return problems


def count_problems(manifest: Manifest, counts: dict[str, int]) -> list[str]:
    return _compare(manifest, tables=counts, migrations=manifest.migrations)


def place_file(source: Path, target: Path) -> None:
    """Move a file into place atomically: a rename, or across file systems a copy beside the target first."""
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != 18:  # EXDEV: another file system
            raise
        beside = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(source, beside)
        os.chmod(beside, 0o600)
        with open(beside, "rb") as f:
            os.fsync(f.fileno())
        os.replace(beside, target)
        source.unlink()
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- PostgreSQL -----------------------------------------------------------------------------------------------

_POSTGRESQL_TABLES = """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"""


def _libpq_quote(value: str) -> str:  # postgresql-only
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _tool(name: str) -> str:  # postgresql-only
    path = shutil.which(name)
    if path is None:
        raise Failed(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）")
    return path


def _tool_error(name: str, done: subprocess.CompletedProcess) -> str:  # postgresql-only
    lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
    return f"{name} 失败（退出码 {done.returncode}）：{lines[-1] if lines else '没有输出'}"


def _check_postgresql_dump(dump: Path, manifest: Manifest) -> list[str]:  # postgresql-only
    done = subprocess.run([_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True)
    if done.returncode != 0:
        return [f"备份中的数据库转储无法读取：{_tool_error('pg_restore', done)}"]
    return []


class PostgreSQL(Engine):  # postgresql-only
    name = "postgresql"

    def describe(self) -> str:
        s = self.connection.settings_dict
        return f"PostgreSQL {s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}/{s['NAME']}"

    def _env(self) -> dict[str, str]:
        """The connection for pg_dump and pg_restore, through libpq's environment variables."""
        s = self.connection.settings_dict
        env = dict(os.environ)
        for variable, key in (
            ("PGHOST", "HOST"),
            ("PGPORT", "PORT"),
            ("PGUSER", "USER"),
            ("PGPASSWORD", "PASSWORD"),
        ):
            if s.get(key):
                env[variable] = str(s[key])
        return env

    def _dbname(self) -> str:
        # as a connection string, so that a name with "=" in it is not read as one
        return f"dbname={_libpq_quote(self.connection.settings_dict['NAME'])}"

    def snapshot(self, dump: Path) -> Snapshot:
        pg_dump = _tool("pg_dump")
        session = self.connection.copy()  # a session of its own, apart from the one the audit record uses
        try:
            with session.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot_id = cursor.fetchone()[0]
                cursor.execute(_POSTGRESQL_TABLES)
                tables = [row[0] for row in cursor.fetchall()]
                if "django_migrations" not in tables:
                    raise Failed(f"{self.describe()} 还没有建立 gongkai 的数据表，没有可备份的内容")
                counts = _counts(cursor, tables, _quote)
                migrations = _migrations(cursor)
                done = subprocess.run(
                    [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot_id}",
                     f"--file={dump}", f"--dbname={self._dbname()}"],
                    capture_output=True, text=True, env=self._env(),
                )  # fmt: skip
                cursor.execute("COMMIT")
        except Failed:
            raise
        except Exception as exc:
            raise Failed(f"无法读取数据库 {self.describe()}：{exc}") from exc
        finally:
            session.close()
        if done.returncode != 0:
            raise Failed(_tool_error("pg_dump", done))
        return Snapshot(tables=counts, migrations=migrations, problems=[])

    def target_rows(self) -> dict[str, int] | None:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(_POSTGRESQL_TABLES)
                tables = [row[0] for row in cursor.fetchall()]
                counts = _counts(cursor, tables, _quote)
        except Exception as exc:
            raise Refused(
                f"无法连接目标数据库 {self.describe()}（{str(exc).strip().splitlines()[0]}）："
                "请先建立一个空数据库（createdb 库名），并让 DATABASE_URL 指向它"
            ) from exc
        finally:
            self.connection.close()
        return counts or None

    def restore(self, dump: Path, *, over_tables: bool) -> None:
        """pg_restore in one transaction: it restores everything, or nothing when it fails. Objects belong to
        the role of DATABASE_URL (--no-owner, --no-privileges); the audit triggers come back with the tables.
        Over the tables of a migrated but empty database, --clean drops them first."""
        self.connection.close()
        command = [
            _tool("pg_restore"), "--no-password", "--no-owner", "--no-privileges", "--exit-on-error",
            "--single-transaction", *(["--clean", "--if-exists"] if over_tables else []),
            f"--dbname={self._dbname()}", str(dump),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, env=self._env())
        if done.returncode != 0:
            raise Failed(f"{_tool_error('pg_restore', done)}。数据库没有改变（恢复在一个事务中进行，已回滚）")

    def counts(self) -> dict[str, int]:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(_POSTGRESQL_TABLES)
                return _counts(cursor, [row[0] for row in cursor.fetchall()], _quote)
        finally:
            self.connection.close()
