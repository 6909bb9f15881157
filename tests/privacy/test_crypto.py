"""The cipher (pure): AES-256-GCM and SM4-GCM round trips, damage and foreign contexts refused, older keys
read, the keyed lookup hash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.crypto import (
    AES_256_GCM,
    CIPHERS,
    HEADER_BYTES,
    DataKey,
    DecryptionError,
    Keyring,
    UnusableKey,
    decode_key,
    encode_key,
    is_encrypted_text,
    new_master_key,
)

KEY_A = DataKey(bytes(range(32)))
KEY_B = DataKey(bytes(range(1, 33)))


@pytest.mark.parametrize("cipher", sorted(CIPHERS))
def test_round_trip_and_every_token_differs(cipher):
    ring = Keyring(KEY_A, cipher=cipher)
    first, second = ring.encrypt(b"110105194912310029"), ring.encrypt(b"110105194912310029")
    assert first != second and b"110105194912310029" not in first
    assert ring.decrypt(first) == ring.decrypt(second) == b"110105194912310029"
    assert len(first) == HEADER_BYTES + len(b"110105194912310029") + 16


@pytest.mark.parametrize("cipher", sorted(CIPHERS))
def test_a_changed_byte_anywhere_is_refused(cipher):
    ring = Keyring(KEY_A, cipher=cipher)
    token = ring.encrypt(b"13800138000")
    for i in range(len(token)):
        damaged = bytearray(token)
        damaged[i] ^= 0x01
        with pytest.raises(DecryptionError):
            ring.decrypt(bytes(damaged))
    with pytest.raises(DecryptionError):
        ring.decrypt(token[:-1])
    with pytest.raises(DecryptionError):
        ring.decrypt(b"%PDF-1.7 plain file")


def test_the_context_is_bound():
    ring = Keyring(KEY_A)
    token = ring.encrypt(b"scan", context=b"key-1")
    assert ring.decrypt(token, context=b"key-1") == b"scan"
    with pytest.raises(DecryptionError):
        ring.decrypt(token, context=b"key-2")


def test_older_keys_and_other_ciphers_stay_readable_and_the_current_one_is_known():
    old = Keyring(KEY_A, cipher="sm4-gcm")
    token = old.encrypt(b"data")
    rotated = Keyring(KEY_B, [KEY_A])
    assert rotated.decrypt(token) == b"data"
    assert not rotated.is_current(token) and rotated.is_current(rotated.encrypt(b"x"))
    with pytest.raises(DecryptionError, match="不在当前密钥中"):
        Keyring(KEY_B).decrypt(token)


def test_text_tokens_and_legacy_plain_text():
    ring = Keyring(KEY_A)
    stored = ring.encrypt_text("张三 13800138000")
    assert is_encrypted_text(stored) and "13800138000" not in stored
    assert ring.decrypt_text(stored) == "张三 13800138000"
    assert ring.encrypt_text("") == "" and ring.decrypt_text("") == ""
    assert ring.decrypt_text("13800138000") == "13800138000"  # written before encryption
    assert ring.text_is_current(stored) and not Keyring(KEY_B, [KEY_A]).text_is_current(stored)


@given(st.text(max_size=300))
def test_any_text_round_trips(text):
    ring = Keyring(KEY_A)
    assert ring.decrypt_text(ring.encrypt_text(text)) == text


def test_lookup_hash_is_keyed_and_separates_kinds():
    a, b = Keyring(KEY_A), Keyring(KEY_B)
    assert a.lookup_hash("phone", "13800138000") == a.lookup_hash("phone", "13800138000")
    assert a.lookup_hash("phone", "13800138000") != b.lookup_hash("phone", "13800138000")
    assert a.lookup_hash("phone", "1") != a.lookup_hash("id_number", "1")
    assert len(a.lookup_hash("phone", "1")) == 64 and a.lookup_hash("phone", "") == ""


def test_keys_encode_and_bad_keys_are_refused():
    master = new_master_key()
    assert decode_key(encode_key(master)).master == master
    with pytest.raises(UnusableKey):
        decode_key("not base64!")
    with pytest.raises(UnusableKey, match="32 字节"):
        decode_key(encode_key(b"short"))
    with pytest.raises(UnusableKey, match="不支持"):
        Keyring(KEY_A, cipher="des")
    assert AES_256_GCM.name in CIPHERS and KEY_A.label == KEY_A.ident.hex()
