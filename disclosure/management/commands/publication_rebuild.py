"""``manage.py publication_rebuild``: make 办件公示's monthly figures (``PublishedDecision``,
``DepartmentMonthFigure``) again from the case rows, in one transaction. The result equals what
the feed built (``disclosure.month_figures``); run it after a failure the log reported, or
after cases were written without their events being fed (a restore, a bulk import)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from disclosure.month_figures import rebuild


class Command(BaseCommand):
    help = "Rebuild the case publication's monthly figures from the cases."

    def handle(self, *args, **options):
        began = time.monotonic()
        decisions = rebuild()
        self.stdout.write(
            f"{decisions} published decisions summed per department and month "
            f"in {time.monotonic() - began:.1f} s"
        )
