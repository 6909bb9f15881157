"""Template filters of the workbench pages."""

from django import template

from gongkai.agencies.permissions import WRITING_ROLES
from gongkai.agencies.validators import mask_id_number, mask_phone
from gongkai.report.formats import OUTCOMES_BY_CODE

register = template.Library()


@register.filter
def masked_id(value: str) -> str:
    return mask_id_number(value or "")


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value or "")


@register.filter
def outcome_label(code: str) -> str:
    outcome = OUTCOMES_BY_CODE.get(code or "")
    return outcome.label if outcome else ""


@register.filter
def absolute(value):
    return abs(value) if value is not None else value


@register.filter
def person(user) -> str:
    """A staff member's name in Chinese order (姓 then 名, no space); the user name when none is set."""
    if user is None:
        return ""
    last, first = (user.last_name or "").strip(), (user.first_name or "").strip()
    if not (last or first):
        return user.get_username()
    if any("\u4e00" <= ch <= "\u9fff" for ch in last + first):
        return f"{last}{first}"
    return f"{first} {last}".strip()


@register.simple_tag(takes_context=True)
def can_register(context) -> bool:
    """Does the signed-in user hold a writing role anywhere (for the 登记申请 link)? Once per request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(request, "_gongkai_can_register", None)
    if cached is None:
        cached = user.memberships.filter(role__in=WRITING_ROLES).exists()
        request._gongkai_can_register = cached
    return cached
