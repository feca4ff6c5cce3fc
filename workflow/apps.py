from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from importlib import import_module

        from django.db.models.signals import post_delete, post_save

        from .steps import BUILTIN_STEP_MODULES

        # The task kinds workflow builds register themselves on import; apps above workflow
        # register theirs from their own ready() (docs/architecture.md).
        for module in BUILTIN_STEP_MODULES:
            import_module(module)

        from .deadlines import calendar, clocks
        from .models import CalendarDay, CalendarYear

        def _calendar_changed(**kwargs) -> None:
            calendar.invalidate()

        for model in (CalendarDay, CalendarYear):
            post_save.connect(_calendar_changed, sender=model, dispatch_uid=f"cal-save-{model}")
            post_delete.connect(_calendar_changed, sender=model, dispatch_uid=f"cal-del-{model}")
        clocks.connect_signals()

        from .models import CaseProcess
        from .services import locking

        post_save.connect(
            locking.process_created, sender=CaseProcess, dispatch_uid="case-process-created"
        )

        from .deadlines.board import register_deadline_panels

        register_deadline_panels()

        from .deadlines.board import register_panel
        from .deadlines.process_board import PROCESS_PANEL

        register_panel(PROCESS_PANEL)

        from .intake.board import REPEATED_CALLS_PANEL

        register_panel(REPEATED_CALLS_PANEL)

        from .intake import exchange as intake_exchange

        intake_exchange.register()  # request_limits in the catalogue exchange format

        from onestop.views import readiness_check

        readiness_check("calendar")(calendar.readiness)

        # seed_demo's cases in flight (issue 14 item 15): permits runs the steps registered.
        from permits.demo import register_seed_step

        def _demo_inflight():
            from .demo_inflight import seed_inflight

            return seed_inflight()

        register_seed_step("workflow.demo_inflight", _demo_inflight)
