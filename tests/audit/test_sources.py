"""What reaches the audit log: unsafe requests, refused objects, logins, lockouts, role changes,
catalogue transitions and admin changes (issue 12 item 6)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from audit.models import AuditCategory, AuditRecord
from departments import services as department_services
from departments.models import Role, Stage
from permits import services as permit_services
from tests.departments.factories import DepartmentFactory, UserFactory, grant
from tests.permits.conftest import parallel_item  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
PASSWORD = "Yunfu@2026"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


def records(category: str):
    return AuditRecord.objects.filter(category=category).order_by("id")


def test_login_logout_and_a_failed_login_are_recorded(client):
    user = UserFactory()
    client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    client.post("/accounts/logout/")

    failed = records(AuditCategory.LOGIN_FAILED).get()
    assert failed.detail == {"username": user.username}
    assert "wrong" not in str(failed.detail)
    login = records(AuditCategory.LOGIN).get()
    assert (login.actor_id, login.actor_label) == (user.pk, user.username)
    assert records(AuditCategory.LOGOUT).get().actor_id == user.pk


def test_a_lockout_is_recorded(client):
    user = UserFactory()
    for _ in range(6):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    lockout = records(AuditCategory.LOCKOUT).first()
    assert lockout is not None
    assert lockout.detail["username"] == user.username


def test_an_unsafe_request_is_recorded_with_status_and_trusted_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    user = UserFactory()
    client.force_login(user)
    client.post("/accounts/logout/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.1.2.3")
    request = records(AuditCategory.REQUEST).get()
    assert request.method == "POST"
    assert request.path == "/accounts/logout/"
    assert request.client_ip == "10.1.2.3"  # never the forged header
    assert request.status_code in (200, 302)


def test_a_refused_object_is_recorded_but_a_scanners_guess_is_not(client):
    client.force_login(UserFactory())
    client.get("/my/cases/YF20990101000001/")
    client.get("/wp-admin/setup.php")
    denied = list(records(AuditCategory.DENIED))
    assert [(d.status_code, d.object_id) for d in denied] == [(404, "YF20990101000001")]


def test_a_safe_request_is_not_recorded(client):
    client.get("/")
    assert not AuditRecord.objects.filter(path="/").exists()


def test_role_grant_and_revoke_are_recorded():
    admin = UserFactory(is_superuser=True, is_staff=True)
    department = DepartmentFactory()
    user = UserFactory()
    role = department_services.staff_role_grant(
        actor=admin, user=user, department=department, role=Role.REVIEWER, stage=Stage.CHECK
    )
    department_services.staff_role_revoke(actor=admin, role=role)
    granted, revoked = records(AuditCategory.ROLE)
    assert (granted.action, granted.actor_id) == ("role_granted", admin.pk)
    assert granted.detail["department"] == department.code
    assert granted.detail["stage"] == Stage.CHECK
    assert (revoked.action, revoked.object_id) == ("role_revoked", str(role.pk))


def test_catalogue_publish_suspend_and_retire_are_recorded(parallel_item):  # noqa: F811
    item = parallel_item
    admin = UserFactory(is_superuser=True)
    permit_services.item_publish(item=item, actor=admin)
    permit_services.item_suspend(item=item, actor=admin)
    permit_services.item_retire(item=item, actor=admin)
    actions = list(records(AuditCategory.CATALOGUE).values_list("action", "object_id"))
    assert actions == [
        ("item_published", str(item.pk)),
        ("item_suspended", str(item.pk)),
        ("item_retired", str(item.pk)),
    ]


def test_an_admin_change_is_recorded():
    admin = UserFactory(is_superuser=True, is_staff=True)
    department = DepartmentFactory()
    LogEntry.objects.log_actions(
        user_id=admin.pk,
        queryset=[department],
        action_flag=CHANGE,
        change_message="[]",
        single_object=True,
    ) if hasattr(LogEntry.objects, "log_actions") else LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(department),
        object_id=str(department.pk),
        object_repr=str(department),
        action_flag=CHANGE,
    )
    entry = records(AuditCategory.ADMIN).get()
    assert (entry.action, entry.object_id, entry.actor_id) == (
        "admin_change",
        str(department.pk),
        admin.pk,
    )


def test_the_admin_lists_and_searches_the_log_but_never_changes_it(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    grant(admin, DepartmentFactory(), Role.ADMIN)
    client.force_login(admin)
    client.post("/accounts/logout/")
    client.force_login(admin)
    page = client.get("/admin/audit/auditrecord/", {"q": admin.username})
    assert page.status_code == 200
    assert "/accounts/logout/" in page.content.decode()
    row = AuditRecord.objects.first()
    assert client.post(f"/admin/audit/auditrecord/{row.pk}/delete/").status_code == 403
    assert client.get("/admin/audit/auditrecord/add/").status_code == 403
