"""Letters: draft → 审核 → 签发 → issue (gongkai.approvals; the levels are the agency's, none allowed), one
transaction each with an audit event. Issuing gives the letter its 文号, renders the Word document and
records it on the case; issuing a 答复告知书 concludes the application with its outcome. An issued letter is
never changed again."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from gongkai.agencies.models import Agency
from gongkai.agencies.permissions import can_write
from gongkai.approvals.models import ApprovalRequest, Kind
from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import Handler, approval_open, approval_withdraw, register_handler
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.cases import clock
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import EventKind, LetterKind, LetterStatus
from gongkai.cases.letters.document import letter_docx
from gongkai.cases.letters.text import letter_placeholders, letter_text
from gongkai.cases.letters.wording import CONSULTATION_LETTER_GROUNDS, LETTER_GROUNDS
from gongkai.cases.models import Application, ApplicationEvent, Letter, LetterSequence
from gongkai.cases.notify import Notice, notify_applicant
from gongkai.errors import Code, clean_text, invalid
from gongkai.law import Ground, cite
from gongkai.report.formats import OUTCOMES_BY_CODE

OPEN_STATUSES = (LetterStatus.DRAFT, LetterStatus.PENDING, LetterStatus.APPROVED)
BODY_MAX = 20_000  # a letter runs to a few pages; far above any real one


def _require_write(by, application: Application) -> None:
    if not can_write(by, application.agency):
        raise PermissionDenied(f"您没有在“{application.agency}”出具文书的权限")


def _snapshot(letter: Letter) -> dict:
    return {
        "kind": letter.kind,
        "status": letter.status,
        "title": letter.title,
        "body": letter.body,
        "number": letter.number,
        "outcome": letter.outcome,
        "issued_on": letter.issued_on.isoformat() if letter.issued_on else None,
    }


def _clean(title: str, body: str) -> tuple[str, str]:
    title = clean_text("title", title)
    body = clean_text("body", body, multiline=True, max_length=BODY_MAX)
    if not title:
        raise invalid("title", Code.REQUIRED, "文书标题不能为空")
    if not body:
        raise invalid("body", Code.REQUIRED, "文书正文不能为空")
    if len(title) > Letter._meta.get_field("title").max_length:
        raise invalid("title", Code.TOO_LONG, "文书标题过长")
    return title, body


def _locked(letter: Letter) -> Letter:
    return (
        Letter.objects.select_for_update(of=("self",)).select_related("application__agency").get(pk=letter.pk)
    )


# --- 文号 ------------------------------------------------------------------------------------------------


def letter_code(agency: Agency, kind: str) -> tuple[str, str]:
    """(机关代字, sequence scope) of a letter kind in an agency: a kind with its own code runs its own
    sequence. The sequence belongs to the code, not the kind, so a code moved to another kind in the middle
    of a year goes on counting instead of issuing its numbers again."""
    code = (agency.letter_codes or {}).get(str(kind), "").strip() or (agency.letter_code or "").strip()
    return code, code


def letter_number_format(code: str, year: int, serial: int) -> str:
    """GB/T 9704 发文字号: 机关代字〔年份〕序号号, no 第, no leading zeros: 沙科信公开〔2026〕3号."""
    return f"{code}〔{year}〕{serial}号"


def _allocate_number(agency: Agency, kind: str, year: int) -> str:
    """The next 文号, under a lock, inside the issuing transaction (a rollback gives the number back)."""
    code, scope = letter_code(agency, kind)
    if not code:
        raise invalid(
            None,
            Code.NOT_CONFIGURED,
            "本机关尚未设置机关代字，无法编制文号。请本机关管理员在“本机关设置”中填写机关代字",
        )
    Agency.objects.select_for_update().filter(pk=agency.pk).exists()
    sequence, _ = LetterSequence.objects.select_for_update().get_or_create(
        agency=agency, year=year, scope=scope
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return letter_number_format(code, year, sequence.last)


# --- drafting ----------------------------------------------------------------------------------------------


def draft_letter(
    *, application: Application, by, kind: str, outcome: str = "", note: str = "", **context
) -> Letter:
    """A letter drafted from the case, inside the caller's transaction (see `letter_text` for the context)."""
    title, body = _clean(*letter_text(application=application, kind=kind, outcome=outcome or None, **context))
    letter = Letter.objects.create(
        application=application,
        kind=LetterKind(kind),
        title=title,
        body=body,
        outcome=outcome,
        note=note,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_record(
        actor=by,
        action=AuditAction.LETTER_DRAFT,
        obj=letter,
        agency=application.agency,
        after=_snapshot(letter),
    )
    return letter


def letter_draft(*, application: Application, by, kind: str, **context) -> Letter:
    """Draft a letter of `kind` from the case. A 答复告知书 is drafted by the reply step, with its outcome."""
    _require_write(by, application)
    if kind == LetterKind.REPLY:
        raise invalid("kind", Code.NOT_APPLICABLE, "答复告知书请通过“答复”办理，选择答复结果后生成")
    if kind not in LetterKind.values:
        raise invalid("kind", Code.INVALID_CHOICE, "请选择要生成的文书")
    with transaction.atomic(durable=True):
        try:
            return draft_letter(application=application, by=by, kind=kind, **context)
        except ValueError as error:
            raise invalid("kind", Code.NOT_APPLICABLE, str(error)) from error


def letter_update(*, letter: Letter, by, title: str, body: str) -> Letter:
    """Edit a draft (fill the placeholders, adjust the wording). Letters in approval or issued are frozen."""
    _require_write(by, letter.application)
    title, body = _clean(title, body)
    with transaction.atomic(durable=True):
        locked = _locked(letter)
        if locked.status != LetterStatus.DRAFT:
            raise invalid(None, Code.STEP_NOT_ALLOWED, f"文书{locked.get_status_display()}，不能再修改")
        before = _snapshot(locked)
        locked.title, locked.body = title, body
        locked.save(update_fields=["title", "body"])
        audit_record(
            actor=by,
            action=AuditAction.LETTER_UPDATE,
            obj=locked,
            agency=locked.application.agency,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def letter_discard(*, letter: Letter, by) -> Letter:
    """Set a letter not yet issued aside (to choose another outcome, or when the case went another way): it
    stays on record as 已作废. A letter in approval is withdrawn first."""
    _require_write(by, letter.application)
    with transaction.atomic(durable=True):
        locked = _locked(letter)
        if locked.status not in (LetterStatus.DRAFT, LetterStatus.APPROVED):
            raise invalid(None, Code.STEP_NOT_ALLOWED, f"文书{locked.get_status_display()}，不能作废")
        before = _snapshot(locked)
        locked.status = LetterStatus.DISCARDED
        locked.save(update_fields=["status"])
        audit_record(
            actor=by, action=AuditAction.LETTER_UPDATE, obj=locked, agency=locked.application.agency,
            before=before, after=_snapshot(locked),
        )  # fmt: skip
    return locked


# --- approval ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterLimit:
    """The statutory limit a letter goes out against: its day (None: no limit), its basis, and whether the
    day is a weekends-only estimate (never a reason to refuse; shown as one)."""

    on: date | None = None
    text: str = ""
    estimated: bool = False


def letter_limit(letter: Letter) -> LetterLimit:
    """The statutory limit a letter goes out against."""
    application = letter.application
    if letter.kind == LetterKind.CORRECTION:
        day = clock.correction_notice_deadline(received_on=application.received_on, cal=work_calendar())
        return LetterLimit(
            day.day,
            f"{cite(Ground.CORRECTION)}：自收到申请之日起{clock.CORRECTION_NOTICE_WORKDAYS}个工作日内一次性告知补正",
            day.estimated,
        )
    if letter.kind == LetterKind.EXTENSION:
        extended = application.events.filter(kind=EventKind.EXTENDED).order_by("-id").first()
        previous = extended and extended.data.get("previous_due_on")
        if previous:
            text = f"{cite(Ground.EXTENSION)}：在原答复期限内告知申请人延期"
            period = extended.data.get("previous_period")
            if extended.data.get("previous_due_on_estimated") and period:
                due, _ = clock.reply_period_due(period, cal=work_calendar())
                return LetterLimit(due.day, text, due.estimated)
            return LetterLimit(date.fromisoformat(previous), text)
    if letter.kind == LetterKind.FEE:
        notice = application.fee_notices.order_by("-issued_on", "-id").first()
        if notice is not None and notice.reply_due_on:
            text = f"{cite(Ground.FEE_MEASURES)}：在答复期限内发出收费通知"
            return LetterLimit(notice.reply_due_on, text, notice.reply_due_on_estimated)
    if letter.kind == LetterKind.REPLY and application.due_on:
        return LetterLimit(
            application.due_on, f"{cite(Ground.REPLY_PERIOD)}：答复期限", application.due_on_estimated
        )
    return LetterLimit()


def _open_approval(locked: Letter, by, on: date) -> ApprovalRequest:
    if missing := letter_placeholders(locked.title + "\n" + locked.body):
        raise invalid("body", Code.PLACEHOLDERS_LEFT, "文书中还有待填写的内容：" + "、".join(missing))
    limit = letter_limit(locked)
    before = _snapshot(locked)
    locked.status = LetterStatus.PENDING
    locked.save(update_fields=["status"])
    audit_record(
        actor=by, action=AuditAction.LETTER_SUBMIT, obj=locked, agency=locked.application.agency, before=before,
        after=_snapshot(locked),
    )  # fmt: skip
    return approval_open(
        agency=locked.application.agency,
        kind=Kind.LETTER,
        subject=locked,
        title=f"{locked.application.number} {locked.title}",
        by=by,
        on=on,
        payload={"application": locked.application_id},  # the queue links to the letter without a query
        limit_on=limit.on,
        limit_text=limit.text,
        limit_estimated=limit.estimated,
    )


def letter_submit(*, letter: Letter, by, on: date) -> Letter:
    """Send a finished draft to 审核/签发 (approved at once when the agency has no approval levels)."""
    _require_write(by, letter.application)
    with transaction.atomic(durable=True):
        locked = _locked(letter)
        if locked.status != LetterStatus.DRAFT:
            raise invalid(None, Code.STEP_NOT_ALLOWED, f"文书{locked.get_status_display()}，不能送审")
        _open_approval(locked, by, on)
    letter.refresh_from_db()
    return letter


def letter_withdraw(*, letter: Letter, by) -> Letter:
    """Take a letter back from approval to change it."""
    request = pending_request(subject=letter, kind=Kind.LETTER)
    if request is None:
        raise invalid(None, Code.STEP_NOT_ALLOWED, "该文书不在审批中")
    approval_withdraw(request=request, by=by)
    letter.refresh_from_db()
    return letter


def _set_status(request: ApprovalRequest, status: str, by) -> None:
    locked = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("application__agency")
        .get(pk=request.subject_id)
    )
    before = _snapshot(locked)
    locked.status = status
    locked.save(update_fields=["status"])
    audit_record(
        actor=by, action=AuditAction.LETTER_UPDATE, obj=locked, agency=locked.application.agency, before=before,
        after=_snapshot(locked),
    )  # fmt: skip


def _letter_url(request: ApprovalRequest) -> str:
    application_id = request.payload.get("application")
    if application_id is None:  # a request opened before the payload carried the application
        application_id = Letter.objects.only("application_id").get(pk=request.subject_id).application_id
    return reverse("workbench:letter_edit", args=[application_id, request.subject_id])


register_handler(
    Kind.LETTER,
    Handler(
        on_approved=lambda request, by, on: _set_status(request, LetterStatus.APPROVED, by),
        on_refused=lambda request, by, on, comment: _set_status(request, LetterStatus.DRAFT, by),
        on_withdrawn=lambda request, by: _set_status(request, LetterStatus.DRAFT, by),
        url=_letter_url,
    ),
)


# --- issue -------------------------------------------------------------------------------------------------


def letter_basis(letter: Letter) -> str:
    """What the issued letter cites, as its event records it."""
    if letter.kind == LetterKind.REPLY:
        outcome = OUTCOMES_BY_CODE.get(letter.outcome or letter.application.outcome)
        return outcome.basis if outcome else ""
    if letter.kind == LetterKind.CONSULTATION:
        consultation = letter.application.consultations.order_by("-sent_on", "-id").first()
        return cite(*CONSULTATION_LETTER_GROUNDS[consultation.kind]) if consultation else ""
    return cite(*LETTER_GROUNDS[LetterKind(letter.kind)])


def letter_issue(*, letter: Letter, by, on: date, past_year_reason: str = "") -> Letter:
    """Give the letter its 文号, render it, date it and record it on the case. Refused while placeholders
    remain, before 签发 (unless the agency has no approval levels), before the application was received,
    or when already issued. Issuing a 答复告知书 concludes the application in the same transaction."""
    from gongkai.cases.services.common import _check_day
    from gongkai.cases.services.replies import conclude_with_reply

    _require_write(by, letter.application)
    with transaction.atomic(durable=True):
        locked = _locked(letter)
        application = locked.application
        if locked.status == LetterStatus.ISSUED:
            raise invalid(None, Code.ALREADY_DONE, "文书已出具，不能重复出具")
        if locked.status == LetterStatus.DISCARDED:
            raise invalid(None, Code.STEP_NOT_ALLOWED, "文书已作废，不能出具")
        _check_day(on, not_before=application.received_on, what="收到申请日期")
        if missing := letter_placeholders(locked.title + "\n" + locked.body):
            raise invalid("body", Code.PLACEHOLDERS_LEFT, "文书中还有待填写的内容：" + "、".join(missing))
        if locked.status == LetterStatus.DRAFT:
            _open_approval(locked, by, on)  # no levels: approved at once
            locked.refresh_from_db(fields=["status"])
        if locked.status != LetterStatus.APPROVED:
            raise invalid(None, Code.APPROVAL_REQUIRED, "文书须经审核、签发后才能出具")
        if locked.kind == LetterKind.REPLY:
            conclude_with_reply(locked, by=by, on=on, past_year_reason=past_year_reason)
        before = _snapshot(locked)
        locked.number = _allocate_number(application.agency, locked.kind, on.year)
        locked.docx = letter_docx(
            agency=application.agency,
            title=locked.title,
            body=locked.body,
            issued_on=on,
            number=locked.number,
        )
        locked.issued_on, locked.status = on, LetterStatus.ISSUED
        locked.issued_by = by if getattr(by, "is_authenticated", False) else None
        locked.save(update_fields=["docx", "issued_on", "status", "number", "issued_by"])
        digest = hashlib.sha256(locked.docx).hexdigest()
        audit_record(
            actor=by,
            action=AuditAction.LETTER_ISSUE,
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
            basis=letter_basis(locked),
            note=f"{locked.title}（{locked.number}）",
            data={"letter": locked.pk, "kind": locked.kind, "number": locked.number, "docx_sha256": digest},
        )
        if locked.kind == LetterKind.REPLY:
            application.refresh_from_db()
            notify_applicant(application, Notice.REPLIED, title=locked.title)
    letter.refresh_from_db()
    return letter
