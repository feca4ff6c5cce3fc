"""Granting and revoking staff roles keeps the guardian permissions on departments in sync."""

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import get_perms

from departments import roles
from departments.exceptions import InvalidRole, NotAllowed
from departments.models import Role, StaffRole, Stage
from departments.permissions import ADMIN_GROUP_NAME
from departments.services import staff_role_grant, staff_role_revoke
from tests.departments.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def perms(user, department):
    # A fresh user object: guardian and Django cache permissions on the instance.
    fresh = type(user).objects.get(pk=user.pk)
    return set(get_perms(fresh, department))


def test_reviewer_gets_work_permission(user, department, other_department):
    role = grant(user, department, Role.REVIEWER, stage=Stage.CHECK)

    assert role.stage == "check"
    assert perms(user, department) == {"work_department"}
    assert perms(user, other_department) == set()
    fresh = type(user).objects.get(pk=user.pk)
    assert fresh.has_perm("departments.work_department", department)
    assert not fresh.has_perm("departments.work_department", other_department)


def test_head_gets_both_and_supervisor_only_supervise(user, department, other_department):
    grant(user, department, Role.HEAD)
    grant(user, other_department, Role.SUPERVISOR)

    assert perms(user, department) == {"work_department", "supervise_department"}
    assert perms(user, other_department) == {"supervise_department"}


def test_revoke_keeps_what_other_roles_still_need(user, department):
    undertake = grant(user, department, Role.REVIEWER, stage=Stage.UNDERTAKE)
    check = grant(user, department, Role.REVIEWER, stage=Stage.CHECK)
    head = grant(user, department, Role.HEAD)

    staff_role_revoke(actor=None, role=head)
    assert perms(user, department) == {"work_department"}

    staff_role_revoke(actor=None, role=undertake)
    assert perms(user, department) == {"work_department"}  # the check stage still needs it

    staff_role_revoke(actor=None, role=check)
    assert perms(user, department) == set()
    assert not StaffRole.objects.filter(user=user).exists()


def test_grant_is_idempotent(user, department):
    first = grant(user, department, Role.CLERK)
    second = grant(user, department, Role.CLERK)
    assert first.pk == second.pk
    assert StaffRole.objects.filter(user=user).count() == 1


def test_supervisor_defaults_to_department_region(user, department, county):
    role = grant(user, department, Role.SUPERVISOR)
    assert role.region == department.region

    other = UserFactory()
    role = grant(other, department, Role.SUPERVISOR, region=county)
    assert role.region == county


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": Role.REVIEWER}, "stage"),
        ({"role": Role.REVIEWER, "stage": "approve"}, "stage"),
        ({"role": Role.CLERK, "stage": Stage.CHECK}, "stage"),
        ({"role": "janitor"}, "role"),
    ],
)
def test_invalid_roles(user, department, kwargs, field):
    with pytest.raises(InvalidRole) as exc:
        staff_role_grant(actor=None, user=user, department=department, **kwargs)
    assert field in exc.value.fields
    assert not StaffRole.objects.exists()
    assert perms(user, department) == set()


def test_region_only_for_supervisors(user, department, county):
    with pytest.raises(InvalidRole) as exc:
        staff_role_grant(
            actor=None, user=user, department=department, role=Role.HEAD, region=county
        )
    assert "region" in exc.value.fields


def test_inactive_department_refused(user, department):
    department.is_active = False
    department.save()
    with pytest.raises(InvalidRole) as exc:
        grant(user, department, Role.CLERK)
    assert "department" in exc.value.fields


def test_who_may_grant(user, department, other_department, superuser):
    head = UserFactory()
    grant(head, department, Role.HEAD)
    nobody = UserFactory()

    # A head grants clerks and reviewers of their own department ...
    staff_role_grant(actor=head, user=user, department=department, role=Role.CLERK)
    # ... but not heads, nor anything elsewhere.
    with pytest.raises(NotAllowed):
        staff_role_grant(actor=head, user=user, department=department, role=Role.HEAD)
    with pytest.raises(NotAllowed):
        staff_role_grant(actor=head, user=user, department=other_department, role=Role.CLERK)
    with pytest.raises(NotAllowed):
        staff_role_grant(actor=nobody, user=user, department=department, role=Role.CLERK)
    # A superuser and an admin grant anything.
    staff_role_grant(actor=superuser, user=user, department=department, role=Role.HEAD)
    admin = UserFactory()
    grant(admin, other_department, Role.ADMIN)
    staff_role_grant(actor=admin, user=user, department=other_department, role=Role.SUPERVISOR)
    # Revoking follows the same rule.
    clerk_role = StaffRole.objects.get(user=user, role=Role.CLERK)
    with pytest.raises(NotAllowed):
        staff_role_revoke(actor=nobody, role=clerk_role)
    staff_role_revoke(actor=head, role=clerk_role)
    assert not StaffRole.objects.filter(user=user, role=Role.CLERK).exists()


def test_admin_role_opens_django_admin(user, department):
    role = grant(user, department, Role.ADMIN)
    user.refresh_from_db()
    assert user.is_staff
    group = Group.objects.get(name=ADMIN_GROUP_NAME)
    assert user.groups.filter(pk=group.pk).exists()
    fresh = type(user).objects.get(pk=user.pk)
    assert fresh.has_perm("departments.change_department")
    assert fresh.has_perm("departments.add_staffrole")
    assert not fresh.has_perm("permits.change_person")
    assert perms(user, department) == set()  # no case work from the admin role

    staff_role_revoke(actor=None, role=role)
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.groups.filter(pk=group.pk).exists()


def test_grant_refreshes_the_access_cache(user, department):
    assert not roles.is_staff_member(user)
    grant(user, department, Role.CLERK)
    assert roles.is_clerk(user, department)
