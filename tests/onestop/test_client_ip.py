"""The client address comes from the trusted proxies only (issue 12, item 1).

Every throttle keyed on it: a forged ``X-Forwarded-For`` (a new fake address per request) must
not give a new throttle identity, a configured proxy's entry must, and a kiosk's address
written into the header must not lift the kiosk exemption.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle as DrfScopedRateThrottle

from onestop.clientip import client_ip
from workflow.tracking import TrackThrottle

rf = RequestFactory()


def _request(remote="198.51.100.7", xff=None):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return rf.get("/", **meta)


@pytest.fixture
def local_cache(settings):
    # A cache of this test's own: throttle counters must not be shared with (or cleared by)
    # tests running beside it on the same Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-client-ip",
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- The helper ---------------------------------------------------------------------------------


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request(xff="203.0.113.9")) == "198.51.100.7"
    assert client_ip(_request(xff="garbage, 1.2.3.4")) == "198.51.100.7"
    assert client_ip(_request()) == "198.51.100.7"


def test_one_proxy_its_own_entry_is_believed_and_forged_ones_before_it_are_not(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "203.0.113.9"
    # The client wrote "1.1.1.1"; our proxy appended the address it really saw.
    assert client_ip(_request("10.0.0.2", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "1.1.1.1,2.2.2.2 , 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"
    # Not an address where our proxy writes: fall back to the peer, never the junk.
    assert client_ip(_request("10.0.0.2", "1.1.1.1, not-an-ip")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "[2001:db8::5]:4711")) == "2001:db8::5"


def test_two_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("10.0.0.3", "6.6.6.6, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"
    # A request that reached the inner proxy directly has one entry: that one is genuine.
    assert client_ip(_request("10.0.0.3", "203.0.113.9")) == "203.0.113.9"


def test_proxy_addresses_only_a_trusted_peer_has_its_header_read(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    assert client_ip(_request("10.1.2.3", "6.6.6.6, 203.0.113.9, 192.0.2.1")) == "203.0.113.9"
    assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"
    assert client_ip(_request("10.1.2.3", "10.9.9.9")) == "10.1.2.3"


# --- Every throttle -------------------------------------------------------------------------------


@pytest.fixture
def strict_rates(monkeypatch):
    monkeypatch.setattr(TrackThrottle, "THROTTLE_RATES", {"track": "3/min", "auth": "3/min"})
    monkeypatch.setattr(DrfScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})


def _forged(n: int) -> str:
    return f"203.0.113.{n}"


@pytest.mark.django_db
def test_track_ignores_a_forged_header(settings, local_cache, strict_rates):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    codes = [
        client.get(
            "/api/v1/track/",
            {"number": "YF000", "id_last4": "1234"},
            HTTP_X_FORWARDED_FOR=_forged(n),
        ).status_code
        for n in range(5)
    ]
    assert codes[:3] == [404, 404, 404]
    assert codes[3:] == [429, 429]


@pytest.mark.django_db
def test_track_honours_the_configured_proxy(settings, local_cache, strict_rates):
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient()

    def ask(address: str, forged: str = "6.6.6.6") -> int:
        return client.get(
            "/api/v1/track/",
            {"number": "YF000", "id_last4": "1234"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"{forged}, {address}",
        ).status_code

    # One real client behind the proxy, forging the left part anew each time: throttled.
    assert [ask("203.0.113.1", forged=_forged(n)) for n in range(4)] == [404, 404, 404, 429]
    # Another real client behind the same proxy has its own counter.
    assert ask("203.0.113.2") == 404


@pytest.mark.django_db
def test_the_kiosk_exemption_needs_the_kiosks_real_address(settings, local_cache, strict_rates):
    settings.TRACK_THROTTLE_EXEMPT_IPS = ["192.0.2.50"]
    settings.TRACK_BACKOFF_FREE_MISSES = 100  # the per-number backoff is another test's
    client = APIClient()
    params = {"number": "YF000", "id_last4": "1234"}

    settings.TRUSTED_PROXY_COUNT = 0
    forged = [
        client.get("/api/v1/track/", params, HTTP_X_FORWARDED_FOR="192.0.2.50").status_code
        for _ in range(4)
    ]
    assert forged[-1] == 429

    settings.TRUSTED_PROXY_COUNT = 1
    kiosk = [
        client.get(
            "/api/v1/track/", params, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.50"
        ).status_code
        for _ in range(5)
    ]
    assert kiosk == [404] * 5


@pytest.mark.django_db
def test_the_page_shares_the_trusted_identity(client, settings, local_cache, strict_rates):
    settings.TRUSTED_PROXY_COUNT = 0
    codes = [
        client.post(
            "/track/", {"number": "YF1", "id_last4": "1234"}, HTTP_X_FORWARDED_FOR=_forged(n)
        ).status_code
        for n in range(4)
    ]
    assert codes == [404, 404, 404, 429]


@pytest.mark.django_db
def test_token_endpoint_ignores_a_forged_header(settings, local_cache, strict_rates):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": "nobody", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=_forged(n),
        ).status_code
        for n in range(5)
    ]
    assert 429 in codes
    assert codes[-1] == 429


def test_log_lines_name_the_trusted_address(settings):
    import logging

    from onestop.clientip import ClientAddressFilter

    settings.TRUSTED_PROXY_COUNT = 0
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), None)
    record.request = _request("198.51.100.7", "6.6.6.6")
    assert ClientAddressFilter().filter(record) and record.client == "198.51.100.7"
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "x", (), None)
    assert ClientAddressFilter().filter(plain) and plain.client == "-"
