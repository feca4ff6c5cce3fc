"""The scorecard's default indicators and weights (issue 13 item 3): on-time rate, 承诺压缩,
satisfaction, 差评 rectification, red cards, online rate. Edited in the admin afterwards."""

from django.db import migrations

DEFAULTS = (
    ("on_time", 30),
    ("limit_reduction", 15),
    ("satisfaction", 20),
    ("rectification", 10),
    ("red_cards", 15),
    ("online", 10),
)


def add_defaults(apps, schema_editor):
    Indicator = apps.get_model("statistics", "ScorecardIndicator")
    for position, (indicator, weight) in enumerate(DEFAULTS):
        Indicator.objects.get_or_create(
            indicator=indicator, defaults={"weight": weight, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("statistics", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
