"""Model fields that keep personal data encrypted in the database.

- `EncryptedTextField`: text encrypted on the way in and decrypted on the way out; the model attribute holds
  the plain value. It cannot be compared in SQL (each write uses a fresh nonce): look values up through a
  `LookupHashField` instead. Only `isnull` lookups are allowed, so a filter that could never match fails
  loudly instead of finding nothing.
- `EncryptedBinaryField`: the same for bytes (stored letters).
- `LookupHashField`: a keyed hash (HMAC) of another field's normalised value, computed whenever the row is
  saved (also by bulk_create); QuerySet.update() of the source field does not refresh it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import FieldError
from django.db import models

from gongkai.crypto import MAGIC
from gongkai.privacy.keys import keyring


class _NoComparison:
    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} 为加密字段，不能按 {lookup_name} 查询；精确查找请使用对应的查找哈希字段"
            )
        return super().get_lookup(lookup_name)


class EncryptedTextField(_NoComparison, models.TextField):
    def from_db_value(self, value, expression, connection):
        return value if value is None else keyring().decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else keyring().encrypt_text(str(value))


class EncryptedBinaryField(_NoComparison, models.BinaryField):
    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        value = bytes(value)
        return (
            keyring().decrypt(value) if value.startswith(MAGIC) else value
        )  # else: legacy, not yet encrypted

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is not None:
            value = keyring().encrypt(bytes(value))
        return super().get_db_prep_value(value, connection, prepared)


class LookupHashField(models.CharField):
    """HMAC of `source`'s value after `normalise`, under the keyring's lookup key ("" when empty)."""

    def __init__(self, *args, source: str = "", kind: str = "", normalise: Callable[[str], str] | None = None,
                 **kwargs):  # fmt: skip
        self.source, self.kind, self.normalise = source, kind, normalise
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind)
        for key, default in (("max_length", 64), ("editable", False), ("blank", True), ("db_index", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def hash_of(self, value: str | None) -> str:
        normalised = self.normalise(value or "") if self.normalise else (value or "")
        return keyring().lookup_hash(self.kind, normalised)

    def pre_save(self, model_instance, add):
        value = self.hash_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
