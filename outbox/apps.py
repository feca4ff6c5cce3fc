from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """The transactional outbox: project plumbing below every domain app (it imports none)."""

    name = "outbox"
    verbose_name = _("Outbox")
