from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    # The package is ``stats``, not ``statistics``: a top-level ``statistics`` package would
    # shadow the standard library's (Django's SQLite backend imports ``statistics.pstdev`` and
    # fails to load under the shadow). The app label stays ``statistics``.
    name = "stats"
    label = "statistics"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Fed from the event log after commit (stats.feed: the committed events' ids queued,
        # drained by the Celery task ``statistics.feed``) by the signals workflow sends for every
        # Event (workflow never imports us); a panel on the supervision board. seed_demo calls
        # ``statistics_rebuild --missing`` by name at its end (after the hotline's demo calls).
        from django.db.models.signals import post_save

        from evaluations.signals import ratings_changed
        from permits.models import Event
        from workflow.signals import case_changed

        from .board import register_panels
        from .feed import case_changed_received, event_saved
        from .ratings import ratings_changed_received

        case_changed.connect(case_changed_received, dispatch_uid="statistics-ingest")
        # the ratings' read model, kept in the transaction that changed a rating (the ratings
        # send the signal; they never import us)
        ratings_changed.connect(ratings_changed_received, dispatch_uid="statistics-ratings")
        # the events of one transaction queued together after its commit
        post_save.connect(event_saved, sender=Event, dispatch_uid="statistics-batch")
        register_panels()

        # seed_demo's history of the last months (stats.demo_history), before the cases in
        # flight (permits runs the steps registered; it never imports us)
        from permits.demo import register_seed_step

        def _demo_history():
            from .demo_history import seed_history

            return seed_history()

        register_seed_step("statistics.demo_history", _demo_history, order=-1)
