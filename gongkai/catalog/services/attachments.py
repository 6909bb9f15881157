"""The files of a catalog item: added and removed while the item is a draft (or returned for changes), by
staff of its agency. A published item's files change only by withdrawing it and publishing a new one.

A file is checked by its content and its metadata stripped (gongkai.catalog.files) before anything is
stored; then, in one transaction, the file is written (gongkai.catalog.attachments), its row created and the
audit event written. If the transaction fails, the file is removed; the daily sweep removes any file that a
killed process left without a row.
"""

from __future__ import annotations

import secrets

from django.db import transaction

from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.catalog.attachments import attachment_path, attachment_write
from gongkai.catalog.enums import ItemStatus
from gongkai.catalog.files import CleanedFile, clean_file
from gongkai.catalog.models import Item, ItemAttachment
from gongkai.catalog.services.common import require_catalog_write
from gongkai.errors import Code, invalid

EDITABLE = (ItemStatus.DRAFT, ItemStatus.RETURNED)
MAX_PER_ITEM = 30


def _locked_editable(item_pk: int, what: str) -> Item:
    locked = Item.objects.select_for_update().get(pk=item_pk)
    if locked.status not in EDITABLE:
        raise invalid(
            "file", Code.STEP_NOT_ALLOWED, f"该信息{ItemStatus(locked.status).label}，不能{what}附件"
        )
    return locked


def item_attach(*, item: Item, by, upload, name: str | None = None) -> ItemAttachment:
    """Add a file to a draft item. `upload` is an uploaded file (or bytes); `name` the name to download it
    under (default: the uploaded file's name), kept without folders, at most 200 characters, with the
    extension of what the file really is."""
    require_catalog_write(by, item.agency)
    cleaned: CleanedFile = clean_file(upload, name=name)
    key = secrets.token_hex(16)
    written = False
    try:
        with transaction.atomic():
            locked = _locked_editable(item.pk, "添加")
            if ItemAttachment.objects.filter(item=locked).count() >= MAX_PER_ITEM:
                raise invalid("file", Code.OUT_OF_RANGE, f"每条信息最多{MAX_PER_ITEM}个附件")
            attachment_write(key, cleaned.content)
            written = True
            attachment = ItemAttachment.objects.create(
                item=locked, key=key, name=cleaned.name, extension=cleaned.extension, size=cleaned.size,
                text=cleaned.text,
            )  # fmt: skip
            audit_record(
                actor=by, action=AuditAction.CATALOG_ATTACHMENT_ADD, obj=locked, agency=item.agency,
                after={"attachment": attachment.pk, "name": cleaned.name, "type": cleaned.extension,
                       "size": cleaned.size},
            )  # fmt: skip
    except BaseException:
        if written:
            attachment_path(key).unlink(missing_ok=True)
        raise
    return attachment


def item_attachment_remove(*, attachment: ItemAttachment, by) -> None:
    """Remove a file of a draft item (the row now, the file once the transaction has committed)."""
    item = attachment.item
    require_catalog_write(by, item.agency)
    with transaction.atomic():
        locked = _locked_editable(item.pk, "删除")
        row = ItemAttachment.objects.filter(pk=attachment.pk, item=locked).first()
        if row is None:
            raise invalid("file", Code.NOT_FOUND, "附件已删除")
        row.delete()
        audit_record(
            actor=by, action=AuditAction.CATALOG_ATTACHMENT_REMOVE, obj=locked, agency=item.agency,
            before={"attachment": attachment.pk, "name": row.name, "type": row.extension, "size": row.size},
        )  # fmt: skip
        path = attachment_path(row.key)
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
