"""The input policy at the edge (issue 12, item 3): malformed input answers 400 or 413, never
500, on every kind of endpoint — anonymous and signed-in, API and page.

NUL in URLs and JSON has its own file (test_nul_input.py); this one covers lone surrogates,
NUL in form fields, JSON depth, body size and numbers out of range. A stored bad value and its
repair: tests/onestop/test_repair_text.py.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from onestop import inputpolicy
from onestop.parsers import JSONParser, RequestTooLarge
from tests.permits.applicant_factories import PersonFactory

pytestmark = pytest.mark.django_db

SURROGATE = "\ud800"


def _api(user=None) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


def _raw_json(client, url, text: str, **extra):
    return client.post(url, data=text.encode(), content_type="application/json", **extra)


def _assert_error_shape(response, status: int, code: str = "invalid") -> None:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["code"] == code
    assert body["fields"] == {}
    assert body["detail"]


# --- Lone surrogates and NUL ----------------------------------------------------------------


# Anonymous and signed-in endpoints that take JSON: each refuses the body whole.
JSON_ENDPOINTS = [
    ("/api/v1/auth/token/", {"username": "x{bad}", "password": "y"}, False),
    (
        "/api/v1/auth/register/",
        {"username": "u1", "password": "Aa-123456789", "real_name": "张{bad}"},
        False,
    ),
    ("/api/v1/applications/", {"item": "X", "form": {"summary": "a{bad}b"}}, True),
    ("/api/v1/applications/", {"item": "X", "form": {"{bad}": "key"}}, True),
]


@pytest.mark.parametrize("bad", [SURROGATE, "\udfff", "\x00"])
@pytest.mark.parametrize(("url", "body", "signed_in"), JSON_ENDPOINTS)
def test_bad_characters_in_json_are_400(url, body, signed_in, bad):
    client = _api(PersonFactory().user if signed_in else None)
    # json.dumps writes "\ud800" and "\u0000" as escapes, as a hostile client would.
    text = json.dumps(body).replace("{bad}", json.dumps(bad)[1:-1])
    response = _raw_json(client, url, text)
    _assert_error_shape(response, 400)


def test_a_surrogate_pair_is_a_character_like_any_other():
    client = _api(PersonFactory().user)
    response = _raw_json(
        client, "/api/v1/applications/", '{"item": "NONE", "form": "\\ud83d\\ude00"}'
    )
    assert response.status_code in (400, 404)  # the serializer's own answer, not the policy's
    assert "不允许的字符" not in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/track/", {"number": "YF1\x00", "id_last4": "1234"}),
        ("/track/", {"number": "YF1", "id_last4": "12\x0034"}),
        ("/accounts/login/", {"username": "a\x00", "password": "b"}),
        ("/track/", {"number\x00": "YF1"}),
    ],
)
def test_nul_in_a_form_field_is_the_400_page(client, url, fields):
    response = client.post(url, fields)
    assert response.status_code == 400
    body = response.content.decode()
    assert "不允许的字符" in body
    assert "<html" in body  # the site's page, not a bare error


def test_api_form_post_with_nul_is_400_in_the_error_shape():
    response = _api().post("/api/v1/auth/token/", {"username": "a\x00", "password": "b"})
    _assert_error_shape(response, 400)


# --- Depth and size -----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 500, 100_000])
@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/auth/register/"])
def test_deep_json_on_anonymous_endpoints_is_400(url, depth):
    text = "[" * depth + "]" * depth
    _assert_error_shape(_raw_json(_api(), url, text), 400)
    nested = '{"a":' * depth + "1" + "}" * depth
    _assert_error_shape(_raw_json(_api(), url, nested), 400)


def test_deep_json_on_a_signed_in_endpoint_is_400():
    text = '{"item": "X", "form": ' + "[" * 600 + "]" * 600 + "}"
    response = _raw_json(_api(PersonFactory().user), "/api/v1/applications/", text)
    _assert_error_shape(response, 400)


def test_brackets_inside_strings_do_not_count():
    assert not inputpolicy.json_depth_exceeds(json.dumps({"a": "[" * 1000}).encode(), 32)
    assert not inputpolicy.json_depth_exceeds(json.dumps({"a": '\\"[[[' * 100}).encode(), 32)
    assert inputpolicy.json_depth_exceeds(b'{"a": "]]]", "b": ' + b"[" * 40 + b"]" * 40 + b"}", 32)
    assert not inputpolicy.json_depth_exceeds(b"[" * 32 + b"]" * 32, 32)


def test_a_large_json_body_is_413_in_the_error_shape(settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    text = json.dumps({"username": "x" * 2000, "password": "y"})
    response = _raw_json(_api(), "/api/v1/auth/token/", text)
    _assert_error_shape(response, 413, code="too_large")


def test_the_json_parser_caps_a_body_without_a_length(settings):
    # A chunked body has no Content-Length for the middleware to check: the parser stops reading.
    settings.REQUEST_MAX_BODY_BYTES = 100
    with pytest.raises(RequestTooLarge):
        JSONParser().parse(io.BytesIO(b'{"a": "' + b"x" * 500 + b'"}'), parser_context={})
    assert JSONParser().parse(io.BytesIO(b'{"a": 1}'), parser_context={}) == {"a": 1}


def test_a_large_form_is_the_413_page(client, settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    body = "number=YF1&id_last4=" + "1" * 2000
    response = client.post("/track/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "请求过大" in response.content.decode()


def test_a_multipart_form_with_a_huge_field_is_413(client, settings):
    # Files may be large; the fields beside them stay under Django's in-memory cap.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/track/", {"number": "YF1", "id_last4": "1" * 2000})
    assert response.status_code == 413


def test_a_large_upload_is_413(settings):
    settings.UPLOAD_MAX_BODY_BYTES = 10_000
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4" + b"0" * 20_000)
    response = _api(PersonFactory().user).post(
        "/api/v1/applications/YF1/materials/", {"file": upload}, format="multipart"
    )
    _assert_error_shape(response, 413, code="too_large")


# --- Numbers out of range in query strings -----------------------------------------------------

HUGE = ["9223372036854775808", "99999999999999999999999999", "-9223372036854775809", "9" * 5000]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applications/?page={v}",
        "/api/v1/tasks/?scope=queue&application={v}",
        "/api/v1/items/?department={v}",
        "/api/v1/track/?number={v}&id_last4=1234",
    ],
)
def test_a_huge_number_in_an_api_query_is_400(url, value):
    response = _api(PersonFactory().user).get(url.format(v=value))
    _assert_error_shape(response, 400)


@pytest.mark.parametrize("value", HUGE[:2])
@pytest.mark.parametrize("url", ["/items/?page={v}", "/?region={v}", "/my/cases/?page={v}"])
def test_a_huge_number_in_a_page_query_is_the_400_page(client, url, value):
    client.force_login(PersonFactory().user)
    response = client.get(url.format(v=value))
    assert response.status_code == 400
    assert "超出允许范围" in response.content.decode()


def test_numbers_in_range_pass():
    assert not inputpolicy.out_of_range_integer("9223372036854775807")
    assert not inputpolicy.out_of_range_integer("00000000000000000000001")
    assert not inputpolicy.out_of_range_integer("440102199001011234")  # an ID number
    assert not inputpolicy.out_of_range_integer("YF20261202000001")
    assert inputpolicy.out_of_range_integer("+9223372036854775808")


def test_query_int():
    from django.http import QueryDict

    q = QueryDict("a=12&b=%C2%B2&c=99999999999999999999&d=-1&e=")
    assert inputpolicy.query_int(q, "a") == 12
    assert inputpolicy.query_int(q, "e", default=7) == 7
    assert inputpolicy.query_int(q, "missing") is None
    for name in ("b", "c", "d"):
        with pytest.raises(inputpolicy.BadQueryParameter):
            inputpolicy.query_int(q, name)


def test_put_and_patch_forms_are_checked_by_the_api_parsers():
    # Django parses only POST forms (the middleware checks those); DRF parses the others.
    from rest_framework.exceptions import ParseError

    from onestop.parsers import FormParser, MultiPartParser

    with pytest.raises(ParseError):
        FormParser().parse(io.BytesIO(b"name=a%00b"), "application/x-www-form-urlencoded", {})
    assert FormParser().parse(io.BytesIO(b"name=ab"), "application/x-www-form-urlencoded", {})

    body = b'--B\r\nContent-Disposition: form-data; name="note"\r\n\r\nx\x00y\r\n--B--\r\n'
    request = rf_multipart(body)
    with pytest.raises(ParseError):
        MultiPartParser().parse(
            io.BytesIO(body), "multipart/form-data; boundary=B", {"request": request}
        )


def rf_multipart(body: bytes):
    from django.test import RequestFactory
    from rest_framework.request import Request

    django_request = RequestFactory().generic(
        "PATCH", "/", data=body, content_type="multipart/form-data; boundary=B"
    )
    return Request(django_request)


def test_too_many_query_fields_is_400_in_the_error_shape(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{n}=1" for n in range(20))
    _assert_error_shape(_api().get(f"/api/v1/items/?{query}"), 400)


@pytest.mark.parametrize("url", ["/track/", "/api/v1/auth/token/"])
def test_a_malformed_multipart_body_is_400(client, url):
    body = b"--B\r\nContent-Disposition: form-data; name=\r\n"
    response = client.post(url, data=body, content_type="multipart/form-data; boundary=")
    assert response.status_code == 400
