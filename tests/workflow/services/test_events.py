"""``event_append`` (workflow/services/events.py): every Event carries its case's item, region,
service model and channel, and the migration that added those columns fills the old rows."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from permits.choices import EventAction
from permits.models import Application, Event
from tests.workflow.journey import build_world, new_case
from workflow.services.events import event_append

pytestmark = pytest.mark.django_db

fill_migration = importlib.import_module("permits.migrations.0008_event_case_columns")


def _facts(event: Event) -> tuple:
    return (event.item_id, event.region_id, event.service_model, event.channel)


def _expected(app: Application) -> tuple:
    return (app.item_id, app.region_id, app.item.service_model, app.channel)


def test_event_append_copies_the_case_facts_from_an_instance_without_a_query(
    django_assert_num_queries,
):
    world = build_world(1)
    app = Application.objects.select_related("item").get(pk=new_case(world).pk)
    assert app.item.service_model == "parallel" and app.channel == "online"
    with django_assert_num_queries(1):  # the INSERT alone
        event = event_append(application=app, actor=None, action=EventAction.FORM_UPDATED)
    event.refresh_from_db()
    assert _facts(event) == _expected(app)
    assert event.action == "form_updated"


def test_event_append_reads_the_facts_of_an_id_or_an_instance_without_its_item():
    world = build_world(0)  # a single-department item
    app = new_case(world)
    by_id = event_append(application=app.pk, actor=None, action=EventAction.FORM_UPDATED)
    bare = Application.objects.get(pk=app.pk)  # item not loaded
    by_instance = event_append(application=bare, actor=None, action=EventAction.FORM_UPDATED)
    for event in (by_id, by_instance):
        event.refresh_from_db()
        assert _facts(event) == _expected(app)
        assert event.service_model == "single_department"


def test_event_append_refuses_an_action_outside_the_choices():
    app = new_case(build_world(1))
    with pytest.raises(ValueError):
        event_append(application=app, actor=None, action="review_started")


def test_every_event_the_services_write_carries_the_facts():
    app = new_case(build_world(1))  # created, material_uploaded through the services
    events = list(Event.objects.filter(application=app))
    assert {e.action for e in events} >= {"created", "material_uploaded"}
    assert {_facts(e) for e in events} == {_expected(app)}


def test_the_migration_fills_old_events_and_empties_them_backwards():
    app = new_case(build_world(1))
    old = Event.objects.create(application=app, action="created")  # as written before 0008
    assert _facts(old) == (None, None, "", "")
    editor = SimpleNamespace(connection=connection)

    fill_migration.fill_case_columns(django_apps, editor)
    old.refresh_from_db()
    assert _facts(old) == _expected(app)

    fill_migration.clear_case_columns(django_apps, editor)
    old.refresh_from_db()
    assert _facts(old) == (None, None, "", "")
