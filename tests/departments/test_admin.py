"""The departments admin: staff roles go through the services (guardian perms in sync)."""

import pytest
from guardian.shortcuts import get_perms

from departments.models import Role, StaffRole
from tests.departments.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def perms(user, department):
    return set(get_perms(type(user).objects.get(pk=user.pk), department))


def test_add_role_grants_guardian_perms(admin_client, user, department):
    response = admin_client.post(
        "/admin/departments/staffrole/add/",
        {"user": user.pk, "department": department.pk, "role": Role.HEAD, "stage": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert StaffRole.objects.get(user=user).role == Role.HEAD
    assert perms(user, department) == {"work_department", "supervise_department"}


def test_add_reviewer_without_stage_shows_error(admin_client, user, department):
    response = admin_client.post(
        "/admin/departments/staffrole/add/",
        {"user": user.pk, "department": department.pk, "role": Role.REVIEWER, "stage": ""},
    )
    assert response.status_code == 200
    assert "审查人员须指定审查环节" in response.content.decode()
    assert not StaffRole.objects.exists()


def test_delete_role_revokes_guardian_perms(admin_client, user, department):
    role = grant(user, department, Role.CLERK)
    response = admin_client.post(f"/admin/departments/staffrole/{role.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not StaffRole.objects.exists()
    assert perms(user, department) == set()


def test_bulk_revoke_action(admin_client, user, department, other_department):
    grant(user, department, Role.CLERK)
    grant(user, other_department, Role.HEAD)
    response = admin_client.post(
        "/admin/departments/staffrole/",
        {
            "action": "revoke_selected",
            "_selected_action": list(StaffRole.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 302
    assert not StaffRole.objects.exists()
    assert perms(user, other_department) == set()


def test_role_cannot_be_edited_in_place(admin_client, user, department, other_department):
    role = grant(user, department, Role.CLERK)
    admin_client.post(
        f"/admin/departments/staffrole/{role.pk}/change/",
        {"user": user.pk, "department": other_department.pk, "role": Role.HEAD},
    )
    role.refresh_from_db()
    assert role.department == department and role.role == Role.CLERK


def test_admin_role_holder_uses_the_admin(client, user, department, other_department):
    admin = UserFactory()
    grant(admin, other_department, Role.ADMIN)
    client.force_login(admin)
    assert client.get("/admin/departments/department/").status_code == 200
    response = client.post(
        "/admin/departments/staffrole/add/",
        {"user": user.pk, "department": department.pk, "role": Role.CLERK, "stage": ""},
    )
    assert response.status_code == 302
    assert perms(user, department) == {"work_department"}


def test_lists_render(admin_client, department, county):
    for url in (
        "/admin/departments/region/",
        "/admin/departments/department/",
        f"/admin/departments/department/{department.pk}/change/",
        "/admin/departments/staffrole/",
        "/admin/departments/servicecentre/",
        "/admin/departments/servicecentre/add/",
        "/admin/departments/department/?level__exact=city&kind__exact=permitting",
        "/admin/departments/department/?q=市场",
    ):
        assert admin_client.get(url).status_code == 200, url
