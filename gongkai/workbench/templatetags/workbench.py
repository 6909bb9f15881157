"""Template filters of the workbench pages."""

from django import template

from gongkai.agencies.permissions import WRITING_ROLES
from gongkai.cases.applicant import Surface, shown_identity
from gongkai.report.formats import OUTCOMES_BY_CODE

register = template.Library()


def _listed(application):
    return shown_identity(
        id_type=application.id_type, id_number=application.id_number, phone=application.phone,
        surface=Surface.LIST, staff=False,
    )  # fmt: skip


@register.filter
def masked_id(application) -> str:
    """An applicant's identity number as a list shows it (gongkai.cases.applicant.shown_identity)."""
    return _listed(application).id_number


@register.filter
def masked_phone(application) -> str:
    return _listed(application).phone


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


def _roles_anywhere(context) -> set[str]:
    """The roles the signed-in user holds in any agency: one query per request, for the navigation."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(request, "_gongkai_roles", None)
    if cached is None:
        cached = request._gongkai_roles = set(user.memberships.values_list("role", flat=True))
    return cached


@register.simple_tag(takes_context=True)
def can_register(context) -> bool:
    """Does the signed-in user hold a writing role anywhere (for the 登记申请 link)?"""
    return bool(_roles_anywhere(context) & WRITING_ROLES)


@register.simple_tag(takes_context=True)
def administers(context) -> bool:
    """Is the signed-in user the 管理员 of an agency (for the 本机关设置 link)?"""
    from gongkai.agencies.models import Role

    return Role.ADMIN in _roles_anywhere(context)


@register.filter
def step_label(name: str) -> str:
    """审核 / 签发 / 审批 for an approval step name."""
    from gongkai.approvals.models import StepName

    return StepName(name).label if name in StepName.values else name
