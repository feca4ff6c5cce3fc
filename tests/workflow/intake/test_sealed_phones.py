"""Personal data in JSON columns is sealed at rest (issue 12 item 5): the hotline caller's phone
(matched for repeated calls through its lookup hash), the caller phone of a linked call, and form
fields of type id_number / phone — and the data migration seals rows written before."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import connection

from onestop.pii import is_sealed
from permits.models import Application
from tests.workflow import factories as f
from workflow import selectors, services
from workflow.intake import services as intake

pytestmark = pytest.mark.django_db

PHONE = "13800001111"
AGENT_ID = "440106199001011235"


def _raw(column: str, pk: int) -> str:
    """The column's stored JSON text (CAST: PostgreSQL's jsonb and SQLite's text alike)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST({column} AS TEXT) FROM permits_application WHERE id = %s", [pk]
        )
        return cursor.fetchone()[0]


def test_the_callers_phone_is_sealed_and_repeated_calls_still_match(world):
    app = services.application_create(
        actor=world.operator, item=world.item, form={"content": "噪音扰民"}, channel="hotline",
        caller={"phone": PHONE},
    )  # fmt: skip
    assert PHONE not in _raw("caller", app.pk)
    assert is_sealed(Application.objects.get(pk=app.pk).caller["phone"])

    found = selectors.application_list_for_user(
        user=world.operator, filters={"caller_phone": "138-0000-1111"}
    )
    assert [a.pk for a in found] == [app.pk]
    assert not selectors.application_list_for_user(
        user=world.operator, filters={"caller_phone": "13900000000"}
    ).exists()

    services.application_submit(actor=world.operator, application=app)
    intake.call_link(actor=world.operator, application=app, caller={"phone": PHONE})
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(data AS TEXT) FROM permits_event WHERE action = 'call_linked'")
        assert PHONE not in cursor.fetchone()[0]


def test_form_fields_of_type_id_number_and_phone_are_sealed_and_read_back(world):
    item = f.published_item(
        lead=world.office,
        materials=[],
        form_fields=[
            {"name": "summary", "label": "事由", "type": "text", "required": True},
            {"name": "agent_id", "label": "代理人身份证号", "type": "id_number"},
            {"name": "agent_phone", "label": "代理人手机", "type": "phone"},
        ],
    )
    app = services.application_create(
        actor=world.citizen, item=item,
        form={"summary": "申请", "agent_id": AGENT_ID, "agent_phone": PHONE},
    )  # fmt: skip
    raw = _raw("form_data", app.pk)
    # the plain field is stored as it is (SQLite's JSON text escapes non-ASCII: parse it)
    assert AGENT_ID not in raw and PHONE not in raw and json.loads(raw)["summary"] == "申请"
    # the stored form checks again at submission (sealed values are opened first)
    services.application_submit(actor=world.citizen, application=app)
    from permits.formspec import open_form_data

    app.refresh_from_db()
    assert open_form_data(app.form_data)["agent_id"] == AGENT_ID


def test_the_data_migration_seals_rows_written_in_clear(world):
    app = services.application_create(
        actor=world.operator, item=world.item, form={"content": "x"}, channel="hotline",
        caller={"phone": PHONE},
    )  # fmt: skip
    Application.objects.filter(pk=app.pk).update(caller={"phone": PHONE}, caller_phone_hash="")
    assert PHONE in _raw("caller", app.pk)

    migration = importlib.import_module("permits.migrations.0013_seal_form_and_caller_phones")
    migration.seal_existing(django_apps, None)
    migration.seal_existing(django_apps, None)  # again: nothing sealed twice

    assert PHONE not in _raw("caller", app.pk)
    assert Application.objects.get(pk=app.pk).caller_phone_hash
    found = selectors.application_list_for_user(
        user=world.operator, filters={"caller_phone": PHONE}
    )
    assert [a.pk for a in found] == [app.pk]


def test_pii_rotate_re_seals_json_values_and_repeated_calls_match_after(world, settings):
    from django.conf import settings as django_settings
    from django.core.management import call_command

    app = services.application_create(
        actor=world.operator, item=world.item, form={"content": "x"}, channel="hotline",
        caller={"phone": PHONE},
    )  # fmt: skip
    new_keys = "k2:0f0e0d0c0b0a09080706050403020100," + django_settings.PII_DEMO_ENCRYPTION_KEYS
    new_lookup = "h2:" + "ab" * 32 + "," + django_settings.PII_DEMO_LOOKUP_KEYS
    settings.PII_ENCRYPTION_KEYS, settings.PII_LOOKUP_KEYS = new_keys, new_lookup

    call_command("pii_rotate")

    settings.PII_ENCRYPTION_KEYS = new_keys.split(",")[0]
    settings.PII_LOOKUP_KEYS = new_lookup.split(",")[0]  # the old keys are gone
    assert Application.objects.get(pk=app.pk).caller["phone"].startswith("sm4g:k2:")
    found = selectors.application_list_for_user(
        user=world.operator, filters={"caller_phone": PHONE}
    )
    assert [a.pk for a in found] == [app.pk]


def test_pii_rotate_columns_only_leaves_the_json_values_for_a_second_run(world, settings):
    from django.conf import settings as django_settings
    from django.core.management import call_command

    app = services.application_create(
        actor=world.operator, item=world.item, form={"content": "x"}, channel="hotline",
        caller={"phone": PHONE},
    )  # fmt: skip
    new_keys = "k2:0f0e0d0c0b0a09080706050403020100," + django_settings.PII_DEMO_ENCRYPTION_KEYS
    new_lookup = "h2:" + "ab" * 32 + "," + django_settings.PII_DEMO_LOOKUP_KEYS
    settings.PII_ENCRYPTION_KEYS, settings.PII_LOOKUP_KEYS = new_keys, new_lookup

    call_command("pii_rotate", "--columns-only")
    assert Application.objects.get(pk=app.pk).caller["phone"].startswith("sm4g:demo1:")

    call_command("pii_rotate")
    assert Application.objects.get(pk=app.pk).caller["phone"].startswith("sm4g:k2:")
