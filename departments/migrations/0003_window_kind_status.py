"""Window kind (comprehensive / department / assisted 帮办代办) and status (open / paused /
closed) replace the booleans ``comprehensive`` and ``is_open`` (issue 10 item 1)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Window = apps.get_model("departments", "Window")
    Window.objects.filter(comprehensive=True).update(kind="comprehensive")
    Window.objects.filter(is_open=False).update(status="closed")


def backwards(apps, schema_editor):
    Window = apps.get_model("departments", "Window")
    Window.objects.filter(kind="comprehensive").update(comprehensive=True)
    Window.objects.exclude(status="open").update(is_open=False)


class Migration(migrations.Migration):
    dependencies = [("departments", "0002_staffrole_region_only_for_supervisors")]

    operations = [
        migrations.AddField(
            model_name="window",
            name="kind",
            field=models.CharField(
                choices=[
                    ("comprehensive", "Comprehensive window"),
                    ("department", "Department window"),
                    ("assisted", "Assisted-service window"),
                ],
                default="department",
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="window",
            name="status",
            field=models.CharField(
                choices=[("open", "Open"), ("paused", "Paused"), ("closed", "Closed")],
                default="open",
                max_length=8,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="window", name="comprehensive"),
        migrations.RemoveField(model_name="window", name="is_open"),
    ]
