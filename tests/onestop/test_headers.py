"""Response headers (issue 12, item 7): a Content-Security-Policy without ``'unsafe-inline'``
on every page, ``Cache-Control: no-store`` wherever personal data may be, and the API docs
behind staff login in production. The browser half (nothing blocked, no console error):
tests/e2e/test_csp.py.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.permits.applicant_factories import PersonFactory
from tests.production_env import PII_KEYS

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/items/",
        "/accounts/login/",
        "/track/",
        "/no-such-page/",
        "/items/?q=%00",
        "/admin/login/",
    ],
)
def test_every_page_has_a_csp_without_unsafe_inline(client, path):
    response = client.get(path)
    directives = _directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_api_answers_carry_the_csp_too():
    response = APIClient().get("/api/v1/items/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


# Every template of the project: no inline script, no event-handler attribute, no style
# attribute (the CSP would block them; public pages are cached, so no nonce either).
TEMPLATES = sorted(
    path
    for path in ROOT.glob("**/templates/**/*.html")
    if not {".venv", "var", "node_modules", "test-artifacts"}.intersection(
        path.relative_to(ROOT).parts
    )
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_style(path):
    text = path.read_text(encoding="utf-8")
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("event-handler attribute", HANDLER),
        ("style attribute", STYLE_ATTR),
        ("<style> block", STYLE_BLOCK),
        ("javascript: URL", JS_URL),
    ]:
        assert not pattern.search(text), f"{path.relative_to(ROOT)} has an {name}"


def test_the_template_scan_finds_the_project_templates():
    assert len(TEMPLATES) > 20
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/onestop.js"></script>')
    assert HANDLER.search('<button onclick="x()">')


# --- Cache-Control ---------------------------------------------------------------------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_api_answer_is_no_store():
    assert _no_store(APIClient().get("/api/v1/items/"))
    assert _no_store(APIClient().get("/api/v1/track/", {"number": "YF1", "id_last4": "1234"}))
    client = APIClient()
    client.force_authenticate(PersonFactory().user)
    assert _no_store(client.get("/api/v1/applications/"))


def test_a_signed_in_users_pages_are_no_store(client):
    client.force_login(PersonFactory().user)
    for path in ("/", "/my/cases/", "/accounts/"):
        response = client.get(path, follow=False)
        assert _no_store(response), path
        assert "private" in response["Cache-Control"]


def test_an_anonymous_public_page_keeps_its_caching(client):
    # The performance work caches public pages for anonymous visitors.
    assert not _no_store(client.get("/items/"))


def test_a_progress_query_answer_is_no_store(client):
    assert _no_store(client.post("/track/", {"number": "YF1", "id_last4": "1234"}))


# --- API docs --------------------------------------------------------------------------------


def test_docs_are_public_in_development(client, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200


def test_docs_need_staff_when_not_public(client, settings, django_user_model):
    settings.API_DOCS_PUBLIC = False
    response = client.get("/api/docs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/schema/").status_code in (401, 403)

    client.force_login(PersonFactory().user)
    assert client.get("/api/docs/").status_code == 403
    assert client.get("/api/schema/").status_code == 403

    staff = django_user_model.objects.create_user("docs-staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/docs/?script=").status_code == 200
    assert client.get("/api/schema/").status_code == 200


def test_the_docs_page_has_no_inline_script_or_style(client, settings):
    settings.API_DOCS_PUBLIC = True
    html = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not STYLE_BLOCK.search(html)
    assert '<script src="/api/docs/?script="' in html


def test_production_defaults_to_staff_only_docs(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        PRODUCTION="true",
        **PII_KEYS,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    env.pop("API_DOCS_PUBLIC", None)
    code = "from django.conf import settings; print('DOCS', settings.API_DOCS_PUBLIC)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "DOCS False" in result.stdout, result.stdout + result.stderr
