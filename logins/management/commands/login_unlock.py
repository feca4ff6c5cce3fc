"""``manage.py login_unlock --username NAME`` / ``--ip ADDRESS``: lift a login lockout."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from logins import services
from logins.exceptions import LoginsError


class Command(BaseCommand):
    help = "Lift the login lockout of an account and/or a client address."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username")
        parser.add_argument("--ip", dest="ip_address")

    def handle(self, *args, username=None, ip_address=None, **options) -> None:
        try:
            count = services.login_unlock(
                actor="manage.py", username=username, ip_address=ip_address
            )
        except LoginsError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{count} lockout record(s) cleared.")
