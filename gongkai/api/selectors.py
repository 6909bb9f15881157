"""Reads of staff API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.api.models import ApiToken
from gongkai.api.services import TOKEN_PREFIX, token_hash

TOKEN_MAX = 100  # longer is no token of ours: not hashed, not looked up


def token_lookup(token: str) -> ApiToken | None:
    """The token row a presented token is (revoked or not), or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_MAX:
        return None
    return ApiToken.objects.select_related("user").filter(token_hash=token_hash(token)).first()


def tokens_list(*, user=None) -> QuerySet[ApiToken]:
    """Tokens for the operator's list (`gongkai token list`), newest first."""
    tokens = ApiToken.objects.select_related("user")
    return tokens.filter(user=user) if user is not None else tokens
