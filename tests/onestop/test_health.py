"""/healthz and /readyz: what the container runtime and load balancer ask."""

import pytest

from onestop import views


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any database access here would raise.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_each_check_by_name(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["redis"] == {"ok": True, "detail": "not configured"}


@pytest.mark.django_db
def test_readyz_says_redis_down_degrades_the_service_without_taking_it_out(client, settings):
    # A port nobody listens on: the Redis check must fail quickly, not hang. Redis down is
    # not a reason to stop serving (issue 12 item 4): 200, "degraded", and what degrades.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["redis"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["detail"]
    assert "throttles fail open" in body["checks"]["redis"]["degraded"]


@pytest.mark.django_db
def test_a_registered_check_takes_part(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(views, "READINESS_CHECKS", dict(views.READINESS_CHECKS))

    @views.readiness_check("calendar")
    def calendar_missing():
        raise views.NotReady("holiday arrangement for 2027 is missing")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["calendar"] == {
        "ok": False,
        "detail": "holiday arrangement for 2027 is missing",
    }


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_pings_the_configured_redis(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == {"ok": True}


def test_probes_are_not_redirected_to_https_in_production(client, settings):
    # The compose healthcheck calls http://127.0.0.1:8000/healthz inside the container.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["example.gov.cn"]
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

    assert client.get("/healthz", HTTP_HOST="example.gov.cn").status_code == 200
    assert client.get("/", HTTP_HOST="example.gov.cn").status_code == 301
