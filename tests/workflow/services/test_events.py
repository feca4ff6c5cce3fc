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


def test_events_append_writes_several_in_one_insert_and_announces_each(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.db.models.signals import post_save

    from workflow.services.events import events_append

    world = build_world(2)
    app = Application.objects.select_related("item").get(pk=new_case(world).pk)
    saved = []

    def listener(sender, instance, created, **kwargs):
        saved.append((instance.pk, created))

    post_save.connect(listener, sender=Event, dispatch_uid="test-events-append")
    try:
        # One INSERT (the action has no notification rule, so no outbox row).
        with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
            events = events_append(
                application=app,
                actor=None,
                action=EventAction.FORM_UPDATED,
                entries=[
                    {"department": d.pk, "note": f"n{i}", "data": {"i": i}}
                    for i, d in enumerate(world.departments)
                ],
            )
    finally:
        post_save.disconnect(dispatch_uid="test-events-append", sender=Event)
    assert [pk for pk, _ in saved] == [e.pk for e in events] and all(c for _, c in saved)
    assert len(callbacks) == 2  # case_changed after commit, once per event
    rows = list(Event.objects.filter(pk__in=[e.pk for e in events]).order_by("pk"))
    assert [(r.department_id, r.note, r.data) for r in rows] == [
        (d.pk, f"n{i}", {"i": i}) for i, d in enumerate(world.departments)
    ]
    assert all(_facts(r) == _expected(app) for r in rows)
