"""`gongkai token new | revoke | list`: staff API tokens from the command line (an operator's tool: the
audit records say they came from it)."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.api.models import ApiToken
from gongkai.api.selectors import tokens_list
from gongkai.api.services import token_create, token_revoke

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
VIA = "命令行 gongkai token"


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        print(f"gongkai token：没有用户“{username}”", file=sys.stderr)
    return user


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def token_command(args) -> int:
    if args.action == "new":
        user = _user(args.user)
        if user is None:
            return EXIT_USAGE
        try:
            row, token = token_create(user=user, name=args.name, via=VIA)
        except ValidationError as error:
            print(f"gongkai token：{'；'.join(error.messages)}", file=sys.stderr)
            return EXIT_REFUSED
        print(token)
        print(
            f"以上为令牌 {row.pk}（{row.name}，代表用户 {user.get_username()}），只显示这一次，请妥善保存。"
            "调用接口时放在请求头中：Authorization: Bearer <令牌>。不再使用时请吊销：gongkai token revoke "
            f"{row.pk}",
            file=sys.stderr,
        )
        return EXIT_OK
    if args.action == "revoke":
        row = ApiToken.objects.filter(pk=args.id).first()
        if row is None:
            print(f"gongkai token：没有编号为 {args.id} 的令牌", file=sys.stderr)
            return EXIT_USAGE
        try:
            row = token_revoke(token=row, via=VIA)
        except ValidationError as error:
            print(f"gongkai token：{'；'.join(error.messages)}", file=sys.stderr)
            return EXIT_REFUSED
        print(f"已吊销令牌 {row.pk}（{row.name}，用户 {row.user.get_username()}）。")
        return EXIT_OK
    user = None
    if args.user:
        user = _user(args.user)
        if user is None:
            return EXIT_USAGE
    rows = list(tokens_list(user=user))
    if not rows:
        print("没有令牌。")
    for row in rows:
        state = f"已吊销 {_when(row.revoked_at)}" if row.revoked_at else "有效"
        print(
            f"{row.pk}\t{row.user.get_username()}\t{row.prefix}…\t{row.name}\t签发 {_when(row.created_at)}"
            f"\t最近使用 {_when(row.last_used_at)}\t{state}"
        )
    return EXIT_OK
