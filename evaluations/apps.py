from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Ratings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Extends workflow by registering (docs/architecture.md); workflow never imports us.
        from workflow.parts import register_case_part

        from .selectors import case_ratings

        register_case_part("ratings", case_ratings)
