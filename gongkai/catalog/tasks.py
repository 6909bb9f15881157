"""Background work of the catalog (django-tasks, run by `gongkai worker`):

- `publish_due` / `withdraw_due`: enqueued with `run_after` at the time a reviewed item is to be published
  or withdrawn; each publishes (withdraws) everything that is due, so a task that runs late or twice does
  no harm and one task catches up on any other that was lost.
- `daily_check` (daily, gongkai.tasks.schedule): the same catch-up, then the freshness guard's findings
  e-mailed to each agency's clerks when there are any.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)


@task()
def publish_due() -> int:
    from gongkai.catalog.services import item_publish_due

    return len(item_publish_due())


@task()
def withdraw_due() -> int:
    from gongkai.catalog.services import item_withdraw_due

    return len(item_withdraw_due())


def freshness_text(*, agency, findings: list, today: dt.date) -> tuple[str, str]:
    """(subject, body) of the freshness guard's mail to an agency's clerks."""
    from gongkai.catalog.freshness import KIND_LABELS, counts

    total = counts(findings)
    summary = "，".join(f"{KIND_LABELS[kind]} {n} 项" for kind, n in total.items() if n)
    body = [
        f"{agency.name}：",
        "",
        f"截至{today.year}年{today.month}月{today.day}日，按国办秘函〔2019〕19号的检查指标，"
        f"本机关政府信息公开专栏和政务新媒体有 {len(findings)} 项需要处理（{summary}）：",
        "",
        *(f"  {n}. {finding.message}" for n, finding in enumerate(findings, start=1)),
        "",
        "长期未更新的栏目请及时发布信息；确无信息的栏目，请在“主动公开 › 栏目管理”中填写备注说明原因。",
        f"请登录工作平台处理：{settings.SITE_URL.rstrip('/')}/workbench/catalog/columns/?agency={agency.pk}",
        "",
        "（本邮件由系统自动发送）",
    ]
    subject = f"【政府信息公开】栏目更新检查：{len(findings)} 项需要处理（{agency.name}）"
    return subject, "\n".join(body)


def freshness_mail(*, today: dt.date | None = None) -> int:
    """E-mail the freshness guard's findings of each agency to its clerks (经办人 with an address);
    returns the number of mails sent. Agencies without findings get nothing."""
    from gongkai.agencies.models import Agency, Membership, Role
    from gongkai.cases.notify import mail_enabled
    from gongkai.catalog.freshness import freshness_check

    if not mail_enabled():
        return 0
    today = today or timezone.localdate()
    findings = freshness_check(agency_ids=Agency.objects.values_list("pk", flat=True), today=today)
    if not findings:
        return 0
    clerks = (
        Membership.objects.filter(role=Role.CLERK, agency_id__in=list(findings), user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "agency")
        .order_by("agency_id", "user_id")
    )
    sent = 0
    for membership in clerks:
        subject, body = freshness_text(
            agency=membership.agency, findings=findings[membership.agency_id], today=today
        )
        try:
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [membership.user.email]).send()
        except Exception:  # tomorrow's check tells again
            log.exception("freshness mail to user %s could not be sent", membership.user_id)
            continue
        sent += 1
    return sent


@task()
def daily_check() -> dict:
    from gongkai.catalog.services import item_publish_due, item_withdraw_due

    published, withdrawn = item_publish_due(), item_withdraw_due()
    return {"published": len(published), "withdrawn": len(withdrawn), "freshness_mails": freshness_mail()}
