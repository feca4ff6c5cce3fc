"""The public pages' cache (portal.pagecache, permits.public_pages_version; issue 11 item 3):
anonymous visitors get home, catalogue and guide from the shared cache, keyed by the public
pages' version, language and large-text mode; every catalogue change shows at once; nothing per
visitor is ever cached or served from the cache."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permits import services
from permits.public_pages_version import public_pages_version
from tests.departments.factories import UserFactory
from tests.permits.factories import MaterialRequirementFactory

pytestmark = pytest.mark.django_db

PAGES = ("home", "catalogue", "guide")


def url_of(page, item):
    return {
        "home": reverse("portal:home"),
        "catalogue": reverse("portal:catalogue"),
        "guide": reverse("portal:item", args=[item.code]),
    }[page]


@pytest.mark.parametrize("page", PAGES)
def test_second_anonymous_visit_is_served_from_the_cache_without_queries(client, qykb, page):
    first = client.get(url_of(page, qykb))
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url_of(page, qykb))
    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert second.content == first.content
    assert "csrfmiddlewaretoken" not in second.content.decode()
    assert not second.cookies  # no CSRF (or any) cookie from a cached page
    assert "Content-Security-Policy" in second  # the middleware still runs


@pytest.mark.parametrize("action", ["suspend", "retire"])
def test_suspend_and_retire_show_at_once(client, qykb, action, django_capture_on_commit_callbacks):
    guide = url_of("guide", qykb)
    assert client.get(guide).status_code == 200
    assert client.get(guide)["X-Page-Cache"] == "hit"
    before = public_pages_version()
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, f"item_{action}")(item=qykb, actor=None)
    assert public_pages_version() != before
    response = client.get(guide)
    if action == "retire":
        assert response.status_code == 404
        assert guide not in client.get(reverse("portal:catalogue")).content.decode()
    else:
        assert response["X-Page-Cache"] == "miss"
        assert "本事项已暂停受理" in response.content.decode()


def test_publishing_a_changed_item_and_editing_a_material_show_at_once(client, qykb):
    guide = url_of("guide", qykb)
    client.get(guide)
    MaterialRequirementFactory(item=qykb, name="新加的材料清单")
    assert "新加的材料清单" in client.get(guide).content.decode()
    qykb.name = "企业开办（新名称）"
    qykb.save()
    assert "企业开办（新名称）" in client.get(reverse("portal:home")).content.decode()
    assert "企业开办（新名称）" in client.get(guide).content.decode()


def test_language_and_large_text_have_their_own_pages(client, qykb):
    home = reverse("portal:home")
    chinese = client.get(home).content.decode()
    english = client.get(home, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans"' in chinese and '<html lang="en"' in english
    client.cookies["onestop_large_text"] = "1"
    assert 'class="large-text"' in client.get(home).content.decode()
    del client.cookies["onestop_large_text"]
    assert 'class="large-text"' not in client.get(home).content.decode()


def test_query_parameters_key_the_page_and_unknown_ones_are_not_cached(client, qykb):
    catalogue = reverse("portal:catalogue")
    assert client.get(catalogue, {"q": "qykb"})["X-Page-Cache"] == "miss"
    assert client.get(catalogue, {"q": "qykb"})["X-Page-Cache"] == "hit"
    assert client.get(catalogue, {"q": "nothing-like-it"})["X-Page-Cache"] == "miss"
    unknown = client.get(catalogue, {"utm_source": "x"})
    assert unknown.status_code == 200 and "X-Page-Cache" not in unknown


def test_signed_in_users_never_get_or_fill_the_cache(client, qykb):
    home = reverse("portal:home")
    anonymous = client.get(home)
    user = UserFactory()
    client.force_login(user)
    signed_in = client.get(home)
    assert "X-Page-Cache" not in signed_in
    assert signed_in.content != anonymous.content  # the logout form, the user's name
    client.logout()
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    assert b"csrfmiddlewaretoken" not in client.get(home).content


def test_an_unknown_guide_is_not_cached(client, db):
    missing = reverse("portal:item", args=["NO-SUCH-ITEM"])
    assert client.get(missing).status_code == 404
    assert "X-Page-Cache" not in client.get(missing)


def test_switched_off_renders_live(client, qykb, settings):
    settings.PUBLIC_PAGE_CACHE = False
    assert "X-Page-Cache" not in client.get(reverse("portal:home"))


def test_the_renamed_stamp_keeps_the_old_key_harmless(
    client, qykb, django_capture_on_commit_callbacks
):
    # The stamp was "catalogue:version" (permits.catalogue_version) before the notices moved it
    # too. A page stored under an old stamp is a miss, and every bump moves the old key as well,
    # so a node still on the old code during a deploy never serves a page older than a change.
    from django.core.cache import cache

    from permits.public_pages_version import LEGACY_VERSION_KEY, VERSION_KEY

    home = url_of("home", qykb)
    assert client.get(home)["X-Page-Cache"] == "miss"
    assert client.get(home)["X-Page-Cache"] == "hit"
    old_stamp = cache.get(LEGACY_VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        services.item_suspend(item=qykb, actor=None)
    assert cache.get(LEGACY_VERSION_KEY) == cache.get(VERSION_KEY) != old_stamp
    assert client.get(home)["X-Page-Cache"] == "miss"
