"""The reply (Art. 36 etc.): the clerk drafts the 答复告知书 with exactly one outcome; the application is
concluded, counted in one table 3 row, when that letter is issued (gongkai.cases.letters.services)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from gongkai.agencies.permissions import require_write
from gongkai.audit.actions import AuditAction
from gongkai.cases.enums import EventKind, LetterKind
from gongkai.cases.models import Application, Letter
from gongkai.cases.procedure import Step
from gongkai.cases.services import common
from gongkai.cases.services.common import _check_day, _conclude, _json, _locked, _sync, require_step
from gongkai.errors import Code, clean_text, invalid
from gongkai.report.formats import OUTCOMES_BY_CODE

NOTE_MAX = 2000


def _check_outcome(locked: Application, outcome: str, facts) -> None:
    if outcome not in OUTCOMES_BY_CODE:
        raise invalid("outcome", Code.INVALID_CHOICE, "请选择答复结果")
    if OUTCOMES_BY_CODE[outcome].own_step:
        raise invalid(
            "outcome",
            Code.NOT_APPLICABLE,
            f"“{OUTCOMES_BY_CODE[outcome].label}”由其专门的办结步骤办理，不能作为答复结果",
        )
    if outcome == "unable.unclear_after_correction" and not facts.corrected:
        raise invalid("outcome", Code.NOT_APPLICABLE, "只有经补正的申请才能以“补正后申请内容仍不明确”答复")


def application_prepare_reply(*, application: Application, by, outcome: str, note: str = "") -> Letter:
    """Draft the 答复告知书 with its outcome; the application stays open until the letter is issued."""
    from gongkai.cases.letters.services import draft_letter

    require_write(by, application.agency)
    note = clean_text("note", note, multiline=True)
    if len(note) > NOTE_MAX:
        raise invalid("note", Code.TOO_LONG, f"说明不能超过{NOTE_MAX}个字")
    with transaction.atomic(durable=True):
        locked = _locked(application)
        facts = require_step(locked, Step.PREPARE_REPLY)
        _check_outcome(locked, outcome, facts)
        letter = draft_letter(application=locked, by=by, kind=LetterKind.REPLY, outcome=outcome, note=note)
    _sync(application, locked)
    return letter


def conclude_with_reply(letter: Letter, *, by, on: date, past_year_reason: str = "") -> None:
    """Inside the transaction that issues the 答复告知书: conclude its application with the letter's outcome."""
    locked = _locked(letter.application)
    facts = require_step(locked, Step.REPLY, on=on)
    _check_outcome(locked, letter.outcome, facts)
    _check_day(on, not_before=locked.received_on, what="收到申请日期")
    reason = common.past_year_reason(on, past_year_reason, what="答复日期")
    outcome = OUTCOMES_BY_CODE[letter.outcome]
    # replied after an estimated due date: whether it was late is known once the schedule is confirmed
    late = None if locked.due_on_estimated else locked.due_on is not None and on > locked.due_on
    _conclude(
        locked,
        by=by,
        on=on,
        outcome=outcome.code,
        action=AuditAction.APPLICATION_REPLY,
        kind=EventKind.REPLIED,
        basis=outcome.basis,
        note=letter.note or outcome.label,
        data={
            "due_on": _json(locked.due_on),
            "due_on_estimated": locked.due_on_estimated,
            "late": late,
            "letter": letter.pk,
        },
        reason=reason,
    )
    _sync(letter.application, locked)
