"""The applicant facts (``permits.applicant_roles``): a user's person, the enterprises they
handle, the handler's scope and validity. (Moved from the departments' access tests.)"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from departments.roles import is_staff_member
from permits import applicant_roles as access
from tests.permits.applicant_factories import EnterpriseFactory, HandlerFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def fresh(user):
    return type(user).objects.get(pk=user.pk)


class TestHandlers:
    @time_machine.travel(TODAY, tick=False)
    def test_person_and_enterprises_with_scope(self):
        person = PersonFactory()
        all_items = HandlerFactory(person=person, scope="all")
        some_items = HandlerFactory(person=person, scope=["ITEM-A", "ITEM-B"])
        u = fresh(person.user)

        assert access.user_person(u) == person
        assert access.user_enterprise_ids(u) == {
            all_items.enterprise_id,
            some_items.enterprise_id,
        }
        assert access.user_enterprise_ids(u, item_code="ITEM-A") == {
            all_items.enterprise_id,
            some_items.enterprise_id,
        }
        assert access.user_enterprise_ids(u, item_code="ITEM-C") == {all_items.enterprise_id}
        assert access.user_enterprise_scopes(u) == {
            all_items.enterprise_id: None,
            some_items.enterprise_id: {"ITEM-A", "ITEM-B"},
        }
        assert access.can_act_for_enterprise(u, some_items.enterprise, "ITEM-B")
        assert not access.can_act_for_enterprise(u, some_items.enterprise, "ITEM-C")
        assert access.can_act_for_enterprise(u, all_items.enterprise_id, "ITEM-C")
        assert access.is_handler(u, some_items.enterprise)
        assert access.handler_of(u, some_items.enterprise) == some_items
        # Being a handler is not being staff.
        assert not is_staff_member(u)

    @time_machine.travel(TODAY, tick=False)
    def test_valid_until_is_inclusive(self):
        today = timezone.localdate()
        person = PersonFactory()
        last_day = HandlerFactory(person=person, valid_until=today)
        expired = HandlerFactory(person=person, valid_until=today - dt.timedelta(days=1))
        u = fresh(person.user)

        assert access.user_enterprise_ids(u) == {last_day.enterprise_id}
        assert not access.is_handler(u, expired.enterprise)
        assert not access.can_act_for_enterprise(u, expired.enterprise, "ANY")

        # The next day the last one has ended too.
        with time_machine.travel(TODAY + dt.timedelta(days=1), tick=False):
            assert access.user_enterprise_ids(fresh(person.user)) == frozenset()

    @time_machine.travel(TODAY, tick=False)
    def test_removed_handler_has_no_access(self):
        person = PersonFactory()
        h = HandlerFactory(person=person)
        h.removed_at = timezone.now()
        h.save()
        assert access.user_enterprise_ids(fresh(person.user)) == frozenset()

    def test_someone_elses_enterprise(self):
        mine = PersonFactory()
        HandlerFactory(person=PersonFactory())
        other_enterprise = EnterpriseFactory()
        assert not access.is_handler(fresh(mine.user), other_enterprise)
