from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from permits.models import Event

        from .hooks import event_recorded

        post_save.connect(event_recorded, sender=Event, dispatch_uid="notifications-event")

        from workflow.signals import events_appended

        from .hooks import events_recorded

        events_appended.connect(events_recorded, dispatch_uid="notifications-events")

        from permits.signals import registration_on_record

        from .hooks import registration_attempt_on_record

        registration_on_record.connect(
            registration_attempt_on_record, dispatch_uid="notifications-registration-on-record"
        )
