"""Template tags shared by the portal and the workbench: legal citations and the clock's periods, from their
one definition (gongkai.law, gongkai.cases.clock), never typed into a template."""

from django import template

from gongkai.cases import clock
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
