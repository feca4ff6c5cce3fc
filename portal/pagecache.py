"""The public pages' cache: home, catalogue and guide, rendered once per public pages' version
(issue 11 item 3).

An anonymous visitor's page is the same for everyone with the same address, language and
large-text mode: its HTML is kept in the shared cache (Redis, so every web node serves what one
rendered) under a key made of

- the active language and the large-text mode (the ``<html>`` element's class);
- the view, its URL arguments and its known query parameters (anything else: rendered live,
  not cached, so random query strings cannot fill the cache);
- the database's name (two databases on one Redis never share pages);

and stored with the public pages' version stamp it was rendered under
(``permits.public_pages_version``: bumped by publish, resume, suspend, retire, any catalogue edit,
and a notice published or withdrawn). One ``MGET`` reads the current stamp and the page together;
a page of another stamp is a miss and is rendered again and overwritten. So a cached page is
never older than what it shows and nothing waits for a timeout
(``PUBLIC_PAGE_CACHE_SECONDS`` only frees the memory of pages nobody asks for).

Only visitors without a session cookie get cached pages, and only 200 answers that set no cookie
are stored: a signed-in user's page (name, unread count, logout form with its CSRF token) is
never cached nor served from the cache. The layout's switches are GET links, not forms, so an
anonymous page holds no CSRF token; the site's CSP has no nonce. The middleware still runs on
every answer (security headers, CSP, ``Vary``), only the view's work is skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from permits.public_pages_version import VERSION_KEY, public_pages_version
from portal.context_processors import LARGE_TEXT_COOKIE

MAX_VALUE_LENGTH = 100


def _anonymous(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def page_key(request: HttpRequest, name: str, params: frozenset[str], args: dict) -> str | None:
    """The cache key of this request's page, or None when it must be rendered live."""
    if request.method not in ("GET", "HEAD") or not getattr(settings, "PUBLIC_PAGE_CACHE", True):
        return None
    if not _anonymous(request):
        return None
    query = []
    for key, values in request.GET.lists():
        if key not in params or len(values) != 1 or len(values[0]) > MAX_VALUE_LENGTH:
            return None
        if values[0]:
            query.append((key, values[0]))
    large = request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"
    parts = [
        name,
        repr(sorted(args.items())),
        repr(sorted(query)),
        translation.get_language() or "",
        "L" if large else "-",
        connection.settings_dict.get("NAME") or "",
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"portal:page:{digest}"


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")  # set by the view itself: not ours to key
    )


def public_page(*params: str) -> Callable:
    """Cache the decorated public view's page for anonymous visitors. ``params``: the query
    parameters the page reads (others make the request uncached)."""
    known = frozenset(params)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            key = page_key(request, view.__name__, known, kwargs)
            if key is None:
                return view(request, *args, **kwargs)
            # One round trip: the public pages' stamp and the page, stored with the stamp it was
            # rendered under (a page of an older stamp is a miss, and is overwritten).
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY)
            hit = found.get(key)
            if version is not None and hit is not None and hit[0] == str(version):
                response = HttpResponse(hit[1], content_type=hit[2])
                response["X-Page-Cache"] = "hit"
                return response
            if version is None:
                version = public_pages_version()  # first use, or the cache is down (None)
            response = view(request, *args, **kwargs)
            if (
                version is not None
                and _cacheable(response)
                and request.META.get("CSRF_COOKIE_NEEDS_UPDATE") is not True
            ):
                cache.set(
                    key,
                    (str(version), response.content, response["Content-Type"]),
                    settings.PUBLIC_PAGE_CACHE_SECONDS,
                )
                response["X-Page-Cache"] = "miss"
            return response

        return wrapped

    return decorate
