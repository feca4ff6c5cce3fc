"""Persons' ID numbers and phones SM4-encrypted at rest, with HMAC-SM3 lookup hashes (issue 12
item 5). Reversible: backwards writes the plain values back."""

from django.db import migrations, models

import onestop.pii


def seal_rows(apps, schema_editor):
    Person = apps.get_model("permits", "Person")
    for person in Person.objects.all().iterator():
        # from_db_value leaves a plain (not yet sealed) value as it is; saving seals and hashes.
        person.save(update_fields=["id_number", "phone", "id_number_hash", "phone_hash"])


def unseal_rows(apps, schema_editor):
    Person = apps.get_model("permits", "Person")
    with schema_editor.connection.cursor() as cursor:
        for pk, id_number, phone in Person.objects.values_list("pk", "id_number", "phone"):
            cursor.execute(
                "UPDATE permits_person SET id_number = %s, phone = %s WHERE id = %s",
                [id_number, phone, pk],
            )


class Migration(migrations.Migration):
    dependencies = [("permits", "0008_event_case_columns")]

    operations = [
        migrations.RemoveConstraint(model_name="person", name="person_id_unique"),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=onestop.pii.EncryptedCharField(max_length=32, verbose_name="ID number"),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=onestop.pii.EncryptedCharField(max_length=20, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_hash",
            field=onestop.pii.LookupHashField(db_index=True, source="id_number"),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_hash",
            field=onestop.pii.LookupHashField(db_index=True, source="phone"),
        ),
        migrations.RunPython(seal_rows, unseal_rows),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                fields=("id_type", "id_number_hash"), name="person_id_hash_unique"
            ),
        ),
    ]
