"""Password validators with Chinese messages (settings.AUTH_PASSWORD_VALIDATORS), used wherever a password
is set: the admin's user pages and `createsuperuser`.

Django's zh-hans translations cover most validators, but not the message of MinimumLengthValidator since
Django 5.2 changed its text (it comes out in English), and the similarity message reads awkwardly; both are
wrapped here. A password equal to the user name, or containing it, gets a message of its own instead of the
similarity one.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

USERNAME_IN_PASSWORD = "密码不能与用户名相同，也不能包含用户名。"
# a user name this short inside a longer password is a coincidence rather than a weakness
CONTAINED_NAME_MIN_LENGTH = 4


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's similarity check against the user name, names and e-mail, after a plain rule: the password is
    not the user name, nor contains it (whatever the case)."""

    def validate(self, password, user=None):
        username = (user.get_username() or "").strip().lower() if user is not None else ""
        lowered = password.strip().lower()
        if username and (
            lowered == username or (len(username) >= CONTAINED_NAME_MIN_LENGTH and username in lowered)
        ):
            raise ValidationError(USERNAME_IN_PASSWORD, code="password_contains_username")
        super().validate(password, user)

    def get_error_message(self) -> str:
        return "密码与%(verbose_name)s太相似。"

    def get_help_text(self) -> str:
        return f"{USERNAME_IN_PASSWORD[:-1]}，也不能与姓名、电子邮件地址等个人信息太相似。"
