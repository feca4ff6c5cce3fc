"""The API's request parsers (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

Kept apart from ``onestop.api``: DRF reads this setting while it defines ``APIView``, so a
parser module must not import ``rest_framework.views`` (``onestop.api`` does), or whichever of
the two is imported first finds the other half-initialised (``make demo`` failed at migrate).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


def _has_nul(data: Any) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(key) or _has_nul(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_has_nul(value) for value in data)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a NUL character (``\\u0000``) in any key or string.

    PostgreSQL cannot hold NUL in text: a NUL that a field without its own check passed on (a
    list of item codes, department codes) reached a query and answered 500. No field of this
    API carries binary text, so the body is refused whole, as malformed JSON is."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        if _has_nul(data):
            raise exceptions.ParseError(_("The request contains a NUL character."))
        return data
