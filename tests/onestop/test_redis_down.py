"""With Redis down, every page and endpoint answers without a 500 (issue 12 item 4).

The cache is a private ``redis-server`` on a spare port, started and stopped by this test —
never the shared one. Throttles fail open (one logged warning per outage), ``/readyz`` says
Redis is degraded, and once Redis is back the throttles count again. That the outbox delivers
the notices once the broker is back is tests/outbox/test_broker_outage.py.
"""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache

from onestop import cache as resilient
from tests.workflow.deadlines.helpers import case_in_review

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def redis_cache(settings, private_redis):
    private_redis.start()
    settings.REDIS_URL = private_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "onestop.cache.ResilientRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    resilient.reset_state()
    yield private_redis
    resilient.reset_state()


def _walk(client, world, app, staff) -> dict[str, int]:
    """Every kind of page and endpoint: public, citizen, staff, API, the throttled ones."""
    got: dict[str, int] = {}
    number = app.number
    last4 = app.applicant_person.id_number[-4:] if app.applicant_person_id else "0000"
    anonymous = [
        "/",
        "/items/",
        f"/items/{world.item.code}/",
        "/accounts/login/",
        "/accounts/register/",
        f"/track/?number={number}&id_last4={last4}",
        "/certificates/verify/?number=X&code=Y",
        "/api/v1/items/",
        f"/api/v1/track/?number={number}&id_last4={last4}",
        "/api/v1/certificates/verify/?number=X&code=Y",
        "/healthz",
        "/readyz",
    ]
    client.logout()
    for url in anonymous:
        got[url] = client.get(url).status_code
    got["POST /api/v1/auth/token/"] = client.post(
        "/api/v1/auth/token/",
        {"username": world.citizen.username, "password": "wrong-password"},
        content_type="application/json",
    ).status_code
    got["POST /api/v1/auth/register/"] = client.post(
        "/api/v1/auth/register/", {"kind": "person"}, content_type="application/json"
    ).status_code
    got["POST /accounts/register/"] = client.post("/accounts/register/", {}).status_code
    got["POST /accounts/password-reset/"] = client.post(
        "/accounts/password-reset/", {"username": "nobody", "phone": "13800000000"}
    ).status_code
    client.force_login(world.citizen)
    for url in ["/accounts/me/", "/my/cases/", f"/my/cases/{number}/", "/api/v1/applications/"]:
        got[url] = client.get(url).status_code
    client.force_login(staff)
    for url in ["/office/", "/office/tasks/", "/api/v1/tasks/", f"/api/v1/applications/{number}/"]:
        got[url] = client.get(url).status_code
    client.logout()
    return got


def test_with_redis_down_every_page_and_endpoint_answers_and_throttles_fail_open(
    client, redis_cache, settings, caplog
):
    world, app = case_in_review(1)
    staff = world.lead_staff["undertake"]
    up = _walk(client, world, app, staff)
    assert all(code < 500 for code in up.values()), up

    redis_cache.stop()
    with caplog.at_level(logging.WARNING, logger="onestop.cache"):
        down = _walk(client, world, app, staff)

    assert {url: code for url, code in down.items() if code >= 500} == {}
    # The same answers as with Redis up: nothing is refused for want of a counter.
    assert down == up
    warnings = [r for r in caplog.records if r.name == "onestop.cache"]
    assert len(warnings) == 1 and "fail open" in warnings[0].getMessage()
    ready = client.get("/readyz").json()
    assert ready["status"] == "degraded" and ready["degraded"] == ["redis"]


def test_once_redis_is_back_the_throttles_count_again(client, redis_cache, settings, monkeypatch):
    from workflow.tracking import TrackThrottle

    monkeypatch.setattr(TrackThrottle, "THROTTLE_RATES", {"track": "2/min", "auth": "2/min"})
    url = "/api/v1/certificates/verify/?number=X&code=Y"

    redis_cache.stop()
    assert [client.get(url).status_code for _ in range(4)] == [404] * 4  # open while down

    redis_cache.start()
    resilient.reset_state()  # the breaker would otherwise wait RETRY_AFTER seconds
    cache.clear()
    assert [client.get(url).status_code for _ in range(3)] == [404, 404, 429]
