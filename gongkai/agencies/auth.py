"""Staff login with a lockout: after settings.LOGIN_MAX_FAILURES failed logins for one user name within
settings.LOGIN_LOCK_MINUTES, further logins are refused until that much time has passed since the last failure.

Failures are rows of LoginFailure (in the database, so that every worker on every host sees them); a
successful login clears them. Logins, failures, lockouts and logouts are audit events.
The same form guards the workbench login and the Django admin login (superusers only).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.agencies.models import LoginFailure
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record


def client_ip(request) -> str | None:
    """The address the request came from. X-Forwarded-For is not trusted: a client can set it."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def locked_until(username: str, *, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When a locked user name may try again, or None if it is not locked."""
    now = now or timezone.now()
    window = datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    recent = list(
        LoginFailure.objects.filter(username=_key(username), at__gt=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.LOGIN_MAX_FAILURES]
    )
    if len(recent) < settings.LOGIN_MAX_FAILURES:
        return None
    return recent[0] + window


def lockout_message(until: datetime.datetime) -> str:
    local = timezone.localtime(until)
    minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    return (
        f"登录失败次数过多（{settings.LOGIN_LOCK_MINUTES} 分钟内 {settings.LOGIN_MAX_FAILURES} 次），该账号已暂时锁定。"
        f"请于 {local:%H:%M} 后（约 {minutes} 分钟后）再试，或联系系统管理员。"
    )


def login_failed(*, request, username: str) -> datetime.datetime | None:
    """Record a failed login; returns the lockout end if this failure locks the user name."""
    with transaction.atomic():
        failure = LoginFailure.objects.create(username=_key(username), ip=client_ip(request))
        audit_record(
            actor=None,
            action=AuditAction.AUTH_LOGIN_FAILED,
            obj=failure,
            after={"username": failure.username},
            ip=failure.ip,
        )
        until = locked_until(username)
        if until is not None:
            audit_record(
                actor=None,
                action=AuditAction.AUTH_LOCKED,
                obj=failure,
                after={"username": failure.username, "until": until.isoformat()},
                ip=failure.ip,
            )
    return until


def login_succeeded(*, request, user) -> None:
    with transaction.atomic():
        LoginFailure.objects.filter(username=_key(user.get_username())).delete()
        audit_record(actor=user, action=AuditAction.AUTH_LOGIN, obj=user, ip=client_ip(request))


def logged_out(*, request, user) -> None:
    if getattr(user, "is_authenticated", False):
        audit_record(actor=user, action=AuditAction.AUTH_LOGOUT, obj=user, ip=client_ip(request))


class LockoutMixin:
    """clean() for an AuthenticationForm: refuse locked user names, count failures, clear them on success."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        until = locked_until(username)
        if until is not None:
            raise ValidationError(lockout_message(until), code="locked")
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            until = login_failed(request=self.request, username=username)
            if until is not None:
                raise ValidationError(lockout_message(until), code="locked")
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        login_succeeded(request=self.request, user=self.user_cache)
        return self.cleaned_data


_MESSAGES = {
    "invalid_login": "用户名或密码不正确。请注意区分大小写。",
    "inactive": "该账号已停用，请联系系统管理员。",
}


class LoginForm(LockoutMixin, AuthenticationForm):
    error_messages = _MESSAGES

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class SuperuserLoginForm(LockoutMixin, AdminAuthenticationForm):
    """The admin login: the same lockout, and only superusers may enter (staff accounts may not)."""

    error_messages = {**_MESSAGES, "invalid_login": "用户名或密码不正确，或该账号不是系统管理员。"}

    def confirm_login_allowed(self, user):
        if not user.is_active or not user.is_superuser:
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


def superuser_only(request) -> bool:
    """AdminSite.has_permission: the admin is for superusers; staff who are not superusers stay out."""
    return request.user.is_active and request.user.is_superuser
