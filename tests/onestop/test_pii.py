"""Personal data at rest (issue 12 item 5): SM4-encrypted columns, HMAC-SM3 lookups, rotation."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from onestop import pii
from permits.models import Person
from permits.selectors import persons_with_id, persons_with_phone
from tests.permits.applicant_factories import PersonFactory, resident_id

pytestmark = pytest.mark.django_db

NEW_KEYS = "k2:0f0e0d0c0b0a09080706050403020100," + django_settings.PII_DEMO_ENCRYPTION_KEYS
NEW_LOOKUP = "h2:" + "ab" * 32 + "," + django_settings.PII_DEMO_LOOKUP_KEYS


def _raw(person) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_hash FROM permits_person WHERE id = %s",
            [person.pk],
        )
        return cursor.fetchone()


def test_id_numbers_and_phones_are_not_readable_in_the_database_and_still_match():
    number = resident_id(7)
    person = PersonFactory(id_number=number, phone="13812345678")

    id_column, phone_column, id_hash = _raw(person)
    assert id_column.startswith("sm4g:demo1:") and number not in id_column
    assert phone_column.startswith("sm4g:") and "12345678" not in phone_column
    assert id_hash == pii.lookup_hash(number) and number not in id_hash
    # A fresh nonce per write: the same value twice is two different ciphertexts.
    assert pii.seal(number) != pii.seal(number)

    again = Person.objects.get(pk=person.pk)
    assert (again.id_number, again.phone) == (number, "13812345678")
    assert list(persons_with_id("resident_id", number.lower())) == [person]
    assert list(persons_with_phone("138 1234 5678")) == [person]
    assert not persons_with_id("passport", number).exists()


def test_a_lookup_on_the_encrypted_column_is_refused_not_silently_empty():
    with pytest.raises(FieldError):
        Person.objects.filter(id_number="x").exists()


def test_a_tampered_ciphertext_is_refused():
    token = pii.seal("13812345678")
    head, blob = token.rsplit(":", 1)
    bad = head + ":" + ("A" if blob[0] != "A" else "B") + blob[1:]
    with pytest.raises(ValueError):
        pii.unseal(bad)


def test_rotation_re_encrypts_and_re_hashes_with_the_new_keys_and_lookups_match_throughout(
    settings,
):
    number = resident_id(8)
    person = PersonFactory(id_number=number)
    settings.PII_ENCRYPTION_KEYS = NEW_KEYS
    settings.PII_LOOKUP_KEYS = NEW_LOOKUP

    # Before the run: old rows still decrypt and match under the old keys.
    assert Person.objects.get(pk=person.pk).id_number == number
    assert list(persons_with_id("resident_id", number)) == [person]

    call_command("pii_rotate")

    id_column, _phone, id_hash = _raw(person)
    assert id_column.startswith("sm4g:k2:")
    assert id_hash == pii.lookup_hash(number)  # under h2 now
    settings.PII_ENCRYPTION_KEYS = NEW_KEYS.split(",")[0]
    settings.PII_LOOKUP_KEYS = NEW_LOOKUP.split(",")[0]
    assert Person.objects.get(pk=person.pk).id_number == number
    assert list(persons_with_id("resident_id", number)) == [person]


def test_sms_recipients_are_encrypted_at_rest():
    from notifications.models import Delivery

    assert isinstance(Delivery._meta.get_field("to"), pii.EncryptedCharField)


def test_keys_of_the_wrong_form_are_refused(settings):
    settings.PII_ENCRYPTION_KEYS = "k:00ff"
    with pytest.raises(ImproperlyConfigured):
        pii.seal("x")


def test_production_refuses_the_demo_keys():
    import subprocess
    import sys

    env = {
        "PRODUCTION": "true",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "PATH": "/usr/bin:/bin",
        "TWO_FACTOR_REQUIRED": "true",
        "PII_LOOKUP_KEYS": "p:" + "cd" * 32,
    }
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='onestop.settings'; django.setup()"
    )
    demo = django_settings.PII_DEMO_ENCRYPTION_KEYS
    for keys, expected in (("", "must be set"), (demo, "demo key")):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code],
            env={**env, "PII_ENCRYPTION_KEYS": keys},
            capture_output=True,
            text=True,
            check=False,
        )
        assert expected in result.stderr, (keys, result.stderr[-500:])


def test_rotation_writes_a_batch_in_one_update_and_sets_the_hashes(settings):
    from django.test.utils import CaptureQueriesContext

    people = [
        PersonFactory(id_number=resident_id(20 + n), phone=f"1381234560{n}") for n in range(5)
    ]
    settings.PII_ENCRYPTION_KEYS = NEW_KEYS
    settings.PII_LOOKUP_KEYS = NEW_LOOKUP

    with CaptureQueriesContext(connection) as queries:
        call_command("pii_rotate", "--columns-only", "--batch", "100")

    updates = [q["sql"] for q in queries if 'UPDATE "permits_person"' in q["sql"]]
    assert len(updates) == 1
    for person in people:
        id_column, phone_column, id_hash = _raw(person)
        assert id_column.startswith("sm4g:k2:") and phone_column.startswith("sm4g:k2:")
        assert id_hash == pii.lookup_hash(Person.objects.get(pk=person.pk).id_number)
