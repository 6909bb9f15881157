"""Encryption of personal data at rest, as plain functions on a `Keyring` (no Django here).

PIPL treats identity numbers as sensitive personal information, and 等保 2.0 asks that such data be kept
confidential in storage: applicants' ID numbers and phones in the database, their uploaded attachments and
the stored letters on disk are encrypted with an authenticated cipher.

- Ciphers: AES-256-GCM (default) and SM4-GCM (商用密码, for deployments that need 密评), both from
  `cryptography`. Each token names its cipher and key, so data written under an older key or cipher stays
  readable while a rotation re-encrypts it.
- Keys: a master key of 32 random bytes; the cipher key and the lookup key are derived from it with HKDF,
  so one secret serves both. The key's id is the first 4 bytes of SHA-256 of the master key.
- Token: b"GK" | version 1 | cipher id | key id (4) | nonce (12) | ciphertext with GCM tag (16). An
  optional `context` is bound as associated data (e.g. an attachment's key: a file copied under another
  name does not decrypt).
- Text fields store "gk1:" + base64 of the token; anything else is legacy plain text (before migration).
- `lookup_hash`: HMAC-SHA256 under the derived lookup key, for exact search on a normalised value without
  storing it in the clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"GK\x01"
TEXT_PREFIX = "gk1:"
NONCE_BYTES = 12
TAG_BYTES = 16
MASTER_KEY_BYTES = 32
HEADER_BYTES = len(MAGIC) + 1 + 4 + NONCE_BYTES


class DecryptionError(Exception):
    """A token that is damaged, was made under a key this keyring lacks, or belongs to another context."""


class UnusableKey(ValueError):
    """A key that cannot be used (wrong encoding or length)."""


@dataclass(frozen=True)
class CipherSpec:
    name: str
    ident: int
    key_bytes: int


AES_256_GCM = CipherSpec("aes-256-gcm", 1, 32)
SM4_GCM = CipherSpec("sm4-gcm", 2, 16)
CIPHERS = {c.name: c for c in (AES_256_GCM, SM4_GCM)}
_BY_IDENT = {c.ident: c for c in CIPHERS.values()}


def _derive(master: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)


def _seal(spec: CipherSpec, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    if spec is AES_256_GCM:
        return AESGCM(key).encrypt(nonce, data, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(spec: CipherSpec, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if spec is AES_256_GCM:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    if len(sealed) < TAG_BYTES:
        raise InvalidTag()
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-TAG_BYTES]) + decryptor.finalize()


@dataclass(frozen=True)
class DataKey:
    """A master key and what is derived from it."""

    master: bytes = field(repr=False)

    def __post_init__(self):
        if len(self.master) != MASTER_KEY_BYTES:
            raise UnusableKey(f"数据加密密钥应为 {MASTER_KEY_BYTES} 字节，实为 {len(self.master)} 字节")

    @property
    def ident(self) -> bytes:
        return hashlib.sha256(self.master).digest()[:4]

    @property
    def label(self) -> str:
        return self.ident.hex()

    def cipher_key(self, spec: CipherSpec) -> bytes:
        return _derive(self.master, b"gongkai data " + spec.name.encode(), spec.key_bytes)

    def lookup_key(self) -> bytes:
        return _derive(self.master, b"gongkai lookup", 32)


def new_master_key() -> bytes:
    return os.urandom(MASTER_KEY_BYTES)


def encode_key(master: bytes) -> str:
    return base64.b64encode(master).decode("ascii")


def decode_key(text: str) -> DataKey:
    try:
        master = base64.b64decode(text.strip(), validate=True)
    except (ValueError, TypeError) as exc:
        raise UnusableKey("数据加密密钥不是有效的 Base64 文本") from exc
    return DataKey(master)


class Keyring:
    """The current key (used to encrypt) and older keys (still read while a rotation runs)."""

    def __init__(self, current: DataKey, older: Iterable[DataKey] = (), *, cipher: str = AES_256_GCM.name):
        if cipher not in CIPHERS:
            raise UnusableKey(f"不支持的加密算法“{cipher}”，可选：{'、'.join(CIPHERS)}")
        self.current = current
        self.spec = CIPHERS[cipher]
        self._keys = {k.ident: k for k in (*older, current)}
        self._cipher_keys: dict[tuple[bytes, int], bytes] = {}
        self._lookup_key = current.lookup_key()

    @property
    def keys(self) -> list[DataKey]:
        return list(self._keys.values())

    def _cipher_key(self, key: DataKey, spec: CipherSpec) -> bytes:
        cache_key = (key.ident, spec.ident)
        if cache_key not in self._cipher_keys:
            self._cipher_keys[cache_key] = key.cipher_key(spec)
        return self._cipher_keys[cache_key]

    # --- bytes ---

    def encrypt(self, data: bytes, *, context: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        header = MAGIC + bytes([self.spec.ident]) + self.current.ident + nonce
        sealed = _seal(
            self.spec, self._cipher_key(self.current, self.spec), nonce, data, header[:-NONCE_BYTES] + context
        )
        return header + sealed

    def decrypt(self, token: bytes, *, context: bytes = b"") -> bytes:
        if len(token) < HEADER_BYTES + TAG_BYTES or not token.startswith(MAGIC):
            raise DecryptionError("不是 gongkai 加密数据，或数据已损坏")
        spec = _BY_IDENT.get(token[len(MAGIC)])
        ident = token[len(MAGIC) + 1 : len(MAGIC) + 5]
        key = self._keys.get(ident)
        if spec is None:
            raise DecryptionError("加密数据使用了未知的加密算法")
        if key is None:
            raise DecryptionError(f"加密数据所用的密钥（{ident.hex()}）不在当前密钥中")
        nonce = token[len(MAGIC) + 5 : HEADER_BYTES]
        try:
            return _open(
                spec,
                self._cipher_key(key, spec),
                nonce,
                token[HEADER_BYTES:],
                token[: len(MAGIC) + 5] + context,
            )
        except InvalidTag as exc:
            raise DecryptionError("加密数据已损坏或不属于此记录") from exc

    def is_current(self, token: bytes) -> bool:
        """Made with the current key and cipher (a rotation leaves such tokens alone)."""
        return token[: len(MAGIC) + 5] == MAGIC + bytes([self.spec.ident]) + self.current.ident

    # --- text ---

    def encrypt_text(self, text: str) -> str:
        if text == "":
            return ""
        return TEXT_PREFIX + base64.b64encode(self.encrypt(text.encode("utf-8"))).decode("ascii")

    def decrypt_text(self, stored: str) -> str:
        if not is_encrypted_text(stored):
            return stored  # empty, or legacy plain text written before encryption
        try:
            token = base64.b64decode(stored[len(TEXT_PREFIX) :], validate=True)
        except ValueError as exc:
            raise DecryptionError("加密数据已损坏") from exc
        return self.decrypt(token).decode("utf-8")

    def text_is_current(self, stored: str) -> bool:
        if not is_encrypted_text(stored):
            return stored == ""
        return self.is_current(base64.b64decode(stored[len(TEXT_PREFIX) :]))

    # --- exact lookup ---

    def lookup_hash(self, kind: str, normalised: str) -> str:
        """A keyed hash of a normalised value ("" for an empty value), 64 hex characters."""
        if not normalised:
            return ""
        return hmac.new(self._lookup_key, f"{kind}\0{normalised}".encode(), hashlib.sha256).hexdigest()


def is_encrypted_text(stored: str) -> bool:
    return isinstance(stored, str) and stored.startswith(TEXT_PREFIX)
