"""``manage.py import_catalogue FILE.json``: all or nothing, validated, idempotent."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from permits.exchange import CatalogueImportInvalid, catalogue_import


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Import service items from a JSON file (docs/catalogue-format.md). Nothing changes "
        "unless the whole file is valid; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, then roll everything back."
        )
        parser.add_argument("--user", help="Username recorded as the publisher of new versions.")

    def handle(self, *args, file: str, dry_run: bool = False, user=None, **options):
        try:
            with open(file, encoding="utf-8-sig") as fh:
                data = json.load(fh)
        except OSError as exc:
            message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            raise CommandError(message) from None
        except json.JSONDecodeError as exc:
            raise CommandError(
                _("%(file)s is not valid JSON (line %(line)s, column %(column)s): %(error)s")
                % {"file": file, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
            ) from None
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("No user is called %(name)s.") % {"name": user})

        try:
            with transaction.atomic():
                report = catalogue_import(data=data, actor=actor)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except CatalogueImportInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                _("%(count)s problems in %(file)s; nothing was imported.")
                % {"count": len(exc.problems), "file": file}
            ) from None

        for label, codes in (
            (pgettext("catalogue import", "created"), report.created),
            (_("updated"), report.updated),
        ):
            for code in codes:
                self.stdout.write(f"  {label}: {code}")
        summary = report.summary()
        if dry_run:
            summary = _("Dry run, nothing saved: %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
