"""Password rules with Chinese messages (settings.AUTH_PASSWORD_VALIDATORS). Django's own catalogue lacks
the Chinese of the minimum length's error message since Django 5.0 reworded it."""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"你的密码必须包含至少 {self.min_length} 个字符。"
