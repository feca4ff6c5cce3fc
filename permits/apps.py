from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Service items and applications")

    def ready(self) -> None:
        from permits.public_pages_version import connect_signals

        connect_signals()
