"""Template tags shared by the portal and the workbench: legal citations, the clock's periods and deadlines,
from their one definition (gongkai.law, gongkai.cases.clock, gongkai.cases.procedure), never typed into a
template."""

from django import template
from django.utils.html import format_html

from gongkai.cases import clock, procedure
from gongkai.law import REGULATIONS, Ground, cite

register = template.Library()

_PERIODS = {
    "reply": clock.REPLY_WORKDAYS,
    "extension": clock.MAX_EXTENSION_WORKDAYS,
    "correction_notice": clock.CORRECTION_NOTICE_WORKDAYS,
    "consultation": clock.CONSULTATION_WORKDAYS,
    "fee_payment": clock.FEE_PAYMENT_WORKDAYS,
}


@register.simple_tag
def citation(*grounds: str, full: bool = False) -> str:
    """{% citation "reply_period" %} → 《条例》第三十三条第二款; full=True names the Regulations in full."""
    text = cite(*(Ground(g) for g in grounds))
    return text.replace("《条例》", REGULATIONS, 1) if full else text


@register.simple_tag
def workdays(period: str) -> int:
    """{% workdays "reply" %} → 20: a statutory period in working days."""
    return _PERIODS[period]


@register.simple_tag
def deadline(day, estimated=False, numeric: bool = False) -> str:
    """{% deadline a.due_on a.due_on_estimated %} → 2027年1月8日, or for an estimate
    预计 2027年1月8日（待节假日安排确认）; numeric=True writes 2027-01-08 (tables), an estimate's note in a
    span of its own that a table cell puts on a second line. Every page shows a deadline through this tag
    (procedure.deadline_text), so an estimate is never shown as the deadline."""
    text = procedure.deadline_text(day, bool(estimated), numeric=numeric)
    note = f"（{procedure.ESTIMATE_NOTE}）"
    if numeric and estimated and text.endswith(note):
        return format_html('{}<span class="estimate-note">{}</span>', text.removesuffix(note), note)
    return text
