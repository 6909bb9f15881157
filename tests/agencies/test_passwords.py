"""Passwords are checked wherever one is set (the admin's user pages, `createsuperuser`): long enough, not
common, not only digits, not the user name or like it, and every refusal in Chinese."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sys
import time
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.db import connection

from tests import factories

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def problems(password: str, username: str = "zhangsan_kj") -> list[str]:
    try:
        validate_password(password, get_user_model()(username=username))
    except ValidationError as error:
        return error.messages
    return []


def test_a_password_equal_to_the_user_name_is_refused_in_chinese():
    messages = problems("zhangsan_kj2026")
    assert messages == [] or all(CHINESE.search(m) for m in messages)
    for password in ("zhangsan_kj2026", "ZhangSan_KJ2026"):
        messages = problems(password, username="zhangsan_kj2026")
        assert "密码不能与用户名相同，也不能包含用户名。" in messages, messages
    assert "密码不能与用户名相同，也不能包含用户名。" in problems("Abc-zhangsan_kj-9")


def test_a_password_like_the_user_name_is_refused():
    assert problems("zhangsan_k", username="zhangsan_kx") == ["密码与用户名太相似。"]


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("Ab-1", "密码太短，至少需要 10 个字符"),
        ("password123", "这个密码太常见了"),
        ("8392017465", "密码只包含数字"),
    ],
)
def test_every_refusal_is_in_chinese(password, words):
    messages = problems(password)
    assert any(words in m for m in messages), messages
    assert all(CHINESE.search(m) for m in messages), messages


def test_a_good_password_passes():
    assert problems(factories.PASSWORD) == []


def test_the_help_texts_are_chinese():
    texts = password_validators_help_texts()
    assert len(texts) == 4 and all(CHINESE.search(t) for t in texts), texts
    assert "密码不能与用户名相同" in " ".join(texts)


@pytest.mark.django_db
def test_the_admin_refuses_the_user_name_as_password(admin_client):
    response = admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "wangwu_office",
            "usable_password": "true",
            "password1": "wangwu_office",
            "password2": "wangwu_office",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "密码不能与用户名相同，也不能包含用户名。" in page
    assert not get_user_model().objects.filter(username="wangwu_office").exists()


@pytest.mark.django_db
def test_the_admin_password_change_page_checks_too(admin_client, make_user):
    user = make_user("zhaoliu_office")
    response = admin_client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"usable_password": "true", "password1": "Zhaoliu_Office", "password2": "Zhaoliu_Office"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "密码不能与用户名相同，也不能包含用户名。" in page
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)


@pytest.mark.django_db
def test_createsuperuser_prints_the_refusal_in_chinese(tmp_path):
    """`gongkai manage createsuperuser` on a terminal (it reads the password from a tty), on the test
    database: the validator's message is what it prints before asking whether to bypass the check."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "GONGKAI_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
        "DATABASE_URL": _test_database_url(),
    }
    command = ["manage", "createsuperuser", "--username", "lisi_admin", "--email", ""]
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child: the command on the pseudo-terminal
        os.execve(sys.executable, [sys.executable, "-m", "gongkai.cli", *command], env)
    output = b""
    try:
        for answer in (b"lisi_admin\n", b"lisi_admin\n"):
            output += _read_until(fd, b":")
            os.write(fd, answer)
        output += _read_until(fd, b"[y/N]:")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    text = output.decode("utf-8", "replace")
    assert "密码不能与用户名相同，也不能包含用户名。" in text, text
    assert not get_user_model().objects.filter(username="lisi_admin").exists()


def _test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgresql://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _read_until(fd: int, ending: bytes, timeout: float = 60) -> bytes:
    """What the child writes until it waits at a prompt that ends with `ending`."""
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.3)
        if not ready:
            if data.rstrip().endswith(ending):
                return data
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            return data
        if not chunk:
            return data
        data += chunk
    return data
