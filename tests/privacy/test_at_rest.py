"""Personal data at rest: a known ID number and phone appear in plain text nowhere in the database (its
file, WAL and SHM on SQLite; a full dump on PostgreSQL) nor in the media folder, after an online
application with an attachment, a workbench registration, letters, a fee notice, logins and rate limits;
the values still read back, exact search finds them through the keyed hashes; key rotation; files and
folders owner-only; the production refusal without a key."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.cases import services
from gongkai.cases.attachments import attachment_content, attachment_files, attachments_of
from gongkai.cases.models import Application, Letter
from gongkai.cases.selectors import application_list
from gongkai.cases.services.fee_notices import application_month_ordinal
from gongkai.crypto import MAGIC
from gongkai.privacy.keys import key_file, keyring, keyring_reset, read_key_file
from gongkai.privacy.rotation import rotate_keys
from tests import factories

ID = factories.id_number(77, region="640521", birth="19850615")
# a number no other test writes: the raw database file keeps what earlier tests wrote in its free pages
PHONE = "13987650321"
ROOT = Path(__file__).resolve().parents[2]


def pdf_with_secrets() -> bytes:
    return b"%PDF-1.4\n" + f"ID {ID} TEL {PHONE}".encode() + b"\n%%EOF\n"


def leave_traces(tree, clerk, head) -> Application:
    """An online application with an attachment, a workbench one by the same person, letters, a fee."""
    form = {
        "applicant_kind": "natural_person", "applicant_name": "王小明", "id_type": "resident_id",
        "id_number": ID, "contact_person": "", "phone": PHONE, "email": "wang@example.cn", "address": "",
        "postcode": "", "description": "沙坡头区2025年科技项目专项资金分配结果", "requested_form": "electronic",
        "delivery": "email",
        "attachment": SimpleUploadedFile("身份证.pdf", pdf_with_secrets(), content_type="application/pdf"),
    }  # fmt: skip
    public = Client()
    assert public.post(reverse("portal:apply", args=[tree["a"].pk]), form).status_code == 302
    online = Application.objects.get()
    staff = Client()
    assert (
        staff.post(reverse("workbench:login"), {"username": "clerk_a", "password": "wrong"}).status_code
        == 200
    )
    staff.force_login(clerk)
    assert staff.get(reverse("workbench:application_detail", args=[online.pk])).status_code == 200
    again = factories.register(
        tree["a"], clerk, 2, id_number=ID, phone=f"+86 {PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}"
    )
    services.application_issue_fee_notice(
        application=again, by=clerk, on=again.received_on, scale="by_volume", quantity=150
    )
    factories.reply(online, clerk, online.received_on, "granted")
    return online


def database_bytes() -> bytes:
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return b"".join(
            Path(db["NAME"] + s).read_bytes() for s in ("", "-wal", "-shm") if Path(db["NAME"] + s).exists()
        )
    if not shutil.which("pg_dump"):  # pragma: no cover - pg_dump comes with the PostgreSQL client
        pytest.skip("pg_dump is not installed")
    env = os.environ | {"PGPASSWORD": db.get("PASSWORD") or ""}
    command = ["pg_dump", "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
               "-U", db.get("USER") or "postgres", db["NAME"]]  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, check=True).stdout  # postgresql-only


def media_bytes() -> bytes:
    root = Path(django_settings.MEDIA_ROOT)
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


@pytest.mark.django_db(transaction=True)
def test_a_known_id_number_and_phone_are_nowhere_in_plain_text(tree, clerk, head):
    online = leave_traces(tree, clerk, head)
    raw = database_bytes() + media_bytes()
    for secret in (ID, PHONE, ID[6:14], f"{PHONE[:3]}-{PHONE[3:7]}"):
        assert secret.encode() not in raw, secret
    # …and they are all there, readable by the platform
    assert Application.objects.get(pk=online.pk).id_number == ID
    (attachment,) = attachments_of(application=online)
    assert attachment_content(attachment) == pdf_with_secrets()
    (stored,) = attachment_files()
    assert stored.read_bytes().startswith(MAGIC) and b"%PDF" not in stored.read_bytes()
    assert Letter.objects.filter(docx__isnull=False).first().docx.startswith(b"PK")  # decrypted on reading


def test_exact_search_by_id_number_or_phone_and_the_fee_count_use_the_hashes(tree, clerk, supervisor):
    first = factories.register(tree["a"], clerk, 1, id_number=ID, phone=PHONE)
    second = factories.register(
        tree["a"], clerk, 2, id_number=ID.lower(), phone=f"{PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}"
    )
    factories.register(tree["a"], clerk, 3)  # someone else
    for query in (ID, ID.lower(), f" {ID} ", PHONE, f"{PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}", f"+86 {PHONE}"):
        assert {a.pk for a in application_list(user=clerk, q=query)} == {first.pk, second.pk}, query
    assert {a.pk for a in application_list(user=supervisor, q=PHONE)} == {first.pk, second.pk}
    assert list(application_list(user=factories.make_user("b", tree["b"], "clerk"), q=ID)) == []
    assert application_month_ordinal(second) == 2
    page = Client()
    page.force_login(clerk)
    listed = page.get(reverse("workbench:application_list"), {"q": PHONE}).content.decode()
    rows = listed[listed.index('<table class="data">') : listed.index("</table>")]  # not the search box
    assert first.number in rows and second.number in rows and PHONE not in rows  # the rows stay masked


def test_encrypted_fields_cannot_be_compared_in_sql(db):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="加密字段"):
        list(Application.objects.filter(id_number=ID))


def test_key_rotation_leaves_everything_readable_and_the_hashes_working(tree, clerk, settings, tmp_path):
    settings.DATA_KEY, settings.DATA_DIR = "", tmp_path  # a key file, as on a laptop
    keyring_reset()
    try:
        old = keyring().current
        application = factories.register(
            tree["a"], clerk, 1, id_number=ID, phone=PHONE, received_on=dt.date(2026, 11, 2)
        )
        factories.reply(application, clerk, dt.date(2026, 11, 20), "granted")
        summary = rotate_keys()
        new = keyring().current
        assert new.label != old.label and summary.key_label == new.label
        assert summary.rows >= 2 and read_key_file(key_file()) == [read_key_file(key_file())[0]]
        assert stat.S_IMODE(key_file().stat().st_mode) == 0o600
        fresh = Application.objects.get(pk=application.pk)
        assert (fresh.id_number, fresh.phone) == (ID, PHONE)
        assert Letter.objects.get(application=application, status="issued").docx.startswith(b"PK")
        assert [a.pk for a in application_list(user=clerk, q=ID)] == [application.pk]
        stored = Application.objects.filter(pk=application.pk).values_list("id_number_hash", flat=True).get()
        assert stored == keyring().lookup_hash("id_number", ID)
    finally:
        keyring_reset()


def test_rotation_with_keys_from_the_environment(tree, clerk, settings):
    from gongkai.crypto import encode_key, new_master_key

    application = factories.register(tree["a"], clerk, 1, id_number=ID, phone=PHONE)
    settings.DATA_KEYS_OLD = [settings.DATA_KEY]
    settings.DATA_KEY = encode_key(new_master_key())
    keyring_reset()
    try:
        assert rotate_keys().rows >= 1
        settings.DATA_KEYS_OLD = []  # the old key removed afterwards: everything is still readable
        keyring_reset()
        assert Application.objects.get(pk=application.pk).id_number == ID
        assert [a.pk for a in application_list(user=clerk, q=PHONE)] == [application.pk]
    finally:
        keyring_reset()


def test_production_without_a_key_refuses_with_a_chinese_message(settings, tmp_path):
    settings.DATA_KEY, settings.DATA_DIR, settings.PRODUCTION = "", tmp_path, True
    keyring_reset()
    try:
        with pytest.raises(ImproperlyConfigured, match="GONGKAI_DATA_KEY"):
            keyring()
        assert not (tmp_path / "data-key").exists()
    finally:
        keyring_reset()


def test_a_fresh_data_dir_is_owner_only(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("GONGKAI_DATA_KEY", "DATABASE_URL")}
    env |= {"GONGKAI_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "manage", "migrate", "-v", "0"],
        env=env, cwd=tmp_path, capture_output=True, text=True, umask=0o022,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [p for p in data.rglob("*") if p.is_file() and "static" not in p.parts]
    names = {p.name for p in files}
    assert {"gongkai.sqlite3", "secret-key", "data-key"} <= names
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_no_new_key_is_made_over_data_encrypted_with_a_lost_one(tree, clerk, settings, tmp_path):
    factories.register(tree["a"], clerk, 1, id_number=ID, phone=PHONE)  # encrypted with the suite's key
    settings.DATA_KEY, settings.DATA_DIR = "", tmp_path  # restored without its key
    keyring_reset()
    try:
        with pytest.raises(ImproperlyConfigured, match="已有加密的个人信息"):
            keyring()
        assert not (tmp_path / "data-key").exists()
    finally:
        keyring_reset()


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_no_plain_id_number_or_phone(tree, clerk, head, tmp_path):
    import gzip
    import tarfile

    from gongkai.backup.command import backup_command

    leave_traces(tree, clerk, head)
    out = tmp_path / "backup.tar.gz"
    assert backup_command(out=str(out)) == 0
    raw = gzip.decompress(out.read_bytes())
    with tarfile.open(out) as archive:
        names = archive.getnames()
    assert not [n for n in names if "key" in n.lower()]
    for secret in (ID, PHONE):
        assert secret.encode() not in raw, secret
