"""DRF's authtoken table held API tokens in clear text; the hashed tokens replace it. Drop its
rows where an older install has it: those tokens stop working (the table itself is left to
its own app's migrations)."""

from django.db import migrations


def drop_plaintext_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        schema_editor.execute(f"DELETE FROM {schema_editor.quote_name('authtoken_token')}")


class Migration(migrations.Migration):
    dependencies = [("logins", "0001_initial")]

    operations = [migrations.RunPython(drop_plaintext_tokens, migrations.RunPython.noop)]
