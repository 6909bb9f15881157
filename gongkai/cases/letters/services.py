"""Draft, edit and issue letters: one transaction each with an audit event; an issued letter is frozen."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gongkai.agencies.permissions import can_write
from gongkai.audit.services import audit_record
from gongkai.cases.enums import EventKind, LetterKind
from gongkai.cases.letters.document import (
    letter_docx,
)
from gongkai.cases.letters.text import (
    letter_placeholders,
    letter_text,
)
from gongkai.cases.letters.wording import (
    KIND_BASIS,
)
from gongkai.cases.models import Application, ApplicationEvent, Letter
from gongkai.report.formats import OUTCOMES_BY_CODE

# --- services ---


def _require_write(by, application: Application) -> None:
    if not can_write(by, application.agency):
        raise PermissionDenied(f"您没有在“{application.agency}”出具文书的权限")


def _snapshot(letter: Letter) -> dict:
    return {
        "kind": letter.kind,
        "title": letter.title,
        "body": letter.body,
        "issued_on": letter.issued_on.isoformat() if letter.issued_on else None,
    }


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError("文书标题和正文不能为空")
    if len(title) > Letter._meta.get_field("title").max_length:
        raise ValidationError("文书标题过长")
    return title, body


def letter_draft(*, application: Application, by, kind: str, **context) -> Letter:
    """Draft a letter from the case (see `letter_text` for the context); not issued yet."""
    _require_write(by, application)
    title, body = _clean(*letter_text(application=application, kind=kind, **context))
    with transaction.atomic():
        letter = Letter.objects.create(application=application, kind=LetterKind(kind), title=title, body=body)
        audit_record(
            actor=by, action="letter.draft", obj=letter, agency=application.agency, after=_snapshot(letter)
        )
    return letter


def letter_update(*, letter: Letter, by, title: str, body: str) -> Letter:
    """Edit a draft (fill the placeholders, adjust the wording). An issued letter is never changed."""
    _require_write(by, letter.application)
    title, body = _clean(title, body)
    with transaction.atomic():
        locked = Letter.objects.select_for_update().select_related("application__agency").get(pk=letter.pk)
        if locked.issued_on is not None:
            raise ValidationError("文书已出具，不能再修改")
        before = _snapshot(locked)
        locked.title, locked.body = title, body
        locked.save(update_fields=["title", "body"])
        audit_record(
            actor=by,
            action="letter.update",
            obj=locked,
            agency=locked.application.agency,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def letter_issue(*, letter: Letter, by, on: date) -> Letter:
    """Render the Word document, date the letter and record it on the case. Refused while placeholders
    remain, before the application was received, or when already issued."""
    _require_write(by, letter.application)
    with transaction.atomic():
        locked = Letter.objects.select_for_update().select_related("application__agency").get(pk=letter.pk)
        application = locked.application
        if locked.issued_on is not None:
            raise ValidationError("文书已出具，不能重复出具")
        if on < application.received_on:
            raise ValidationError("出具日期不能早于收到申请日期")
        if missing := letter_placeholders(locked.title + "\n" + locked.body):
            raise ValidationError("文书中还有待填写的内容：" + "、".join(missing))
        before = _snapshot(locked)
        locked.docx = letter_docx(
            agency=application.agency, title=locked.title, body=locked.body, issued_on=on
        )
        locked.issued_on = on
        locked.save(update_fields=["docx", "issued_on"])
        digest = hashlib.sha256(locked.docx).hexdigest()
        audit_record(
            actor=by,
            action="letter.issue",
            obj=locked,
            agency=application.agency,
            before=before,
            after={**_snapshot(locked), "docx_sha256": digest},
        )
        ApplicationEvent.objects.create(
            application=application,
            kind=EventKind.LETTER_ISSUED,
            on=on,
            by=by if getattr(by, "is_authenticated", False) else None,
            basis=_event_basis(locked),
            note=locked.title,
            data={"letter": locked.pk, "kind": locked.kind, "docx_sha256": digest},
        )
    return locked


def _event_basis(letter: Letter) -> str:
    if letter.kind == LetterKind.REPLY:
        outcome = OUTCOMES_BY_CODE.get(letter.application.outcome)
        return outcome.basis if outcome else ""
    return KIND_BASIS.get(LetterKind(letter.kind), "")
