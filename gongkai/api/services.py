"""Issuing and revoking staff API tokens (each one transaction with its audit event)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from gongkai.api.models import ApiToken
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.errors import Code, clean_text, invalid

TOKEN_PREFIX = "gk_"
NAME_MAX = 100
# last_used_at is written at most this often: not a write on every request
TOUCH_EVERY = dt.timedelta(minutes=1)


def token_hash(token: str) -> str:
    """The stored form of a token. Tokens are 256 random bits: a plain SHA-256 cannot be reversed, and
    looking one up stays a single indexed query."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user, name: str, by=None, via: str = "") -> tuple[ApiToken, str]:
    """A new token for `user` (it acts with the user's roles, in the user's agencies). Returns the token
    row and the token itself, which is shown this once and never stored."""
    name = clean_text("name", name, max_length=NAME_MAX)
    if not name:
        raise invalid("name", Code.REQUIRED, "请写明令牌的用途（如“政务网站发布系统对接”）")
    if not user.is_active:
        raise invalid("user", Code.INVALID_CHOICE, f"用户“{user.get_username()}”已停用，不能签发令牌")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user, name=name, prefix=token[: len(TOKEN_PREFIX) + 6], token_hash=token_hash(token)
        )
        audit_record(
            actor=by, action=AuditAction.API_TOKEN_CREATE, obj=row,
            after={"user": user.get_username(), "name": name, "prefix": row.prefix, **({"via": via} if via else {})},
        )  # fmt: skip
    return row, token


def token_revoke(*, token: ApiToken, by=None, via: str = "") -> ApiToken:
    """Revoke a token: every later request with it is refused (401). Revoking twice changes nothing."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if locked.revoked_at is not None:
            raise invalid(
                None,
                Code.ALREADY_DONE,
                f"令牌“{locked}”已于{timezone.localtime(locked.revoked_at):%Y-%m-%d %H:%M}吊销",
            )
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=by, action=AuditAction.API_TOKEN_REVOKE, obj=locked,
            before={"revoked_at": None},
            after={"user": locked.user.get_username(), "name": locked.name, "prefix": locked.prefix,
                   "revoked_at": locked.revoked_at.isoformat(), **({"via": via} if via else {})},
        )  # fmt: skip
    return locked


def token_touch(*, token: ApiToken) -> None:
    """Note that the token was used now (at most once a minute; not audited: it changes nothing)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
