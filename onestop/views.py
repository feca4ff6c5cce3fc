"""Liveness and readiness probes for load balancers, docker-compose and monitoring.

``/healthz`` answers 200 while the process serves requests; it touches nothing else.
``/readyz`` runs every registered readiness check and answers 200 when all pass, 503 otherwise,
with one entry per check. To add a check, from any app (e.g. in ``AppConfig.ready``)::

    from onestop.views import readiness_check

    @readiness_check("calendar")
    def calendar_year_present() -> None:
        if missing:
            raise NotReady("the holiday arrangement for 2027 is missing")

A check returns ``None`` when fine (or a short note such as ``"not configured"``) and raises
``NotReady`` (or any exception) when the service should not take traffic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

Check = Callable[[], str | None]


class NotReady(Exception):
    """Raised by a readiness check whose dependency is not usable."""


READINESS_CHECKS: dict[str, Check] = {}
# Checks whose failure degrades the service instead of stopping it (issue 12 item 4): /readyz
# still answers 200, with ``"status": "degraded"`` and what is degraded, so a load balancer
# does not take every instance out because Redis is down.
DEGRADABLE: dict[str, str] = {}


def readiness_check(name: str, *, degrades: str = "") -> Callable[[Check], Check]:
    """Register ``func`` as the readiness check called ``name`` (re-registering replaces it).
    ``degrades``: what still works, and how, when this check fails (the check is then not
    critical)."""

    def register(func: Check) -> Check:
        READINESS_CHECKS[name] = func
        if degrades:
            DEGRADABLE[name] = degrades
        else:
            DEGRADABLE.pop(name, None)
        return func

    return register


@readiness_check("database")
def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise NotReady("SELECT 1 gave an unexpected answer")
    return None


@readiness_check(
    "redis",
    degrades="throttles fail open (logged); Celery messages wait in the outbox until it is back",
)
def check_redis() -> str | None:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        if not client.ping():
            raise NotReady("PING was not answered")
    finally:
        client.close()
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict] = {}
    ready = True
    degraded: list[str] = []
    for name, check in READINESS_CHECKS.items():
        try:
            note = check()
        except Exception as exc:  # a probe reports every failure, whatever its kind
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = {"ok": False, "detail": str(exc) or exc.__class__.__name__}
            if name in DEGRADABLE:
                degraded.append(name)
                results[name]["degraded"] = DEGRADABLE[name]
            else:
                ready = False
        else:
            results[name] = {"ok": True, **({"detail": note} if note else {})}
    status = "unavailable" if not ready else ("degraded" if degraded else "ok")
    body: dict = {"status": status, "checks": results}
    if degraded:
        body["degraded"] = degraded
    return JsonResponse(body, status=200 if ready else 503)


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico`` → the site's icon (resolved per request: the hashed static name only
    exists once collectstatic has run)."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form post (missing or stale CSRF token) answers the site's own 403 page, not
    Django's bare one; Django has already logged the reason on ``django.security.csrf``."""
    return render(request, "403.html", status=403)
