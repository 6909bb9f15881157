"""Staff login, guarded by gongkai.agencies.login_guard (a lock per user name and client address, a throttle
per address, a growing delay per user name; every attempt counted before its password is checked). The same
form guards the workbench login and the Django admin login (superusers only). Logins, failures, locks,
refusals and logouts are audit events with the client address (gongkai.web.client.client_ip).
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from gongkai.agencies.login_guard import (
    LoginRefused,
    login_attempt_begin,
    login_attempt_failed,
    login_attempt_succeeded,
)
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.web.client import client_ip


def logged_out(*, request, user) -> None:
    if getattr(user, "is_authenticated", False):
        audit_record(actor=user, action=AuditAction.AUTH_LOGOUT, obj=user, ip=client_ip(request))


class LockoutMixin:
    """clean() for an AuthenticationForm: count the attempt first (or refuse it), then check the password;
    a failure stays counted, a success clears the count of that user name and address."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        try:
            attempt = login_attempt_begin(username=username, ip=client_ip(self.request))
        except LoginRefused as refused:
            raise ValidationError(refused.message, code=refused.code) from None
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            locked = login_attempt_failed(attempt=attempt)
            if locked is not None:
                raise ValidationError(locked, code="locked")
            raise self.get_invalid_login_error()
        try:
            self.confirm_login_allowed(self.user_cache)
        except ValidationError:
            # the right password of an account that may not log in here counts as a failure: otherwise
            # guesses against it would be told apart from wrong passwords without limit
            locked = login_attempt_failed(attempt=attempt, reason="not_allowed")
            if locked is not None:
                raise ValidationError(locked, code="locked") from None
            raise
        login_attempt_succeeded(attempt=attempt, user=self.user_cache)
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
