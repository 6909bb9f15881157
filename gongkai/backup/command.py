"""`gongkai backup OUT` and `gongkai restore [--check] IN` as the user sees them: a progress bar on a
terminal, what was done on standard output, one Chinese line per problem on standard error.

Exit codes: 0 done; 1 refused or failed (a damaged archive, one of another engine or schema, a target that
is not empty, a database or tool error; a restore that is refused has changed nothing); 2 usage (an
argument, an archive that cannot be found or read, an output that exists already).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from gongkai.backup.archive import ENGINE_LABELS, KEYS, Manifest, Progress, Refused, no_progress
from gongkai.backup.engines import Failed
from gongkai.backup.services import backup_create, backup_restore, backup_verify

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def size_label(size: int) -> str:
    for unit, bytes_ in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= bytes_:
            return f"{size / bytes_:.1f} {unit}"
    return f"{size} 字节"


def summary(manifest: Manifest) -> str:
    return (
        f"{ENGINE_LABELS[manifest.engine]} 数据库 {len(manifest.tables)} 张表 {manifest.rows} 行，"
        f"上传的文件 {len(manifest.files)} 个（{size_label(manifest.file_bytes)}）"
    )


def _problems(prog: str, problems: list[str]) -> None:
    for line in problems:
        print(f"{prog}：{line}", file=sys.stderr)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A bar per stage on a terminal's standard error; nothing in scripts and CI."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield no_progress
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        shown = []

        def stage(label: str, total: int | None):
            while shown:
                bar.remove_task(shown.pop())
            task = bar.add_task(label, total=total)
            shown.append(task)
            return lambda done: bar.advance(task, done)

        yield stage


def backup_command(*, out: str) -> int:
    prog = "gongkai backup"
    try:
        with progress_bar() as progress:
            done = backup_create(out=out, progress=progress)
    except Failed as exc:
        _problems(prog, exc.problems)
        return EXIT_FAILED
    except Refused as exc:  # the output: a name, or a file that exists
        _problems(prog, exc.problems)
        return EXIT_USAGE
    except PermissionError as exc:
        _problems(prog, [f"无法写入 {exc.filename}：没有权限"])
        return EXIT_USAGE
    except OSError as exc:
        _problems(prog, [f"无法写入备份：{exc.strerror or exc}（{exc.filename or out}），备份没有完成"])
        return EXIT_FAILED
    except DatabaseError as exc:
        _problems(prog, [f"数据库出错，备份没有完成：{exc}"])
        return EXIT_FAILED
    for line in done.warnings:
        print(f"{prog}：注意：{line}", file=sys.stderr)
    for path in done.left_out:
        print(f"{prog}：注意：没有备份 {path}（名称像密钥，或不是普通文件；密钥不放进备份）", file=sys.stderr)
    print(f"已写入备份：{done.path}（{size_label(done.size)}，SHA-256 {done.sha256}）")
    print(f"备份内容：{summary(done.manifest)}；备份时间 {done.manifest.created_at}。")
    print(f"备份中没有密钥（{'、'.join(k.file for k in KEYS)}）：请把密钥另行保管，与备份分开存放。")
    return EXIT_OK


def restore_command(*, archive: str, check: bool, started: float) -> int:
    prog = "gongkai restore"
    path = Path(archive)
    try:
        with progress_bar() as progress:
            if check:
                unpacked = backup_verify(archive=path, progress=progress)
            else:
                done = backup_restore(archive=path, progress=progress)
    except (FileNotFoundError, IsADirectoryError):
        _problems(prog, [f"找不到备份文件 {archive}"])
        return EXIT_USAGE
    except PermissionError as exc:
        _problems(prog, [f"无法读取或写入 {exc.filename or archive}：没有权限"])
        return EXIT_USAGE
    except (Refused, Failed) as exc:
        _problems(prog, exc.problems)
        if isinstance(exc, Refused) and not check:
            print(f"{prog}：没有恢复任何内容。", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        _problems(prog, [f"读写文件出错：{exc.strerror or exc}（{exc.filename}）"])
        return EXIT_FAILED
    except DatabaseError as exc:
        _problems(prog, [f"数据库出错：{exc}"])
        return EXIT_FAILED
    if check:
        manifest = unpacked.manifest
        print(f"备份文件完好：{archive}（SHA-256 {unpacked.sha256}）")
        print(
            f"备份内容：{summary(manifest)}；备份时间 {manifest.created_at}，gongkai {manifest.gongkai_version}。"
        )
        print("可以用本程序恢复（恢复到同类型的空数据库和空的数据目录）。")
        return EXIT_OK
    manifest = done.manifest
    print(f"已从 {archive} 恢复到 {done.database} 和 {settings.DATA_DIR}。")
    print(
        f"已核对：{summary(manifest)}（备份时间 {manifest.created_at}，gongkai {manifest.gongkai_version}）。"
    )
    print("密钥不在备份中：请在启动站点前放回与备份分开保管的密钥。")
    for line in key_lines(started=started):
        print(f"  {line}")
    print("然后启动站点（gongkai serve）。")
    return EXIT_OK


def key_lines(*, started: float) -> list[str]:
    """Where each key is looked for and what this restore found there. `started`: when the command began;
    a key file written since was generated by this very run (the settings make a Django key when there is
    none), so it is not the one the data was made with."""
    lines = []
    for key in KEYS:
        where = f"{key.label}：数据目录中的 {key.file} 文件，或环境变量 {key.env}"
        path = Path(settings.DATA_DIR) / key.file
        if os.environ.get(key.env):
            state = f"已设置 {key.env}，请确认它是备份时所用的密钥"
        elif path.exists() and path.stat().st_mtime >= int(started):
            state = f"本次运行新生成了 {path}，它不是备份时的密钥：请用原来的密钥替换它"
        elif path.exists():
            state = f"{path} 已存在，请确认它是备份时所用的密钥"
        else:
            state = "未找到，请放回"
        lines.append(f"{where}——{state}")
    return lines
