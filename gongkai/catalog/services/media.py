"""New-media accounts (政务微博, 微信公众号, …) and their posts. Posts usually come in bulk from the
platforms' exports (gongkai.catalog.imports): `posts_import` registers them at once, `post_create` one."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gongkai.agencies.models import Agency
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.catalog.enums import Platform
from gongkai.catalog.models import Account, Item, Post
from gongkai.catalog.services.common import require_catalog_write, today
from gongkai.errors import Code, clean_text, first_code, invalid

WRITE_BATCH = 500


def post_fingerprint(*, url: str, posted_on: dt.date, title: str) -> str:
    """One post imported twice is one post: keyed by its link, else by its date and title."""
    key = url.strip() or f"{posted_on.isoformat()}\n{' '.join(title.split())}"
    return hashlib.sha256(key.encode()).hexdigest()


def account_save(
    *,
    agency: Agency,
    by,
    platform: str,
    name: str,
    url: str = "",
    active: bool = True,
    account: Account | None = None,
) -> Account:
    require_catalog_write(by, agency)
    if platform not in Platform.values:
        raise invalid("platform", Code.INVALID_CHOICE, "请选择平台")
    name = clean_text("name", name, max_length=100)
    if not name:
        raise invalid("name", Code.REQUIRED, "请填写账号名称")
    url = clean_text("url", url, max_length=200)
    if url and not url.startswith(("http://", "https://")):
        raise invalid("url", Code.INVALID, "主页地址应以 http:// 或 https:// 开头")
    try:
        with transaction.atomic():
            before = None
            if account is None:
                account = Account(agency=agency)
            else:
                if account.agency_id != agency.pk:
                    raise invalid(None, Code.NOT_FOUND, "账号不属于本机关")
                before = {"platform": account.platform, "name": account.name, "active": account.active}
            account.platform, account.name, account.url, account.active = platform, name, url, active
            account.save()
            audit_record(
                actor=by, action=AuditAction.MEDIA_ACCOUNT_SAVE, obj=account, agency=agency, before=before,
                after={"platform": platform, "name": name, "url": url, "active": active},
            )  # fmt: skip
    except IntegrityError:
        raise invalid("name", Code.DUPLICATE, f"本机关已有{Platform(platform).label}账号“{name}”") from None
    return account


def clean_post(*, posted_on, title: str, url: str, original) -> dict:
    """A post's fields (ValidationError per field)."""
    if isinstance(posted_on, dt.datetime):
        posted_on = posted_on.date()
    if not isinstance(posted_on, dt.date):
        try:
            posted_on = dt.date.fromisoformat(str(posted_on or "").strip()[:10])
        except ValueError:
            raise invalid("posted_on", Code.INVALID, "发布日期应为日期，格式如 2020-09-28") from None
    if posted_on > today():
        raise invalid("posted_on", Code.DATE_IN_FUTURE, "发布日期不能晚于今天")
    title = clean_text("title", " ".join(str(title or "").split()), max_length=300)
    if not title:
        raise invalid("title", Code.REQUIRED, "请填写标题")
    url = clean_text("url", url, max_length=500)
    if url and not url.startswith(("http://", "https://")):
        raise invalid("url", Code.INVALID, "链接应以 http:// 或 https:// 开头")
    if not isinstance(original, bool):
        raise invalid("original", Code.INVALID_CHOICE, "请注明原创或转载")
    return {"posted_on": posted_on, "title": title, "url": url, "original": original}


def post_create(
    *, account: Account, by, posted_on, title: str, url: str = "", original: bool, item: Item | None = None
) -> Post:
    require_catalog_write(by, account.agency)
    fields = clean_post(posted_on=posted_on, title=title, url=url, original=original)
    if item is not None and item.agency_id != account.agency_id:
        raise invalid("item", Code.INVALID_CHOICE, "对应的目录信息不属于本机关")
    fingerprint = post_fingerprint(url=fields["url"], posted_on=fields["posted_on"], title=fields["title"])
    try:
        with transaction.atomic():
            post = Post.objects.create(account=account, item=item, fingerprint=fingerprint, **fields)
            audit_record(
                actor=by, action=AuditAction.MEDIA_POST_SAVE, obj=post, agency=account.agency,
                after={"account": account.pk, **{k: str(v) for k, v in fields.items()}},
            )  # fmt: skip
    except IntegrityError:
        raise invalid("url", Code.DUPLICATE, "该发布已登记过") from None
    return post


POSTS_IMPORT_MAX = 20_000


def posts_import(*, account: Account, by, posts: Iterable[Mapping]) -> tuple[int, int]:
    """Register many posts of one account at once (a platform's export, a year's records): each is checked
    like `post_create` (a ValidationError names the row, "第N条"), then all are written in one transaction
    with one audit event. A post registered already, or twice in `posts`, is one post: it is skipped.
    Returns (registered, skipped)."""
    require_catalog_write(by, account.agency)
    rows = []
    for n, post in enumerate(posts, start=1):
        if n > POSTS_IMPORT_MAX:
            raise invalid(None, Code.TOO_LONG, f"一次最多导入{POSTS_IMPORT_MAX}条，请分批导入")
        try:
            fields = clean_post(
                posted_on=post.get("posted_on"),
                title=post.get("title", ""),
                url=post.get("url", ""),
                original=post.get("original"),
            )
        except ValidationError as error:
            raise invalid(None, Code(first_code(error)), f"第{n}条：{'；'.join(error.messages)}") from None
        item = post.get("item")
        if item is not None and item.agency_id != account.agency_id:
            raise invalid(None, Code.INVALID_CHOICE, f"第{n}条：对应的目录信息不属于本机关")
        fingerprint = post_fingerprint(
            url=fields["url"], posted_on=fields["posted_on"], title=fields["title"]
        )
        rows.append(Post(account=account, item=item, fingerprint=fingerprint, **fields))
    new = posts_write(posts=rows, agency=account.agency, by=by, obj=account, audit=lambda new: {
        "account": account.pk, "registered": len(new), "skipped": len(rows) - len(new),
        "original": sum(r.original for r in new),
        "from": min((r.posted_on for r in new), default=None), "to": max((r.posted_on for r in new), default=None),
    })  # fmt: skip
    return len(new), len(rows) - len(new)


def posts_registered(posts: list[Post]) -> set[tuple[int, str]]:
    by_account: dict[int, list[str]] = defaultdict(list)
    for post in posts:
        by_account[post.account_id].append(post.fingerprint)
    found: set[tuple[int, str]] = set()
    for account_id, prints in by_account.items():
        for start in range(0, len(prints), WRITE_BATCH):
            found |= {
                (account_id, f)
                for f in Post.objects.filter(
                    account_id=account_id, fingerprint__in=prints[start : start + WRITE_BATCH]
                ).values_list("fingerprint", flat=True)
            }
    return found


def posts_write(*, posts: list[Post], agency: Agency, by, obj, audit) -> list[Post]:
    """The one writer of new posts (checked rows of one agency's accounts): under a lock of their accounts
    (one import per account at a time), posts registered already or twice in `posts` are skipped, the rest
    written in batches, with one audit event whose `after` is `audit(new posts)`. Returns the new posts."""
    with transaction.atomic():
        accounts = sorted({p.account_id for p in posts})
        list(Account.objects.select_for_update().filter(pk__in=accounts))
        known = posts_registered(posts)
        new = []
        for post in posts:
            key = (post.account_id, post.fingerprint)
            if key not in known:
                known.add(key)
                new.append(post)
        Post.objects.bulk_create(new, batch_size=WRITE_BATCH)
        after = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in audit(new).items()}
        audit_record(actor=by, action=AuditAction.MEDIA_POSTS_IMPORT, obj=obj, agency=agency, after=after)
    return new
