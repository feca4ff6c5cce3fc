from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail. Login, logout, failed logins, lockouts and admin changes are recorded from
    the signals of ``django.contrib.auth``, django-axes and the admin's ``LogEntry``; requests by
    ``audit.middleware.AuditMiddleware``; the domain apps call ``audit.records.record``."""

    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
