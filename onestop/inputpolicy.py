"""The rules of the input policy (issue 12, item 3), shared by the middleware, the JSON parser,
query-parameter parsing and the ``repair_text`` command.

Text the application takes must be storable and renderable: no NUL (PostgreSQL refuses it in
text and JSON) and no lone surrogate (U+D800–U+DFFF on its own cannot be encoded to UTF-8, so
the database driver, the template engine and the JSON encoder all raised on it). JSON is at
most ``JSON_MAX_DEPTH`` levels deep (Python's JSON decoder and every recursive walk of the
data hit the recursion limit on deep input).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

BIGINT_MAX = 2**63 - 1
_SURROGATES = re.compile("[\ud800-\udfff]")
_BAD = re.compile("[\x00\ud800-\udfff]")
# A JSON string literal (linear: the two alternatives never match the same character).
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def bad_text(value: Any) -> bool:
    """True when ``value`` is a string holding NUL or a lone surrogate."""
    return isinstance(value, str) and _BAD.search(value) is not None


def clean_text(value: str) -> str:
    """``value`` without NUL and with each lone surrogate replaced by U+FFFD."""
    return _SURROGATES.sub("\ufffd", value.replace("\x00", ""))


def bad_text_message() -> str:
    return _("The request contains a character that is not allowed (NUL or an invalid character).")


def too_large_message(limit: int) -> str:
    return _("The request is too large (at most %(size)s).") % {"size": filesizeformat(limit)}


def out_of_range_integer(value: Any) -> bool:
    """True when ``value`` is written as a whole number beyond a signed 64-bit integer (no id,
    page number or filter value is that large; compared by length first, so a 10,000-digit
    value costs nothing)."""
    if not isinstance(value, str):
        return False
    digits = value.strip()
    if digits[:1] in ("+", "-"):
        digits = digits[1:]
    if not (digits.isascii() and digits.isdigit()):
        return False
    digits = digits.lstrip("0")
    return len(digits) > 19 or (len(digits) == 19 and int(digits) > BIGINT_MAX)


def json_depth_exceeds(raw: bytes, limit: int | None = None) -> bool:
    """True when the JSON text ``raw`` nests arrays and objects deeper than ``limit``.

    Counted on the text before it is decoded, so a body a million brackets deep is refused
    without the decoder ever recursing into it. Brackets inside string literals do not count.
    """
    limit = limit if limit is not None else settings.JSON_MAX_DEPTH
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for match in _BRACKETS.finditer(_JSON_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def find_bad_text(data: Any) -> bool:
    """True when any key or string anywhere in the parsed JSON ``data`` is :func:`bad_text`.
    Iterative, so it holds on any depth."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _BAD.search(value):
                return True
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and _BAD.search(key):
                    return True
                stack.append(item)
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return False


def clean_data(data: Any) -> Any:
    """``data`` (parsed JSON) with :func:`clean_text` applied to every key and string."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {
            (clean_text(k) if isinstance(k, str) else k): clean_data(v) for k, v in data.items()
        }
    if isinstance(data, list):
        return [clean_data(v) for v in data]
    return data


class BadQueryParameter(BadRequest):
    """A query parameter that is not a whole number (or date) in the allowed range. Pages
    answer Django's 400 page; the API maps it onto its error shape (``onestop.api``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)

    @property
    def message(self) -> str:
        return _("The value of “%(name)s” is not valid or out of range.") % {"name": self.name}


def query_int(
    params, name: str, *, minimum: int = 0, maximum: int = BIGINT_MAX, default: int | None = None
) -> int | None:
    """The whole number in query parameter ``name`` (``default`` when absent or empty).

    Raises :class:`BadQueryParameter` when it is not plain ASCII digits (``"²".isdigit()`` is
    True but ``int("²")`` raises) or lies outside ``minimum``..``maximum`` (an id beyond the
    column's range made PostgreSQL raise)."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 20:
        raise BadQueryParameter(name)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadQueryParameter(name)
    return value
