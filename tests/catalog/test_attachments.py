"""Files of catalog items: added and removed on drafts by staff of the agency, file and row together,
orphans swept, the scan reading their text, and the backup carrying them."""

from __future__ import annotations

import hashlib
import os
import tarfile
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.audit.models import AuditEvent
from gongkai.catalog import attachments as storage
from gongkai.catalog.attachments import attachment_content, attachment_content_type, attachment_path
from gongkai.catalog.enums import ItemStatus
from gongkai.catalog.models import ItemAttachment
from gongkai.catalog.services import attachments as service
from gongkai.catalog.services import item_attach, item_attachment_remove, item_create, item_submit
from gongkai.cli import main
from tests.catalog import samples
from tests.catalog.conftest import draft_data


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def draft(tree, clerk, columns):
    return item_create(agency=tree["a"], column=columns["other_documents"], by=clerk, data=draft_data())


def test_a_clerk_attaches_a_file_stored_stripped_under_a_random_key(draft, clerk):
    attachment = item_attach(
        item=draft, by=clerk, upload=upload("D:\\草稿\\工作方案.docx", samples.docx_bytes())
    )
    assert attachment.name == "工作方案.docx" and attachment.extension == "docx"
    assert len(attachment.key) == 32 and attachment.key not in attachment.name
    path = attachment_path(attachment)
    assert path.parent.name == attachment.key[:2] and path.parent.parent.name == "catalog"
    content = attachment_content(attachment)
    assert attachment.size == len(content) and samples.AUTHOR.encode() not in content
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert attachment_content_type(attachment).endswith("wordprocessingml.document")
    assert samples.ID_NUMBER in attachment.text
    event = AuditEvent.objects.get(action="catalog.attachment_add")
    assert (
        event.actor == clerk and event.after["name"] == "工作方案.docx" and event.object_id == str(draft.pk)
    )


def test_the_scan_before_submission_reads_the_attachments(draft, clerk):
    item_attach(item=draft, by=clerk, upload=upload("名单.xlsx", samples.xlsx_bytes()), name="人员名单.xlsx")
    with pytest.raises(ValidationError) as error:
        item_submit(item=draft, by=clerk, method="政府网站", scope="社会公众")
    message = error.value.messages[0]
    assert (
        "附件“人员名单.xlsx”含有未遮盖的身份证号码" in message
        and "附件“人员名单.xlsx”含有未遮盖的手机号码" in message
    )


def test_only_drafts_of_ones_own_agency_take_files(draft, clerk, clerk_b, supervisor, publish):
    for user in (clerk_b, supervisor):
        with pytest.raises(PermissionDenied):
            item_attach(item=draft, by=user, upload=upload("a.png", samples.png_bytes()))
    published = publish()
    assert published.status == ItemStatus.PUBLISHED
    with pytest.raises(ValidationError, match="该信息已发布，不能添加附件"):
        item_attach(item=published, by=clerk, upload=upload("a.png", samples.png_bytes()))
    assert not ItemAttachment.objects.exists() and storage.attachment_files() == []


def test_a_refused_file_stores_nothing(draft, clerk):
    with pytest.raises(ValidationError, match="按文件内容识别类型"):
        item_attach(item=draft, by=clerk, upload=upload("a.docx", b"MZ" + b"\x00" * 100))
    assert storage.attachment_files() == []


def test_a_failed_transaction_leaves_no_file(draft, clerk, monkeypatch):
    def fail(**kwargs):
        assert len(storage.attachment_files()) == 1  # the file was written first
        raise RuntimeError("database gone")

    monkeypatch.setattr(service, "audit_record", fail)
    with pytest.raises(RuntimeError):
        item_attach(item=draft, by=clerk, upload=upload("a.png", samples.png_bytes()))
    assert storage.attachment_files() == [] and not ItemAttachment.objects.exists()


def test_files_per_item_are_limited(draft, clerk, monkeypatch):
    monkeypatch.setattr(service, "MAX_PER_ITEM", 1)
    item_attach(item=draft, by=clerk, upload=upload("a.png", samples.png_bytes()))
    with pytest.raises(ValidationError, match="最多1个附件"):
        item_attach(item=draft, by=clerk, upload=upload("b.png", samples.png_bytes()))
    assert len(storage.attachment_files()) == 1


def test_removing_a_file(draft, clerk, clerk_b, django_capture_on_commit_callbacks):
    attachment = item_attach(item=draft, by=clerk, upload=upload("a.png", samples.png_bytes()))
    with pytest.raises(PermissionDenied):
        item_attachment_remove(attachment=attachment, by=clerk_b)
    with django_capture_on_commit_callbacks(execute=True):
        item_attachment_remove(attachment=attachment, by=clerk)
    assert not ItemAttachment.objects.exists() and storage.attachment_files() == []
    event = AuditEvent.objects.get(action="catalog.attachment_remove")
    assert event.before["name"] == "a.png"
    with pytest.raises(ValidationError, match="附件已删除"):
        item_attachment_remove(attachment=attachment, by=clerk)


def test_a_submitted_items_files_cannot_be_removed(draft, clerk):
    attachment = item_attach(item=draft, by=clerk, upload=upload("a.pdf", samples.pdf_bytes()))
    item_submit(item=draft, by=clerk, method="政府网站", scope="社会公众", confirm_warnings=True)
    with pytest.raises(ValidationError, match="该信息审查中，不能删除附件"):
        item_attachment_remove(attachment=attachment, by=clerk)
    assert attachment_path(attachment).exists()


def test_the_sweep_removes_old_orphans_only(draft, clerk):
    kept = item_attach(item=draft, by=clerk, upload=upload("a.png", samples.png_bytes()))
    old_orphan = storage.attachment_write("ab" + "0" * 30, b"left behind")
    new_orphan = storage.attachment_write("cd" + "0" * 30, b"transaction still running")
    now = time.time()  # the frozen clock: the files get times relative to it
    for path, age in ((attachment_path(kept), 7200), (old_orphan, 7200), (new_orphan, 60)):
        os.utime(path, (now - age, now - age))
    assert storage.catalog_files_sweep() == 1
    assert not old_orphan.exists() and new_orphan.exists() and attachment_path(kept).exists()
    assert storage.catalog_files_sweep(now=time.time() + 2 * 3600) == 1
    assert storage.attachment_files() == [attachment_path(kept)]


@pytest.mark.django_db(transaction=True)
def test_the_backup_carries_the_catalog_files(tree, clerk, columns, tmp_path, capsys):
    item = item_create(agency=tree["a"], column=columns["other_documents"], by=clerk, data=draft_data())
    attachment = item_attach(item=item, by=clerk, upload=upload("a.pdf", samples.pdf_bytes()))
    digest = hashlib.sha256(attachment_content(attachment)).hexdigest()
    out = tmp_path / "backup.tar.gz"
    assert main(["backup", str(out)]) == 0
    capsys.readouterr()
    with tarfile.open(out) as archive:
        member = f"media/catalog/{attachment.key[:2]}/{attachment.key}"
        assert hashlib.sha256(archive.extractfile(member).read()).hexdigest() == digest
