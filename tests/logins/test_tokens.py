"""API tokens: hashed at rest, expiring, revoked at logout and at password change; service
clients with their own scoped tokens."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.urls import path
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from logins.models import ApiToken, ServiceClient
from logins.permissions import HasServiceScope
from logins.services import service_client_create, token_issue
from tests.departments.factories import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LOGOUT = "/api/v1/auth/logout/"
ME_URL = "/api/v1/applications/"  # any endpoint that needs a login
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def get_token(user) -> dict:
    response = APIClient().post(
        TOKEN, {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def with_token(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


class TestPersonalTokens:
    def test_stored_as_a_digest_only(self, citizen):
        key = get_token(citizen)["token"]
        row = ApiToken.objects.get(user=citizen)
        assert row.digest == hashlib.sha256(key.encode()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM logins_apitoken")
            assert not any(key in str(value) for value in cursor.fetchone())
        assert not apps.is_installed("rest_framework.authtoken")  # no clear-text table in use

    def test_expires(self, citizen, settings):
        settings.API_TOKEN_TTL = 3600
        with time_machine.travel(T0, tick=False) as traveller:
            answer = get_token(citizen)
            assert answer["expires_at"].startswith("2026-11-30T18:00")  # +1 h, Asia/Shanghai
            assert with_token(answer["token"]).get(ME_URL).status_code == 200
            traveller.shift(dt.timedelta(minutes=61))
            assert with_token(answer["token"]).get(ME_URL).status_code == 401

    def test_logout_revokes_it(self, citizen):
        api = with_token(get_token(citizen)["token"])
        assert api.post(LOGOUT).status_code == 204
        assert api.get(ME_URL).status_code == 401

    def test_logout_revokes_only_that_token(self, citizen):
        first, second = get_token(citizen)["token"], get_token(citizen)["token"]
        with_token(first).post(LOGOUT)
        assert with_token(second).get(ME_URL).status_code == 200

    def test_a_password_change_revokes_every_token(self, citizen):
        api = with_token(get_token(citizen)["token"])
        citizen.set_password("Another-secret-2027")
        citizen.save()
        assert api.get(ME_URL).status_code == 401

    def test_an_inactive_user_cannot_use_it(self, citizen):
        api = with_token(get_token(citizen)["token"])
        citizen.is_active = False
        citizen.save()
        assert api.get(ME_URL).status_code == 401

    def test_a_made_up_token_is_refused(self):
        assert with_token("not-a-token").get(ME_URL).status_code == 401

    def test_admin_can_revoke(self, client, citizen):
        key = get_token(citizen)["token"]
        admin = UserFactory(is_staff=True, is_superuser=True)
        client.force_login(admin)
        ids = list(ApiToken.objects.values_list("pk", flat=True))
        client.post("/admin/logins/apitoken/", {"action": "revoke", "_selected_action": ids})
        assert with_token(key).get(ME_URL).status_code == 401


class ExportView(APIView):
    permission_classes = [HasServiceScope]
    required_scope = "ratings.export"

    def get(self, request):
        return Response({"client": request.auth.name})


urlpatterns = [path("api/v1/test-export/", ExportView.as_view())]


@pytest.fixture
def export_urls(settings):
    from onestop import urls as project_urls

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": urlpatterns + project_urls.urlpatterns}
    )
    return "/api/v1/test-export/"


class TestServiceClients:
    def test_scoped_token_reaches_its_endpoint_only(self, export_urls):
        _client, key = service_client_create(name="provincial", scopes=["ratings.export"])
        api = with_token(key)
        assert api.get(export_urls).json() == {"client": "provincial"}
        assert api.get(ME_URL).status_code == 403  # no person endpoint takes a system

    def test_without_the_scope_403(self, export_urls):
        _client, key = service_client_create(name="other", scopes=["open-data.read"])
        assert with_token(key).get(export_urls).status_code == 403

    def test_people_never_pass_a_scope_check(self, export_urls, citizen):
        assert with_token(get_token(citizen)["token"]).get(export_urls).status_code == 403
        assert APIClient().get(export_urls).status_code in (401, 403)

    def test_inactive_or_rotated_client_is_refused(self, export_urls):
        client, key = service_client_create(name="provincial", scopes=["ratings.export"])
        from logins.services import service_client_token_issue

        new_key = service_client_token_issue(client=client)
        assert with_token(key).get(export_urls).status_code == 401
        assert with_token(new_key).get(export_urls).status_code == 200
        ServiceClient.objects.filter(pk=client.pk).update(is_active=False)
        assert with_token(new_key).get(export_urls).status_code == 401

    def test_stored_hashed(self):
        client, key = service_client_create(name="provincial", scopes=["ratings.export"])
        client.refresh_from_db()
        assert (
            key not in client.digest and client.digest == hashlib.sha256(key.encode()).hexdigest()
        )

    def test_admin_issues_a_token_shown_once(self, client):
        service = ServiceClient.objects.create(name="hotline", scopes=["x"])
        admin = UserFactory(is_staff=True, is_superuser=True)
        client.force_login(admin)
        response = client.post(
            "/admin/logins/serviceclient/",
            {"action": "issue_token", "_selected_action": [service.pk]},
            follow=True,
        )
        service.refresh_from_db()
        shown = [str(m) for m in response.context["messages"]]
        assert any(service.prefix in m for m in shown)


def test_token_issue_service_sets_expiry(citizen, settings):
    settings.API_TOKEN_TTL = 60
    token, key = token_issue(user=citizen, second_factor=False)
    assert (token.expires_at - token.created_at).total_seconds() == 60
    assert token.prefix == key[:8]


def test_the_token_query_also_answers_the_users_device_roles_and_grants(
    django_assert_num_queries,
):
    """One query authenticates a token and tells the policy and the access rules what they
    would each ask again: a confirmed second-factor device, the staff roles, and whether the
    user holds any object grant the access rules read (when so, they read them)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from guardian.shortcuts import assign_perm

    from departments import roles
    from logins import policy
    from logins.authentication import ApiTokenAuthentication
    from tests.workflow.journey import build_world, new_case
    from workflow import access

    world = build_world(1)
    reviewer = world.reviewer(world.departments[0])
    other = world.reviewer(world.lead)
    StaticDevice.objects.create(user=other, name="backup", confirmed=True)
    assign_perm("permits.view_application", other, new_case(world))
    auth = ApiTokenAuthentication()

    _, key = token_issue(user=reviewer, second_factor=False)
    with django_assert_num_queries(2):  # the token (+ its last-used stamp, first use)
        user, _token = auth.authenticate_credentials(key)
    # The staff roles ride on the token's query as an array column on PostgreSQL; SQLite (the
    # demo's) has no ArraySubquery and reads them once, on first use.
    with django_assert_num_queries(0 if connection.vendor == "postgresql" else 1):
        assert roles.staff_grants(user) and roles.user_department_ids(user) == {
            world.departments[0].pk
        }
    with django_assert_num_queries(0):
        assert not policy.has_second_factor(user)
        assert access.granted_object_ids(user, access.SHARE_PERMISSION) == []

    _, key = token_issue(user=other, second_factor=True)
    user, _token = auth.authenticate_credentials(key)
    with django_assert_num_queries(0 if connection.vendor == "postgresql" else 1):
        assert roles.staff_grants(user)
    with django_assert_num_queries(0):
        assert policy.has_second_factor(user)
    with django_assert_num_queries(1):  # the grants are there: read them
        assert len(access.granted_object_ids(user, access.SHARE_PERMISSION)) == 1


@pytest.mark.postgres  # measures PostgreSQL's plan or query path
def test_the_token_query_also_says_a_staff_account_is_no_applicant(django_assert_num_queries):
    """A staff account with no person row and no handler rows: the case rule's applicant parts
    ask nothing more (the token's query answered); one that is also an applicant — a person,
    handling an enterprise — is read as before and sees its own and its enterprise's cases."""
    from logins.authentication import ApiTokenAuthentication
    from tests.workflow import factories as f
    from tests.workflow.journey import build_world
    from workflow import access

    world = build_world(1)
    reviewer = world.reviewer(world.departments[0])
    auth = ApiTokenAuthentication()
    _, key = token_issue(user=reviewer, second_factor=True)
    auth.authenticate_credentials(key)  # the first use stamps last_used_at
    with django_assert_num_queries(1):
        user, _token = auth.authenticate_credentials(key)
    with django_assert_num_queries(0):
        assert access.user_person(user) is None
        assert access.user_enterprise_scopes(user) == {}
        assert len(access.application_visible_parts(user)) == 2  # department rows, reviews

    both = f.staff(world.lead)
    person = f.citizen()[1]
    person.user = both
    person.save()
    ent = f.enterprise(person)
    _, key = token_issue(user=both, second_factor=True)
    user, _token = auth.authenticate_credentials(key)
    assert access.user_person(user) == person
    assert access.user_enterprise_scopes(user) == {ent.pk: None}
    assert len(access.application_visible_parts(user)) == 4


@pytest.mark.postgres  # measures PostgreSQL's plan or query path
def test_a_prepared_token_query_still_refuses_a_revoked_token_or_a_disabled_user_at_once(
    django_assert_num_queries,
):
    """The token's SQL is compiled once per connection (onestop.prepared), its answer never
    kept: the request after a revocation, a deactivation or the expiry is refused."""
    from logins.authentication import TOKEN_QUERY, ApiTokenAuthentication
    from onestop.prepared import _UNPREPARABLE
    from tests.workflow.journey import build_world

    world = build_world(1)
    reviewer = world.reviewer(world.departments[0])
    auth = ApiTokenAuthentication()
    token, key = token_issue(user=reviewer, second_factor=True)
    assert auth.authenticate_credentials(key)[0] == reviewer
    assert TOKEN_QUERY._prepared("default") is not _UNPREPARABLE  # the prepared path ran
    with django_assert_num_queries(1):
        user, found = auth.authenticate_credentials(key)
    assert (user.pk, found.pk, found.second_factor) == (reviewer.pk, token.pk, True)
    assert found.user_staff_roles and found.user_has_device is False

    ApiToken.objects.filter(pk=token.pk).update(revoked_at=dt.datetime.now(dt.UTC))
    with pytest.raises(AuthenticationFailed):
        auth.authenticate_credentials(key)

    token, key = token_issue(user=reviewer, second_factor=True)
    assert auth.authenticate_credentials(key)[0] == reviewer
    type(reviewer).objects.filter(pk=reviewer.pk).update(is_active=False)
    with pytest.raises(AuthenticationFailed):
        auth.authenticate_credentials(key)
    type(reviewer).objects.filter(pk=reviewer.pk).update(is_active=True)
    with (
        time_machine.travel(token.expires_at + dt.timedelta(seconds=1)),
        pytest.raises(AuthenticationFailed),
    ):
        auth.authenticate_credentials(key)
