"""``manage.py seed_load_check``: one JSON line saying what this load database holds and
whether the inbox, the applications API and the tracking page answer on it."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Check a load database (counts, consistency, pages answering)."

    def handle(self, *args, **options):
        from loadtest.check import check

        self.stdout.write(json.dumps(check(), ensure_ascii=False))
