"""The test factories themselves: a generated row never reuses a fixed one of another test."""

import pytest

from tests.departments.factories import RegionFactory

pytestmark = pytest.mark.django_db


def test_generated_regions_never_take_a_real_division_code():
    # get_or_create on the code: a sequence that reaches 445381 returns this very 罗定市.
    luoding = RegionFactory(code="445381", name="罗定市")
    made = RegionFactory.create_batch(120)
    assert luoding not in made
    assert len({r.pk for r in made}) == 120


def test_the_case_factories_departments_and_the_department_factory_never_share_a_code():
    # Both made "dept-{n}" from sequences of their own: get_or_create then handed one test's
    # department (its region, its staff) to another. One sequence now makes every code.
    from tests.departments.factories import DepartmentFactory
    from tests.workflow import factories as f

    made = []
    for _ in range(5):
        made += [DepartmentFactory(), f.department()]
    assert len({d.pk for d in made}) == len({d.code for d in made}) == 10
    assert f.department(code=made[0].code) == made[0]  # a given code is that department
