"""The staff-role facts (``departments.roles``): roles, stages, regions, centres, caching."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from departments import roles as access
from departments.models import Role, ServiceCentre, Stage
from permits import applicant_roles
from tests.departments.factories import UserFactory, grant
from tests.permits.applicant_factories import PersonFactory
from workflow import access as workflow_access

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_anonymous_and_roleless_get_nothing(user, department):
    anon = AnonymousUser()
    for who in (anon, user):
        assert not access.is_staff_member(who)
        assert not access.is_admin(who)
        assert access.user_department_ids(who) == frozenset()
        assert access.user_stage_departments(who) == {}
        assert access.user_supervised_region_ids(who) == frozenset()
        assert applicant_roles.user_person(who) is None
        assert applicant_roles.user_enterprise_ids(who) == frozenset()
        assert not access.is_head(who, department)


def test_inactive_user_gets_nothing(user, department):
    grant(user, department, Role.HEAD)
    user.is_active = False
    user.save()
    assert not access.is_staff_member(fresh(user))
    assert access.user_department_ids(fresh(user)) == frozenset()


def test_department_roles_and_stages(user, department, other_department):
    grant(user, department, Role.REVIEWER, stage=Stage.UNDERTAKE)
    grant(user, department, Role.REVIEWER, stage=Stage.CHECK)
    grant(user, other_department, Role.HEAD)
    u = fresh(user)

    assert access.is_staff_member(u)
    assert access.is_reviewer(u, department)
    assert not access.is_clerk(u)
    assert access.is_head(u, other_department)
    assert access.is_head(u, other_department.pk)
    assert not access.is_head(u, department)
    assert access.user_department_ids(u) == {department.pk, other_department.pk}
    assert access.user_department_ids(u, roles=[Role.HEAD]) == {other_department.pk}
    assert access.user_stage_departments(u) == {
        department.pk: {"undertake", "check"},
        other_department.pk: {"undertake", "check", "sign"},
    }
    assert access.can_act_at_stage(u, department, "check")
    assert not access.can_act_at_stage(u, department, "sign")
    assert access.can_act_at_stage(u, other_department, "sign")


def test_supervisor_region_and_descendants(user, department, city, county, other_county, town):
    grant(user, department, Role.SUPERVISOR, region=county)
    u = fresh(user)
    assert access.is_supervisor(u)
    assert access.user_supervised_region_ids(u) == {county.pk, town.pk}
    # A supervisor does not work on the department's tasks.
    assert access.user_department_ids(u) == frozenset()
    assert access.user_stage_departments(u) == {}

    city_watcher = UserFactory()
    grant(city_watcher, department, Role.SUPERVISOR)  # the department's region: the city
    assert access.user_supervised_region_ids(fresh(city_watcher)) == {
        city.pk,
        county.pk,
        other_county.pk,
        town.pk,
    }


def test_clerk_service_centres(user, centre_department, department, city):
    centre = ServiceCentre.objects.create(
        name="云浮市行政服务中心", region=city, department=centre_department
    )
    grant(user, centre_department, Role.CLERK)
    assert access.user_service_centre_ids(fresh(user)) == {centre.pk}
    reviewer = UserFactory()
    grant(reviewer, department, Role.REVIEWER, stage=Stage.UNDERTAKE)
    assert access.user_service_centre_ids(fresh(reviewer)) == frozenset()


def test_inactive_department_roles_do_not_count(user, department):
    grant(user, department, Role.CLERK)
    department.is_active = False
    department.save()
    assert not access.is_staff_member(fresh(user))


def test_admin_and_superuser(user, department, superuser):
    assert access.is_admin(superuser)
    assert access.is_staff_member(superuser)
    grant(user, department, Role.ADMIN)
    u = fresh(user)
    assert access.is_admin(u)
    assert access.user_department_ids(u) == frozenset()
    assert access.can_manage_role(u, department, Role.HEAD)


def test_can_manage_role(user, department, other_department):
    grant(user, department, Role.HEAD)
    u = fresh(user)
    assert access.can_manage_role(u, department, Role.REVIEWER)
    assert access.can_manage_role(u, department, Role.CLERK)
    assert not access.can_manage_role(u, department, Role.HEAD)
    assert not access.can_manage_role(u, other_department, Role.CLERK)


def test_answers_are_cached_per_user_object(user, department, django_assert_num_queries):
    grant(user, department, Role.REVIEWER, stage=Stage.CHECK)
    PersonFactory(user=user)
    u = fresh(user)
    with django_assert_num_queries(3):  # roles, person, handlerships: once each
        for _ in range(50):
            access.is_staff_member(u)
            access.user_department_ids(u)
            access.user_stage_departments(u)
            access.can_act_at_stage(u, department, "check")
            applicant_roles.user_person(u)
            applicant_roles.user_enterprise_ids(u, item_code="X")
    access.forget(u)
    with django_assert_num_queries(1):
        access.user_department_ids(u)


def test_not_found_is_http404():
    with pytest.raises(Http404):
        access.not_found()


@pytest.mark.parametrize(
    ("role", "stage", "acts"),
    [
        (Role.CLERK, "", True),  # acceptance at the window
        (Role.REVIEWER, Stage.CHECK, True),
        (Role.HEAD, "", True),
        (Role.SUPERVISOR, "", False),  # read-only today
        (Role.ADMIN, "", False),  # configures the catalogue, acts on no case
    ],
)
def test_can_act_on_some_task_by_role(user, department, city, role, stage, acts):
    region = city if role == Role.SUPERVISOR else None
    grant(user, department, role, stage=stage, region=region)
    assert workflow_access.can_act_on_some_task(fresh(user)) is acts


def test_can_act_on_some_task_denies_by_default(user, department):
    assert not workflow_access.can_act_on_some_task(AnonymousUser())
    assert not workflow_access.can_act_on_some_task(user)
    grant(user, department, Role.REVIEWER, stage=Stage.UNDERTAKE)
    user.is_active = False
    user.save()
    assert not workflow_access.can_act_on_some_task(fresh(user))
