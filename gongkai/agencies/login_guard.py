"""Login protection, the same for the workbench and the admin login (gongkai.agencies.auth.LockoutMixin).

Three limits, all counted on the rows of LoginFailure (in the database, so that every worker on every host
sees them), each in a sliding window:

- one user name from one client address: LOGIN_MAX_FAILURES failures within LOGIN_LOCK_MINUTES lock that
  pair until the window has passed — even the right password is refused;
- one client address, whatever the user name: LOGIN_ADDRESS_MAX_FAILURES failures within
  LOGIN_ADDRESS_LOCK_MINUTES refuse the address the same way (guessing across many names);
- one user name from anywhere: never a lock (anyone could lock anyone out), only a growing delay. After
  LOGIN_DELAY_AFTER failures within LOGIN_LOCK_MINUTES, an attempt must come LOGIN_DELAY_SECONDS after the
  last failure, twice that after one more failure, and so on up to LOGIN_DELAY_MAX_SECONDS: the owner at
  their own address is slowed by a stranger's guesses, never locked out.

The client address is gongkai.web.client.client_ip (the real client behind trusted proxies).

Atomicity: an attempt is counted *before* its password is checked. `login_attempt_begin` decides and, when
the attempt may go on, writes its LoginFailure row in the same short transaction, which the database
serialises (SQLite: every transaction begins IMMEDIATE, see settings; PostgreSQL: the table is locked in a
mode that conflicts with itself), so N parallel attempts see each other's rows and no more than the limit
get their password checked. The password is checked outside that transaction (hashing takes a while). A
success deletes the rows of that user name and address (its own among them); a failure leaves its row.
Refused attempts write no row: they are not failures and do not prolong the delay of a user name. Every
failure, every lock and throttle as it starts, every refusal and every login is an audit event.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from gongkai.agencies.models import LoginFailure
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record


class LoginRefused(Exception):
    """The attempt was refused before its password was checked; the message says why and until when."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Attempt:
    """An attempt let through and counted: its LoginFailure row, and its place in the pair's and the
    address's counts (the attempt that reaches a limit reports the lock it starts)."""

    username: str
    ip: str | None
    failure_id: int
    pair_count: int
    address_count: int


def username_key(username: str) -> str:
    """One key per user name however it is typed (case, surrounding spaces)."""
    return username.strip().lower()[:150]


def login_attempt_begin(*, username: str, ip: str | None) -> Attempt:
    """Count a login attempt before its password is checked, or raise LoginRefused (audited)."""
    key = username_key(username)
    with transaction.atomic(durable=True):
        _serialise()
        now = timezone.now()  # after waiting for the attempts before this one: their rows are older
        counts = _counts(key=key, ip=ip, now=now)
        refusal = _refusal(key=key, ip=ip, now=now, counts=counts)
        if refusal is None:
            failure = LoginFailure.objects.create(username=key, ip=ip)
            return Attempt(
                username=key,
                ip=ip,
                failure_id=failure.pk,
                pair_count=counts["pair"] + 1,
                address_count=counts["address"] + 1,
            )
        message, code, cause, details = refusal
        audit_record(
            actor=None,
            action=AuditAction.AUTH_REFUSED,
            obj=cause,
            after={"username": key, "reason": code, **details},
            ip=ip,
        )
    raise LoginRefused(message, code)


def login_attempt_failed(*, attempt: Attempt, reason: str = "password") -> str | None:
    """The password was wrong (or the account may not log in here): the attempt stays counted and is
    audited. Returns the message of a lock this failure starts, or None."""
    message = None
    with transaction.atomic(durable=True):
        now = timezone.now()
        # the failure counts from now, when it is known (its row was written before the password check)
        if LoginFailure.objects.filter(pk=attempt.failure_id).update(at=now):
            failure = LoginFailure.objects.get(pk=attempt.failure_id)
        else:  # a parallel success of the same name and address cleared it: count it again
            failure = LoginFailure.objects.create(username=attempt.username, ip=attempt.ip)
        # rows older than every window count for nothing any more (the audit log keeps the history)
        longest = max(settings.LOGIN_LOCK_MINUTES, settings.LOGIN_ADDRESS_LOCK_MINUTES, 24 * 60)
        LoginFailure.objects.filter(at__lt=now - datetime.timedelta(minutes=longest)).delete()
        audit_record(
            actor=None,
            action=AuditAction.AUTH_LOGIN_FAILED,
            obj=failure,
            after={"username": attempt.username, "reason": reason},
            ip=attempt.ip,
        )
        if attempt.pair_count == settings.LOGIN_MAX_FAILURES:
            locked = _pair_lock(key=attempt.username, ip=attempt.ip, now=now)
            if locked is not None:
                until, _ = locked
                message = pair_lock_message(until)
                after = {"username": attempt.username, "until": until.isoformat()}
                audit_record(
                    actor=None, action=AuditAction.AUTH_LOCKED, obj=failure, after=after, ip=attempt.ip
                )
        if attempt.address_count == settings.LOGIN_ADDRESS_MAX_FAILURES:
            locked = _address_lock(ip=attempt.ip, now=now)
            if locked is not None:
                until, _ = locked
                message = address_lock_message(until)
                after = {"username": attempt.username, "until": until.isoformat()}
                audit_record(
                    actor=None,
                    action=AuditAction.AUTH_ADDRESS_LOCKED,
                    obj=failure,
                    after=after,
                    ip=attempt.ip,
                )
    return message


def login_attempt_succeeded(*, attempt: Attempt, user) -> None:
    """The right password of an account that may log in: clear the count of this user name and address."""
    with transaction.atomic(durable=True):
        _pair(attempt.username, attempt.ip).delete()
        LoginFailure.objects.filter(pk=attempt.failure_id).delete()
        audit_record(actor=user, action=AuditAction.AUTH_LOGIN, obj=user, ip=attempt.ip)


# --- messages ------------------------------------------------------------------------------------------------


def _until_text(until: datetime.datetime) -> str:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return f"请于 {timezone.localtime(until):%H:%M} 后（约 {minutes} 分钟后）再试"


def pair_lock_message(until: datetime.datetime) -> str:
    return (
        f"登录失败次数过多（{settings.LOGIN_LOCK_MINUTES} 分钟内 {settings.LOGIN_MAX_FAILURES} 次），"
        f"该账号在此网络地址已暂时锁定。{_until_text(until)}，或联系系统管理员。"
    )


def address_lock_message(until: datetime.datetime) -> str:
    return (
        f"此网络地址登录失败次数过多（{settings.LOGIN_ADDRESS_LOCK_MINUTES} 分钟内 "
        f"{settings.LOGIN_ADDRESS_MAX_FAILURES} 次），已暂停从此地址登录。{_until_text(until)}，或联系系统管理员。"
    )


def delay_message(seconds: int) -> str:
    return f"该账号近期登录失败次数较多，为保护账号安全，请 {seconds} 秒后再试。"


# --- counting --------------------------------------------------------------------------------------------------


def _serialise() -> None:
    """Make the deciding transactions of parallel attempts run one after the other."""
    if connection.vendor == "postgresql":  # postgresql-only
        # SHARE ROW EXCLUSIVE conflicts with itself and with row changes: one deciding attempt at a time,
        # and it sees the rows every earlier one committed. (SQLite: BEGIN IMMEDIATE already did this.)
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(LoginFailure._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def _ip_q(ip: str | None) -> Q:
    return Q(ip=ip) if ip is not None else Q(ip__isnull=True)


def _pair(key: str, ip: str | None):
    return LoginFailure.objects.filter(_ip_q(ip), username=key)


def _pair_window(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def _address_window(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(minutes=settings.LOGIN_ADDRESS_LOCK_MINUTES)


def _counts(*, key: str, ip: str | None, now: datetime.datetime) -> dict:
    """The failures in their windows of the pair, the address and the user name, in one query."""
    pair_since, address_since = _pair_window(now), _address_window(now)
    in_pair = Q(username=key, at__gt=pair_since) & _ip_q(ip)
    in_name = Q(username=key, at__gt=pair_since)
    return LoginFailure.objects.filter(
        Q(username=key) | _ip_q(ip), at__gt=min(pair_since, address_since)
    ).aggregate(
        pair=Count("pk", filter=in_pair),
        address=Count("pk", filter=_ip_q(ip) & Q(at__gt=address_since)),
        name=Count("pk", filter=in_name),
        name_last=Max("at", filter=in_name),
    )


def _lock(failures, *, limit: int, minutes: int) -> tuple[datetime.datetime, LoginFailure] | None:
    """When a limit of `limit` failures in `minutes` ends, and the failure that ends it: the limit holds
    while that many failures are in the window, i.e. until the limit-th newest one leaves it."""
    if limit <= 0:
        return None
    oldest_counted = failures.order_by("-at", "-pk")[limit - 1 : limit].first()
    if oldest_counted is None:
        return None
    return oldest_counted.at + datetime.timedelta(minutes=minutes), oldest_counted


def _pair_lock(*, key: str, ip: str | None, now: datetime.datetime):
    failures = _pair(key, ip).filter(at__gt=_pair_window(now))
    return _lock(failures, limit=settings.LOGIN_MAX_FAILURES, minutes=settings.LOGIN_LOCK_MINUTES)


def _address_lock(*, ip: str | None, now: datetime.datetime):
    failures = LoginFailure.objects.filter(_ip_q(ip), at__gt=_address_window(now))
    return _lock(
        failures, limit=settings.LOGIN_ADDRESS_MAX_FAILURES, minutes=settings.LOGIN_ADDRESS_LOCK_MINUTES
    )


def delay_seconds(failures: int) -> float:
    """How long after the last failure of a user name the next attempt must wait."""
    over = failures - settings.LOGIN_DELAY_AFTER
    if over < 0:
        return 0
    return min(settings.LOGIN_DELAY_MAX_SECONDS, settings.LOGIN_DELAY_SECONDS * 2 ** min(over, 32))


def _refusal(*, key: str, ip: str | None, now: datetime.datetime, counts: dict):
    """(message, code, the failure behind the refusal, details) for an attempt that may not go on, or None."""
    if counts["pair"] >= settings.LOGIN_MAX_FAILURES and (locked := _pair_lock(key=key, ip=ip, now=now)):
        until, cause = locked
        return pair_lock_message(until), "locked", cause, {"until": until.isoformat()}
    if counts["address"] >= settings.LOGIN_ADDRESS_MAX_FAILURES and (locked := _address_lock(ip=ip, now=now)):
        until, cause = locked
        return address_lock_message(until), "address_locked", cause, {"until": until.isoformat()}
    if counts["name"] and (delay := delay_seconds(counts["name"])):
        ready = counts["name_last"] + datetime.timedelta(seconds=delay)
        if ready > now:
            seconds = math.ceil((ready - now).total_seconds())
            cause = LoginFailure.objects.filter(username=key).latest("at", "pk")
            return delay_message(seconds), "delay", cause, {"wait_seconds": seconds}
    return None
