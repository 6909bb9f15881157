"""Background work of the case system (django-tasks; run by `gongkai worker`, see gongkai.tasks).

- `send_notification`: one e-mail to an applicant (gongkai.cases.notify), enqueued in the transaction of the
  step it tells about; a mail server that fails is tried again later, a few times.
- `remind_staff` (daily): each clerk, reviewer and head with an e-mail address gets the overdue
  applications and those due soon of their agencies, by number and date only.
- `daily_sweep` (daily): removes attachment files (of applications and of catalog items) that no row refers
  to (a submission killed before its commit) and finished task records after a while, and computes again
  any estimated deadline whose year has been confirmed meanwhile (a step that raced with the save of the
  schedule).
- `recompute_estimated_deadlines`: enqueued in the transaction that saves a year's holiday schedule; computes
  every deadline stored as an estimate again (gongkai.cases.services.estimates).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from gongkai.agencies.models import Role

log = logging.getLogger(__name__)

MAIL_ATTEMPTS = 5
MAIL_RETRY_MINUTES = (1, 5, 30, 120)  # after the 1st, 2nd, … failure
FINISHED_TASKS_KEPT_DAYS = 30
REMINDED_ROLES = (Role.CLERK, Role.REVIEWER, Role.HEAD)


@task()
def send_notification(application_id: int, notice: str, facts: dict, attempt: int = 1) -> str:
    """Send one notification (composed now, from the application as it is). Returns what happened."""
    from gongkai.cases.models import Application
    from gongkai.cases.notify import Notice, mail_enabled, message_text

    application = Application.objects.select_related("agency").filter(pk=application_id).first()
    address = (application.email or "").strip() if application else ""
    if application is None or not address or not mail_enabled():
        return "skipped"
    subject, body = message_text(application, Notice(notice), **facts)
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()
    except Exception:
        if attempt >= MAIL_ATTEMPTS:
            log.exception("notification %s of application %s failed %s times; given up", notice,
                          application_id, attempt)  # fmt: skip
            return "failed"
        delay = MAIL_RETRY_MINUTES[min(attempt, len(MAIL_RETRY_MINUTES)) - 1]
        log.warning("notification %s of application %s failed (attempt %s); again in %s minutes", notice,
                    application_id, attempt, delay, exc_info=True)  # fmt: skip
        send_notification.using(run_after=timezone.now() + dt.timedelta(minutes=delay)).enqueue(
            application_id, notice, facts, attempt + 1
        )
        return "retry"
    return "sent"


def reminder_text(*, user, overdue: list, due_soon: list, today: dt.date) -> tuple[str, str]:
    """(subject, body) of a clerk's daily reminder: numbers, agencies and dates, no personal data."""
    from gongkai.cases.letters.text import cn_date
    from gongkai.cases.procedure import deadline_text

    def lines_of(applications) -> list[str]:
        return [
            f"  {a.number}（{a.agency.name}）答复期限 {deadline_text(a.due_on, a.due_on_estimated)}"
            for a in applications
        ]

    name = user.get_full_name() or user.get_username()
    body = [f"{name}：", "", f"截至{cn_date(today)}，您所在机关的政府信息公开申请中："]
    if overdue:
        body += ["", f"已逾期 {len(overdue)} 件：", *lines_of(overdue)]
    if due_soon:
        body += ["", f"即将到期 {len(due_soon)} 件：", *lines_of(due_soon)]
    body += [
        "",
        f"请登录工作平台办理：{settings.SITE_URL.rstrip('/')}/workbench/",
        "",
        "（本邮件由系统自动发送）",
    ]
    subject = f"【政府信息公开】已逾期 {len(overdue)} 件，即将到期 {len(due_soon)} 件"
    return subject, "\n".join(body)


@task()
def remind_staff() -> int:
    """E-mail each member of an agency's disclosure office its overdue and soon-due applications; returns
    the number of reminders sent."""
    from gongkai.cases.notify import mail_enabled
    from gongkai.cases.selectors import applications_due_soon, applications_overdue

    if not mail_enabled():
        return 0
    today = timezone.localdate()
    users = (
        get_user_model()
        .objects.filter(is_active=True, memberships__role__in=REMINDED_ROLES)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for user in users:
        overdue = list(applications_overdue(user=user, today=today))
        due_soon = list(applications_due_soon(user=user, today=today))
        if not overdue and not due_soon:
            continue
        subject, body = reminder_text(user=user, overdue=overdue, due_soon=due_soon, today=today)
        try:
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
        except Exception:  # tomorrow's reminder will tell again
            log.exception("reminder to user %s could not be sent", user.pk)
            continue
        sent += 1
    return sent


@task()
def daily_sweep() -> dict:
    """Housekeeping: attachment files (of applications and of catalog items) without a row (older than an
    hour) and finished task records older
    than FINISHED_TASKS_KEPT_DAYS are removed; estimated
    deadlines are computed again (normally done when a schedule is saved: this catches a step that computed
    an estimate while the schedule was being saved, and years confirmed by other means)."""
    from django_tasks_db.models import DBTaskResult

    from gongkai.cases.attachments import attachments_sweep
    from gongkai.cases.services.estimates import estimated_deadlines_recompute
    from gongkai.catalog.attachments import catalog_files_sweep

    cutoff = timezone.now() - dt.timedelta(days=FINISHED_TASKS_KEPT_DAYS)
    pruned, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    recomputed = estimated_deadlines_recompute()
    return {
        "orphan_files": attachments_sweep(),
        "orphan_catalog_files": catalog_files_sweep(),
        "pruned_tasks": pruned,
        "recomputed_estimates": len(recomputed.changed),
    }


@task()
def recompute_estimated_deadlines(year: int) -> dict:
    """Compute again the deadlines stored as estimates, now that `year`'s holiday schedule is saved. Safe to
    run twice (the second run finds nothing to change). Returns how many applications changed."""
    from gongkai.cases.services.estimates import estimated_deadlines_recompute

    result = estimated_deadlines_recompute(year=year)
    return {"year": year, "checked": result.checked, "changed": len(result.changed)}
