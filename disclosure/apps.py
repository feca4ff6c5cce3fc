from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("Information disclosure")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Above workflow and the statistics, below portal (DESIGN.md §2): the catalogue tells us
        # about new item versions through its own signal, the statistics feed about the events
        # it counted through its own, and seed_demo runs our step by registration, so neither
        # permits nor stats imports us.
        from permits.demo import register_seed_step
        from permits.signals import item_version_published

        from .guide_changes import version_published

        item_version_published.connect(version_published, dispatch_uid="disclosure-guide-change")

        # 办件公示's monthly figures are fed with the statistics (disclosure.month_figures)
        from stats.signals import events_counted

        from .month_figures import events_counted_received

        events_counted.connect(events_counted_received, dispatch_uid="disclosure-month-figures")

        def _demo():
            from .demo import seed_disclosure

            return seed_disclosure()

        register_seed_step("disclosure.demo", _demo)
