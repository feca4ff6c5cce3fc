"""Personal data at rest (issue 12 item 5; PIPL, GB/T 35273): SM4 encryption and HMAC-SM3 lookup.

ID numbers and phone numbers are stored as ``sm4g:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``
(SM4 in GCM mode, a fresh 12-byte nonce per write, so equal values do not look equal in the
database) and matched through a keyed lookup hash (HMAC-SM3, hex) in a column beside them. Both
come from the ``cryptography`` package (``algorithms.SM4``, ``hashes.SM3``); keys from the
settings ``PII_ENCRYPTION_KEYS`` / ``PII_LOOKUP_KEYS`` (``id:hex,id:hex``, the first one
current; production refuses the demo keys).

Model fields:

* :class:`EncryptedCharField`: the attribute holds the plain value; the column the token.
  Database lookups on it are refused (``FieldError``), so a ``filter(id_number=...)`` cannot
  silently match nothing: match through the lookup hash (``lookup_hashes(value)``).
* :class:`LookupHashField` (``source="id_number"``): filled from the source attribute on
  every save.

``seal`` / ``unseal`` are the same for values inside JSON (a hotline caller's phone, form-data
fields of type ``id_number``/``phone``). ``manage.py pii_rotate`` re-encrypts and re-hashes
every such column with the current keys.
"""

from __future__ import annotations

import base64
import hmac as std_hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models

PREFIX = "sm4g"
_NONCE = 12
_TAG = 16


@dataclass(frozen=True)
class Keys:
    current: str
    by_id: dict[str, bytes]


def _parse(raw: str, name: str, *, length: int | None) -> Keys:
    pairs: list[tuple[str, bytes]] = []
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        key_id, _sep, hex_key = part.partition(":")
        try:
            key = bytes.fromhex(hex_key.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}: key {key_id!r} is not hexadecimal") from None
        if (length and len(key) != length) or len(key) < 16 or ":" in key_id or not key_id:
            raise ImproperlyConfigured(f"{name}: key {key_id!r} has the wrong form or length")
        pairs.append((key_id.strip(), key))
    if not pairs:
        raise ImproperlyConfigured(f"{name} holds no key")
    return Keys(current=pairs[0][0], by_id=dict(pairs))


@lru_cache(maxsize=1)
def encryption_keys() -> Keys:
    return _parse(settings.PII_ENCRYPTION_KEYS, "PII_ENCRYPTION_KEYS", length=16)


@lru_cache(maxsize=1)
def lookup_keys() -> Keys:
    return _parse(settings.PII_LOOKUP_KEYS, "PII_LOOKUP_KEYS", length=None)


def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting in {"PII_ENCRYPTION_KEYS", "PII_LOOKUP_KEYS"}:
        encryption_keys.cache_clear()
        lookup_keys.cache_clear()


setting_changed.connect(_forget_keys)


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ":")


def key_id_of(token: str) -> str | None:
    return token.split(":", 2)[1] if is_sealed(token) else None


def seal(value: str | None) -> str | None:
    """The token of ``value`` under the current key ('' and None stay as they are)."""
    if value is None or value == "" or is_sealed(value):
        return value
    keys = encryption_keys()
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(keys.by_id[keys.current]), modes.GCM(nonce)).encryptor()
    body = encryptor.update(str(value).encode()) + encryptor.finalize()
    blob = base64.b64encode(nonce + body + encryptor.tag).decode("ascii")
    return f"{PREFIX}:{keys.current}:{blob}"


def unseal(value: str | None) -> str | None:
    """The plain value of a token (a value that is no token, e.g. not yet migrated, as is)."""
    if not is_sealed(value):
        return value
    _prefix, key_id, blob = value.split(":", 2)
    key = encryption_keys().by_id.get(key_id)
    if key is None:
        raise ImproperlyConfigured(f"PII_ENCRYPTION_KEYS has no key {key_id!r} any more")
    raw = base64.b64decode(blob)
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag:
        raise ValueError("a sealed value failed its integrity check") from None


def normalise(value: str) -> str:
    """What the lookup hash is taken of: no surrounding space, upper case (the X of an ID)."""
    return "".join(str(value).split()).upper()


def _hash(key: bytes, value: str) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(normalise(value).encode())
    return mac.finalize().hex()


def lookup_hash(value: str | None) -> str | None:
    """The current HMAC-SM3 lookup hash of ``value`` (None for an empty value)."""
    if not value:
        return None
    keys = lookup_keys()
    return _hash(keys.by_id[keys.current], value)


def lookup_hashes(value: str | None) -> list[str]:
    """The hashes of ``value`` under every configured lookup key: match with ``__in`` so rows
    not yet re-hashed by ``pii_rotate`` still match during a rotation."""
    if not value:
        return []
    return [_hash(key, value) for key in lookup_keys().by_id.values()]


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two plain values, normalised."""
    return std_hmac.compare_digest(normalise(a or ""), normalise(b or ""))


class EncryptedCharField(models.CharField):
    """A string stored SM4-encrypted. The column is wider than the value (``max_length`` is the
    plain value's limit, checked by validation; the column takes the token)."""

    description = "A string stored SM4-encrypted"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def db_type(self, connection) -> str:
        return "text"

    def rel_db_type(self, connection) -> str:
        return "text"

    def from_db_value(self, value, expression, connection):
        return unseal(value)

    def to_python(self, value):
        return unseal(super().to_python(value))

    def get_prep_value(self, value):
        return seal(super().get_prep_value(value))

    def get_lookup(self, lookup_name):
        # Only "isnull" means something on a column of random-nonce ciphertexts.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


class LookupHashField(models.CharField):
    """The HMAC-SM3 lookup hash of the ``source`` attribute, set on every save."""

    description = "HMAC-SM3 lookup hash"

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("null", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key, None)
        kwargs.pop("blank", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = lookup_hash(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def sealed_fields(model) -> tuple[list[str], list[str]]:
    """The names of a model's encrypted fields and of its lookup-hash fields."""
    enc = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
    hashed = [f.name for f in model._meta.concrete_fields if isinstance(f, LookupHashField)]
    return enc, hashed
