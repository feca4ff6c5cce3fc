from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # The deployment checks of more than one node (docs/scaling.md) register on import.
        from onestop import scaleout  # noqa: F401
