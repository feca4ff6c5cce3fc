"""``manage.py export_catalogue FILE.json``: the catalogue in the exchange format."""

import json
import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from permits.exchange import catalogue_export


class Command(BaseCommand):
    help = "Export the service items (every status) to a JSON file (docs/catalogue-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write; '-' writes to standard output.")
        parser.add_argument(
            "--code", action="append", dest="codes", help="Export only this item (repeatable)."
        )

    def handle(self, *args, file: str, codes=None, **options):
        data = catalogue_export(codes=codes)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if file == "-":
            sys.stdout.write(text)
            return
        with open(file, "w", encoding="utf-8") as fh:
            fh.write(text)
        self.stdout.write(
            _("Exported %(count)s items to %(file)s.") % {"count": len(data["items"]), "file": file}
        )
