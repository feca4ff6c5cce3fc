"""The accounts API: registration, tokens, enterprise handlers (API.md "Accounts")."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from permits.api.accounts import account_data
from permits.models import Enterprise, Handler, Person
from tests.permits.applicant_factories import EnterpriseFactory, HandlerFactory, PersonFactory

pytestmark = pytest.mark.django_db

GOOD_ID = "445302199003071231"
BAD_ID = "445302199003071234"
OTHER_ID = "445302198501010023"
GOOD_CODE = "91445300MA4UX1234G"
BAD_CODE = "91445300MA4UX1234H"
TODAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_throttle_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def register_body(**over):
    body = {
        "username": "zhangsan",
        "password": "Yunfu@2026-secret",
        "real_name": "张三",
        "id_type": "resident_id",
        "id_number": GOOD_ID,
        "phone": "13812345678",
    }
    body.update(over)
    return body


class TestRegister:
    url = "/api/v1/auth/register/"

    def test_person_202_then_the_account_masked(self, api):
        response = api.post(self.url, register_body(), format="json")
        assert response.status_code == 202, response.content
        assert "注册申请已收到" in response.json()["detail"]
        assert GOOD_ID.encode() not in response.content
        assert b"13812345678" not in response.content
        assert Person.objects.get().user.username == "zhangsan"
        body = account_data(Person.objects.get().user)  # what the account reads as
        assert body["username"] == "zhangsan"
        assert body["kind"] == "person"
        assert body["id_number"] == "445**************1"
        assert body["phone"] == "138****5678"
        assert body["enterprises"] == []

    def test_bad_id_400_in_chinese_without_echo(self, api):
        response = api.post(self.url, register_body(id_number=BAD_ID), format="json")
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert list(body["fields"]) == ["id_number"]
        assert "身份证" in body["fields"]["id_number"][0]
        assert BAD_ID.encode() not in response.content
        assert BAD_ID[:-1].encode() not in response.content

    def test_english_on_request(self, api):
        response = api.post(
            self.url, register_body(id_number=BAD_ID), format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "resident ID" in response.json()["fields"]["id_number"][0]

    def test_missing_fields(self, api):
        response = api.post(self.url, {"username": "x"}, format="json")
        assert response.status_code == 400
        fields = response.json()["fields"]
        assert {"password", "real_name", "id_number", "phone"} <= set(fields)

    def test_enterprise_201_and_first_handler(self, api):
        response = api.post(
            self.url,
            register_body(kind="enterprise", org_name="云浮市石艺有限公司", credit_code=GOOD_CODE),
            format="json",
        )
        assert response.status_code == 202, response.content
        body = account_data(Person.objects.get().user, kind="enterprise")
        assert body["enterprises"] == [
            {
                "name": "云浮市石艺有限公司",
                "credit_code": GOOD_CODE,
                "scope": "all",
                "valid_until": None,
            }
        ]
        assert Handler.objects.get().person.user.username == "zhangsan"

    def test_enterprise_bad_credit_code(self, api):
        response = api.post(
            self.url,
            register_body(kind="enterprise", org_name="某公司", credit_code=BAD_CODE),
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()["fields"]) == ["credit_code"]
        assert BAD_CODE.encode() not in response.content

    def test_enterprise_needs_org_fields(self, api):
        response = api.post(self.url, register_body(kind="enterprise"), format="json")
        assert response.status_code == 400
        assert {"org_name", "credit_code"} <= set(response.json()["fields"])

    def test_registered_credit_code_409(self, api):
        EnterpriseFactory(credit_code=GOOD_CODE)
        response = api.post(
            self.url,
            register_body(kind="enterprise", org_name="某公司", credit_code=GOOD_CODE),
            format="json",
        )
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "conflict"
        assert "credit_code" in body["fields"]
        assert not Enterprise.objects.exclude(credit_code=GOOD_CODE).exists()
        assert not Person.objects.exists()

    def test_existing_username_409_but_a_known_id_number_the_same_202(self, api):
        first = api.post(self.url, register_body(), format="json")
        assert first.status_code == 202
        taken = api.post(self.url, register_body(id_number=OTHER_ID), format="json")
        assert taken.status_code == 409
        assert list(taken.json()["fields"]) == ["username"]
        known = api.post(self.url, register_body(username="lisi"), format="json")
        assert known.status_code == 202
        assert known.json() == first.json()
        assert not Person.objects.filter(user__username="lisi").exists()

    def test_throttled_per_id_number_whatever_the_address(self, api, settings):
        settings.REGISTER_PER_ID_HOUR = 1
        body = register_body(password="short")
        first = api.post(self.url, body, format="json", REMOTE_ADDR="198.51.100.1")
        second = api.post(self.url, body, format="json", REMOTE_ADDR="198.51.100.2")
        assert first.status_code == 400
        assert second.status_code == 429 and second.json()["code"] == "throttled"

    def test_throttled(self, api, monkeypatch):
        from rest_framework.throttling import ScopedRateThrottle

        # The rates are read once at import; patch the class, not the settings.
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/min"})
        codes = [api.post(self.url, {"username": "x"}, format="json").status_code for _ in range(3)]
        token = APIClient().post("/api/v1/auth/token/", {}, format="json")
        assert codes == [400, 400, 429]
        assert token.status_code == 429  # the same "auth" scope, the same client address
        assert token.json()["code"] == "throttled"


class TestToken:
    url = "/api/v1/auth/token/"

    def test_token_and_use(self, api):
        person = PersonFactory()
        response = api.post(
            self.url, {"username": person.user.username, "password": "Yunfu@2026"}, format="json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        again = api.post(
            self.url, {"username": person.user.username, "password": "Yunfu@2026"}, format="json"
        )
        # Tokens are stored hashed, so a second request cannot get the first token back: it
        # gets another one, and both work until they expire or are revoked.
        assert again.status_code == 200 and again.json()["token"] != token
        assert set(response.json()) == {"token", "expires_at"}

        HandlerFactory(person=person, enterprise__credit_code=GOOD_CODE)
        client = APIClient()
        assert client.get(f"/api/v1/enterprises/{GOOD_CODE}/handlers/").status_code == 401
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get(f"/api/v1/enterprises/{GOOD_CODE}/handlers/").status_code == 200

    def test_bad_credentials_400(self, api):
        person = PersonFactory()
        response = api.post(
            self.url, {"username": person.user.username, "password": "wrong"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        response = api.post(self.url, {"username": "nobody", "password": "x"}, format="json")
        assert response.status_code == 400

    def test_inactive_user_refused(self, api):
        person = PersonFactory()
        person.user.is_active = False
        person.user.save()
        response = api.post(
            self.url, {"username": person.user.username, "password": "Yunfu@2026"}, format="json"
        )
        assert response.status_code == 400


class TestHandlers:
    @pytest.fixture(autouse=True)
    def _today(self):
        with time_machine.travel(TODAY, tick=False):
            yield

    @pytest.fixture
    def owner(self):
        return HandlerFactory(enterprise__credit_code=GOOD_CODE)

    def url(self, username=None):
        base = f"/api/v1/enterprises/{GOOD_CODE}/handlers/"
        return f"{base}{username}/" if username else base

    def test_add_list_remove(self, api, owner):
        colleague = PersonFactory(phone="13912345678")
        api.force_authenticate(owner.person.user)
        response = api.post(
            self.url(),
            {"username": colleague.user.username, "scope": "all", "valid_until": "2027-06-30"},
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["username"] == colleague.user.username
        assert body["valid_until"] == "2027-06-30"
        assert body["phone"] == "139****5678"
        assert colleague.real_name not in response.content.decode()

        listed = api.get(self.url()).json()
        assert listed["count"] == 2
        assert colleague.id_number.encode() not in api.get(self.url()).content

        assert api.delete(self.url(colleague.user.username)).status_code == 204
        assert api.get(self.url()).json()["count"] == 1
        assert api.delete(self.url(colleague.user.username)).status_code == 404

    def test_non_handler_gets_404(self, api, owner):
        stranger = PersonFactory()
        api.force_authenticate(stranger.user)
        body = {"username": stranger.user.username, "scope": "all"}
        response = api.post(self.url(), body, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert api.delete(self.url(owner.person.user.username)).status_code == 404
        assert api.get(self.url()).status_code == 404
        # Same answer as an enterprise that does not exist.
        missing = api.post("/api/v1/enterprises/91350100M000100Y43/handlers/", body, format="json")
        assert missing.status_code == 404
        assert missing.json() == response.json()
        assert not Handler.objects.filter(person=stranger).exists()

    def test_expired_handler_gets_404(self, api, owner):
        expired = HandlerFactory(enterprise=owner.enterprise, valid_until=dt.date(2026, 11, 25))
        api.force_authenticate(expired.person.user)
        assert api.get(self.url()).status_code == 404

    def test_anonymous_401(self, api, owner):
        response = api.post(self.url(), {"username": "x", "scope": "all"}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert api.delete(self.url(owner.person.user.username)).status_code == 401

    def test_bad_scope_400_and_duplicate_409(self, api, owner):
        colleague = PersonFactory()
        api.force_authenticate(owner.person.user)
        response = api.post(
            self.url(), {"username": colleague.user.username, "scope": 5}, format="json"
        )
        assert response.status_code == 400
        assert "scope" in response.json()["fields"]
        response = api.post(
            self.url(), {"username": owner.person.user.username, "scope": "all"}, format="json"
        )
        assert response.status_code == 409

    def test_last_handler_409(self, api, owner):
        api.force_authenticate(owner.person.user)
        response = api.delete(self.url(owner.person.user.username))
        assert response.status_code == 409
