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
