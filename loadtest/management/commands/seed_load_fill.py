"""``manage.py seed_load_fill --cases N``: fill the database Django is connected to (already
migrated and ``seed_demo``-ed) with the load dataset. ``seed_load`` runs it inside the template
database; run it by hand only on a scratch database."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fill this (migrated, seed_demo-ed) database with the load dataset (see seed_load)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)

    def handle(self, *args, cases: int, **options):
        from loadtest.build import fill

        stats = fill(
            cases, log=lambda line: self.stdout.write(line, ending="\n") or self.stdout.flush()
        )
        self.stdout.write("STATS " + json.dumps(stats))
