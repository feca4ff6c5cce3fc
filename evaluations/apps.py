from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Ratings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Extends workflow (and the notices) by registering (docs/architecture.md); neither
        # imports us.
        from django.conf import settings
        from django.db.models.signals import post_save

        from notifications.extras import register_body_extra
        from permits.models import Event
        from workflow.parts import register_case_part
        from workflow.steps import register

        from . import conf
        from .board import register_panels
        from .hooks import event_recorded, rating_link_line
        from .selectors import case_ratings
        from .steps import AppealReviewStep, RectificationStep

        register_case_part("ratings", case_ratings)
        register(RectificationStep())
        register(AppealReviewStep())
        from workflow.form_extensions import FORM_EXTENSIONS

        from .forms import RectificationExtension

        FORM_EXTENSIONS[RectificationStep.kind] = RectificationExtension()
        register_body_extra("ratings.link", rating_link_line)
        post_save.connect(event_recorded, sender=Event, dispatch_uid="evaluations-invitation")
        register_panels()

        from permits.demo import register_seed_step

        def _demo():
            from .demo import seed_ratings

            return seed_ratings()

        register_seed_step("evaluations.demo", _demo, order=10)  # after the cases in flight
        # The invitations' sweep on the beat (the schedule dict Celery reads when beat starts,
        # after the apps are ready).
        seconds = float(conf.get("RATING_SWEEP_SECONDS"))
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "ratings-invitations",
            {
                "task": "evaluations.sweep_invitations",
                "schedule": seconds,
                "options": {"expires": seconds},
            },
        )
