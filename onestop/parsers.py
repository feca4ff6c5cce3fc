"""The API's request parsers (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

Kept apart from ``onestop.api``: DRF reads this setting while it defines ``APIView``, so a
parser module must not import ``rest_framework.views`` (``onestop.api`` does), or whichever of
the two is imported first finds the other half-initialised (``make demo`` failed at migrate).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.utils.json import strict_constant

from onestop import inputpolicy


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser under the input policy (``onestop.inputpolicy``).

    - a body over ``REQUEST_MAX_BODY_BYTES`` answers 413, whatever its Content-Length said;
    - nesting deeper than ``JSON_MAX_DEPTH`` answers 400 before the decoder recurses into it
      (depth 500 answered 500: the decoder's and the serializers' recursion ran out);
    - a NUL (``\\u0000``) or a lone surrogate (``\\ud800``) in any key or string answers 400:
      PostgreSQL cannot hold NUL in text, and a lone surrogate cannot be encoded, so a stored
      one broke every page and endpoint of the case. No field of this API carries binary text,
      so the body is refused whole, as malformed JSON is.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.REQUEST_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(inputpolicy.too_large_message(limit))
        if inputpolicy.json_depth_exceeds(raw):
            raise exceptions.ParseError(
                _("The JSON is nested more than %(depth)s levels deep.")
                % {"depth": settings.JSON_MAX_DEPTH}
            )
        encoding = parsers.get_encoding(parser_context)
        try:
            text = raw.decode(encoding)
            data = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
        if inputpolicy.find_bad_text(data):
            raise exceptions.ParseError(inputpolicy.bad_text_message())
        return data


def _refuse_bad_fields(data) -> None:
    if any(
        inputpolicy.bad_text(key) or any(inputpolicy.bad_text(v) for v in values)
        for key, values in data.lists()
    ):
        raise exceptions.ParseError(inputpolicy.bad_text_message())


class FormParser(parsers.FormParser):
    """DRF's form parser under the input policy. The middleware checks POST forms before any
    view runs; this covers PUT and PATCH, which Django does not parse itself."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        _refuse_bad_fields(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser under the input policy (fields; file names Django cleans)."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type=media_type, parser_context=parser_context)
        _refuse_bad_fields(result.data)
        return result
