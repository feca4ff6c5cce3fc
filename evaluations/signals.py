"""What the ratings tell the read models of the apps above them (they connect; the ratings never
import them): the statistics' ratings read model (``stats.ratings``) listens."""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

# Sent inside the transaction that changed what a rating counts for, with ``rating_ids``: the
# ratings made (``Rating`` created, a system default too), set aside on appeal, or whose
# rectification closed (its ``on_time``). A receiver writing in that transaction commits with
# the change or fails with it. Sending it twice for the same ratings must change nothing.
ratings_changed = Signal()


def ratings_changed_send(rating_ids: Iterable[int]) -> None:
    ids = sorted({pk for pk in rating_ids if pk})
    if ids:
        ratings_changed.send(sender=ratings_changed_send, rating_ids=ids)
