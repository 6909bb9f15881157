"""Backup and restore: `gongkai backup OUT`, `gongkai restore IN` (README "Backup and restore").

- archive.py   the archive format, the manifest, the keys that are never backed up (no Django)
- engines.py   SQLite and PostgreSQL: snapshot, empty target, restore, counts
- services.py  backup_create, backup_verify, backup_restore (audited)
- command.py   what the commands print, and their exit codes
"""
