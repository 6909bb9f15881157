"""What the imports share: the columns a file may have (by header, with synonyms), the report, the row
problems in Chinese ("第 12 行：发布日期“2020-13-01”无效"), reading the file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from gongkai.catalog.spreadsheets import Table, Unreadable, cell_text, header_key, read_table

PROBLEMS_KEPT = 1000  # row problems listed; the rest are counted
FILE_NAME_MAX = 200

# progress(label, total or None) -> advance(n); the command shows it as a bar on a terminal
Progress = Callable[[str, int | None], Callable[[int], None]]


def no_progress(label: str, total: int | None) -> Callable[[int], None]:
    return lambda n: None


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # the name exports write and the import prefers
    synonyms: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


class Columns:
    """Which column of a file holds which field. Several columns naming one field: the one whose name comes
    first in the field's list wins (标题 before 内容), the others are ignored and said so."""

    def __init__(self, fields: Sequence[Field], headers: list[str], *, silent: Sequence[str] = ()):
        lookup = {header_key(name): (f, rank) for f in fields for rank, name in enumerate(f.names)}
        silent_keys = {header_key(s) for s in silent}
        chosen: dict[str, tuple[int, int]] = {}  # field -> (rank, index)
        self.ignored: list[str] = []
        self.duplicates: list[str] = []
        for index, header in enumerate(headers):
            key = header_key(header)
            if not key:
                continue
            if key not in lookup:
                if key not in silent_keys:
                    self.ignored.append(header)
                continue
            f, rank = lookup[key]
            if f.key in chosen:
                if rank < chosen[f.key][0]:
                    self.duplicates.append(headers[chosen[f.key][1]])
                    chosen[f.key] = (rank, index)
                else:
                    self.duplicates.append(header)
                continue
            chosen[f.key] = (rank, index)
        self.index = {key: index for key, (_, index) in chosen.items()}
        self.headers = headers
        self.fields = {f.key: f for f in fields}

    def __contains__(self, key: str) -> bool:
        return key in self.index

    def label(self, key: str) -> str:
        """The name of the field's column as the file writes it (or the usual name, when absent)."""
        return self.headers[self.index[key]] if key in self.index else self.fields[key].header

    def values(self, cells: tuple) -> dict[str, object]:
        return {key: (cells[i] if i < len(cells) else None) for key, i in self.index.items()}

    def notes(self) -> list[str]:
        notes = []
        if self.ignored:
            notes.append(f"以下列未识别，未导入：{'、'.join(self.ignored)}")
        if self.duplicates:
            notes.append(f"以下列与其他列重复，未导入：{'、'.join(self.duplicates)}")
        return notes


def looks_like_header(fields: Sequence[Field]) -> Callable[[list[str]], bool]:
    """A row is the header when it names at least two of the fields."""
    keys = {header_key(name) for f in fields for name in f.names}
    return lambda cells: sum(header_key(c) in keys for c in cells) >= 2


@dataclass
class ImportReport:
    """What an import did, or why it wrote nothing (`problems`: one Chinese line each)."""

    what: str  # 目录信息 | 政务新媒体发布
    file_name: str
    check_only: bool = False
    rows: int = 0
    created: int = 0
    details: list[str] = field(
        default_factory=list
    )  # parts of the summary ("已发布 118 条", "已存在 3 条，跳过")
    problems: list[str] = field(default_factory=list)
    problems_more: int = 0
    notes: list[str] = field(default_factory=list)
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, message: str) -> None:
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(message)
        else:
            self.problems_more += 1

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.problems_more

    @property
    def summary(self) -> str:
        if not self.ok:
            return f"“{self.file_name}”中有 {self.problem_count} 处问题，没有导入任何内容。请修改后重新导入。"
        verb = "检查通过，可以导入" if self.check_only else "已导入"
        text = f"{verb} {self.created} 条{self.what}（文件共 {self.rows} 行数据）"
        return text + ("：" + "；".join(self.details) if self.details else "") + "。"


def row_problem(row: int, label: str, message: str) -> str:
    """ "第 12 行：…", naming the column unless the message does already."""
    return f"第 {row} 行：{message}" if label in message else f"第 {row} 行：{label}：{message}"


def validation_problems(row: int, error: ValidationError, labels: Mapping[str, str]) -> list[str]:
    """One line per message of a service's ValidationError, with the file's name of the field's column."""
    if hasattr(error, "error_dict"):
        return [
            row_problem(row, labels.get(name, ""), message)
            for name, errors in error.error_dict.items()
            for e in errors
            for message in e.messages
        ]
    return [f"第 {row} 行：{message}" for message in error.messages]


def read_source(source, report: ImportReport) -> bytes | None:
    """The bytes of the file (a path, a file object, an uploaded file or bytes) and its SHA-256; None (with
    the problem in the report) when it cannot be read."""
    from gongkai.catalog.spreadsheets import MAX_BYTES, size_text

    try:
        if isinstance(source, bytes | bytearray):
            data = bytes(source)
        elif hasattr(source, "read"):
            size = getattr(source, "size", None)
            if size is not None and size > MAX_BYTES:
                report.problem(
                    f"文件过大（{size_text(size)}），不能超过 {size_text(MAX_BYTES)}；请分成几个文件导入"
                )
                return None
            if hasattr(source, "seek"):
                source.seek(0)
            data = source.read(MAX_BYTES + 1)
        else:
            with open(source, "rb") as file:
                data = file.read(MAX_BYTES + 1)
    except OSError as error:
        report.problem(f"无法读取文件：{error.strerror or error}")
        return None
    report.sha256 = hashlib.sha256(data).hexdigest()
    return data


def open_table(
    data: bytes, fields: Sequence[Field], expected: str, report: ImportReport, max_rows: int | None = None
) -> Table | None:
    try:
        return read_table(
            data, looks_like_header=looks_like_header(fields), expected=expected, max_rows=max_rows
        )
    except Unreadable as error:
        report.problem(str(error))
        return None


def text_of(value) -> str:
    return cell_text(value)


def file_label(name) -> str:
    """The file's own name (no folders, one line), as the report and the review sheets show it."""
    return (
        " ".join(str(name or "").replace("\\", "/").rsplit("/", 1)[-1].split())[:FILE_NAME_MAX] or "导入文件"
    )


def import_table(
    source,
    report: ImportReport,
    *,
    fields: Sequence[Field],
    expected: str,
    max_rows: int | None,
    read: Callable[[Table], list],
    write: Callable[[list], None],
    check_only: bool,
) -> ImportReport:
    """The steps of every import: the file's bytes, its table, every row checked by `read`, and `write` only
    when no row has a problem (all or nothing) and this is not a check."""
    data = read_source(source, report)
    table = open_table(data, fields, expected, report, max_rows) if data is not None else None
    if table is None:
        return report
    try:
        rows = read(table)
    finally:
        table.close()
    if report.ok and not check_only:
        write(rows)
    return report


def columns_missing(report: ImportReport, table: Table, missing: list[str]) -> bool:
    """Report the columns a file lacks (with the header row it has); whether any is missing."""
    if missing:
        report.problem(
            f"缺少{'、'.join(missing)}列（第 {table.header_row} 行为表头：{'、'.join(table.headers)}）"
        )
    return bool(missing)
