"""``{% stats_updated_to %}``: how far the figures go (stats.feed feeds them in the background,
so a page says up to when, rather than lag silently)."""

from __future__ import annotations

from django import template
from django.db.models import Subquery

from permits.models import Event
from stats.db import reporting_alias
from stats.feed import pending_count
from stats.models import CountedEvent

register = template.Library()


def updated_to():
    """The time of the latest event counted (one lookup by primary key on the reporting
    database, so a replica's lag shows too), or None before any."""
    alias = reporting_alias()
    latest = CountedEvent.objects.using(alias).order_by("-event_id").values("event_id")[:1]
    return (
        Event.objects.using(alias).filter(pk=Subquery(latest)).values_list("at", flat=True).first()
    )


@register.inclusion_tag("stats/includes/updated_to.html")
def stats_updated_to() -> dict:
    return {"updated_to": updated_to(), "waiting": pending_count() or 0}
