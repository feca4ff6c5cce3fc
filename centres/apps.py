"""The service centre (行政服务中心): the items each window accepts, the clerk on duty, queue
tickets, appointments, and the kiosk, hall display and walk-in intake pages (DESIGN.md §2)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    name = "centres"
    verbose_name = _("Service centres")

    def ready(self) -> None:
        # Above workflow: the supervision board's panel is registered, never imported by it.
        from workflow.deadlines.board import register_panel

        from .board import QUEUE_LOAD_PANEL

        register_panel(QUEUE_LOAD_PANEL)

        # seed_demo's window items (permits runs the steps registered; it never imports us).
        from permits.demo import register_seed_step

        def _window_items():
            from .demo import seed_window_items

            return seed_window_items()

        register_seed_step("centres.window_items", _window_items)

        # A window visit is rated 一次一评: the ticket is the ratings app's ``visit`` kind.
        from .visits import register as register_visit_subject

        register_visit_subject()
