"""Attachments are files named by a random key, written before their row in the row's transaction: a
submission killed between the file and the commit leaves a file no row points at, never a file the next
application shows or serves (the defect of folders named by a row id that SQLite gives out again); the
daily sweep removes such files once they are an hour old."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.cases.attachments import SWEEP_GRACE, attachment_files, attachments_of, attachments_sweep
from gongkai.cases.models import Application, Attachment
from tests import factories

ROOT = Path(__file__).resolve().parents[2]

# Submits an online application with an attachment and is killed (SIGKILL: no cleanup runs) right after
# the attachment's file is written, before its row and the transaction's commit.
KILLED_SUBMISSION = textwrap.dedent(
    """
    import datetime, os, signal, sys
    import django, time_machine
    time_machine.travel(datetime.datetime.fromisoformat(sys.argv[2]), tick=True).start()  # the test's date
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from gongkai.agencies.models import Agency
    from gongkai.cases import attachments
    from gongkai.cases.services import application_submit_online
    from gongkai.web.attachments import CheckedUpload, Sniffed
    from tests import factories

    class Killed:
        def create(self, **fields):
            os.kill(os.getpid(), signal.SIGKILL)

    attachments.Attachment.objects = Killed()
    upload = SimpleUploadedFile("first.pdf", b"%PDF-1.4 the first applicant's ID card", "application/pdf")
    application_submit_online(
        agency=Agency.objects.get(pk=int(sys.argv[1])),
        applicant=factories.applicant(1),
        attachment=CheckedUpload(upload, Sniffed(".pdf", "PDF")),
    )
    """
)


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgresql://{db.get('USER') or 'postgres'}@{db.get('HOST')}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_submission_never_hands_its_file_to_the_next_application(tree, clerk, tmp_path):
    media = Path(django_settings.MEDIA_ROOT)
    assert media == tmp_path / "media"
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "GONGKAI_DATA_DIR": str(tmp_path),  # so that its media folder is this test's
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", KILLED_SUBMISSION, str(tree["a"].pk), timezone.now().isoformat()],
        env=env,
        cwd=ROOT,
        capture_output=True,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    (orphan,) = attachment_files()  # the file was written…
    assert not Application.objects.exists() and not Attachment.objects.exists()  # …its rows never were

    # the next applicant (on SQLite the same row id) sees and gets no file that is not theirs
    form = {
        "applicant_kind": "natural_person", "applicant_name": "李四", "id_type": "resident_id",
        "id_number": factories.id_number(9), "phone": "13900009999", "email": "", "address": "",
        "postcode": "", "contact_person": "", "description": "2025年度科技项目资金分配结果",
        "requested_form": "electronic", "delivery": "online",
    }  # fmt: skip
    response = Client().post(reverse("portal:apply", args=[tree["a"].pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    second = Application.objects.get()
    assert attachments_of(application=second) == []
    staff = Client()
    staff.force_login(clerk)
    page = staff.get(reverse("workbench:application_detail", args=[second.pk])).content.decode()
    assert "attachments/" not in page
    download = reverse("workbench:attachment_download", args=[second.pk, orphan.name])
    assert staff.get(download).status_code == 404

    # the daily sweep leaves a young file (its transaction may still run), removes it an hour on
    written = orphan.stat().st_mtime
    assert attachments_sweep(now=written + 60) == 0 and orphan.exists()
    assert attachments_sweep(now=written + SWEEP_GRACE.total_seconds() + 60) == 1
    assert not orphan.exists()


def test_the_sweep_keeps_every_file_a_row_refers_to(tree, clerk, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {
        "applicant_kind": "natural_person", "applicant_name": "王五", "id_type": "resident_id",
        "id_number": factories.id_number(3), "phone": "13900003333", "email": "", "address": "",
        "postcode": "", "contact_person": "", "description": "2025年度科技项目资金分配结果",
        "requested_form": "electronic", "delivery": "online",
        "attachment": SimpleUploadedFile("a.pdf", b"%PDF-1.4 scan", content_type="application/pdf"),
    }  # fmt: skip
    assert client.post(reverse("portal:apply", args=[tree["a"].pk]), form).status_code == 302
    (kept,) = attachment_files()
    later = kept.stat().st_mtime + 10 * SWEEP_GRACE.total_seconds()
    assert attachments_sweep(now=later) == 0 and kept.exists()
