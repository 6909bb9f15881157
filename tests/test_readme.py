"""README's backup section says what the commands do: each command it shows parses with the real `gongkai`
parser, it names every key that backups leave out (gongkai.backup.archive.KEYS) as something to keep apart,
and it gives a schedule and the restore steps."""

import re
import shlex
from pathlib import Path

from gongkai.backup.archive import KEYS
from gongkai.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_backup_commands_shown_parse():
    backup = section("Backup and restore")
    commands = re.findall(r"(?:^|&& |\.venv/bin/)(gongkai (?:backup|restore)[^\n#&]*)", backup, flags=re.M)
    assert len(commands) >= 4
    parser = build_parser()
    for command in commands:
        args = parser.parse_args(shlex.split(command)[1:])
        assert args.func.__name__ in ("cmd_backup", "cmd_restore"), command


def test_the_keys_are_named_as_kept_apart():
    backup = section("Backup and restore")
    assert "The keys are not in a backup" in backup
    for key in KEYS:
        assert key.file in backup and key.env in backup


def test_a_schedule_and_the_restore_steps():
    backup = section("Backup and restore")
    assert "cron" in backup and "30 daily and 12 monthly" in backup
    steps = re.findall(r"^(\d)\. ", backup, flags=re.M)
    assert steps == ["1", "2", "3", "4", "5"]
    assert "cross-engine restore" in backup and "restore --check" in backup
