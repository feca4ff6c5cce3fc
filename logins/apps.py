from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoginsConfig(AppConfig):
    """Logins: lockout, second factor, sessions, hashed API tokens and service clients."""

    name = "logins"
    verbose_name = _("Logins and tokens")

    def ready(self) -> None:
        from logins import checks, schema, signals  # noqa: F401 - registers them
