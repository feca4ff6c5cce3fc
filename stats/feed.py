"""The statistics feed's queue: events are fed in batches by a Celery task, not in the request
that moved the case (docs/statistics.md, "How the figures are fed").

* **In the request, after commit: no SQL.** The events a transaction appends are gathered as
  they are saved (``post_save`` of Event, which ``event_append`` and ``events_append`` both
  send) and, after that transaction commits, their ids go into a Redis set (``PENDING``) with
  one pipeline that also sets a flag (``SCHEDULED``, ``SET NX`` with a lifetime); only the
  transaction that set the flag publishes the task ``statistics.feed`` (by name, without an
  outbox row: a lost message is repaired by the catch-up below). A rolled-back transaction
  records nothing: its commit callback never runs.
* **The task drains the set** ``STATISTICS_FEED_BATCH`` ids at a time (``SPOP``) and calls
  ``ingest_events`` once per batch, so a case's facts are recomputed once per batch however
  many of its events are in it. Then it clears the flag and looks once more (an id added
  between its last ``SPOP`` and the clearing found the flag set and sent nothing).
* **Nothing is lost.** Counting is idempotent (``CountedEvent``): an id recorded twice, or fed
  again after a worker died before acknowledging, counts once. Ids Redis loses (a restart, a
  worker killed after its ``SPOP``, Redis down when the request recorded) are counted by the
  beat's ``statistics.catch_up`` (``ingest_missing``, every ``STATISTICS_CATCH_UP_SECONDS``).
* Without a Redis broker (the demo: SQLite and kombu's filesystem transport) or with
  ``STATISTICS_FEED = "inline"``, the transaction's events are fed after commit in the process
  that committed them, in one ``ingest_events`` call (the feed before the queue).
"""

from __future__ import annotations

import logging
import threading
import time
from functools import cache

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Subquery

from permits.models import Event

from .db import WRITE_ALIAS, reporting_alias
from .ingest import ingest_events
from .models import CountedEvent

logger = logging.getLogger(__name__)

PENDING = "statistics:feed:pending"  # the ids of events committed and not fed yet
SCHEDULED = "statistics:feed:scheduled"  # a drain is published or running
TASK = "statistics.feed"


# --- Where the pending ids live -------------------------------------------------------------


@cache
def _client_for(url: str):
    import redis

    # short timeouts: a request never waits on a Redis that is down (the catch-up counts later)
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def _broker_url() -> str:
    from onestop.celery import app

    return str(app.conf.broker_url or "")


def redis_client():
    """The broker's Redis (the same the tasks are queued in: persisted and never evicting in
    production, settings ``CELERY_BROKER_URL``), or None without one."""
    url = _broker_url()
    if not url.startswith(("redis://", "rediss://")):
        return None
    return _client_for(url)


def background() -> bool:
    return settings.STATISTICS_FEED != "inline" and redis_client() is not None


def pending_count() -> int | None:
    """How many committed events wait to be fed (None: not known, no Redis or it is down)."""
    client = redis_client()
    if client is None:
        return None
    try:
        return int(client.scard(PENDING))
    except Exception:  # noqa: BLE001 - a page asking must not fail on Redis
        return None


# --- The request side: record after commit --------------------------------------------------


def fed_up_to() -> dict:
    """How far the figures go, for the pages that show them (they are fed in the background,
    so a page says up to when rather than lag silently): ``updated_to``, the time of the latest
    event counted (one lookup by primary key on the reporting database, so a replica's lag
    shows too; None before any), and ``waiting``, the events queued and not yet counted."""
    alias = reporting_alias()
    latest = CountedEvent.objects.using(alias).order_by("-event_id").values("event_id")[:1]
    updated_to = (
        Event.objects.using(alias).filter(pk=Subquery(latest)).values_list("at", flat=True).first()
    )
    return {"updated_to": updated_to, "waiting": pending_count() or 0}


def _publish() -> None:
    from onestop.dispatch import send_now

    send_now(TASK, countdown=settings.STATISTICS_FEED_DELAY_SECONDS)


def record(event_ids) -> bool:
    """Queue ``event_ids`` for the feed (after commit): one Redis round trip, and the task
    published when no drain is pending. False when Redis did not take them (logged; the
    catch-up counts them)."""
    ids = sorted(set(event_ids))
    if not ids:
        return True
    if not background():
        _feed_inline(ids)
        return True
    client = redis_client()
    try:
        pipe = client.pipeline(transaction=False)
        pipe.sadd(PENDING, *ids)
        pipe.set(SCHEDULED, "1", nx=True, ex=settings.STATISTICS_FEED_FLAG_SECONDS)
        _added, first = pipe.execute()
    except Exception as exc:  # noqa: BLE001 - the statistics never fail the request
        logger.warning(
            "statistics: %d events not queued (%s); the catch-up counts them", len(ids), exc
        )
        return False
    if first:
        try:
            _publish()
        except Exception as exc:  # noqa: BLE001
            # the flag expires (STATISTICS_FEED_FLAG_SECONDS) and a later commit publishes
            logger.warning("statistics: the feed task was not published (%s)", exc)
    return True


def _feed_inline(ids: list[int]) -> None:
    try:
        ingest_events(ids)
    except Exception:  # a statistics failure must not fail the request that moved the case
        logger.exception("statistics: events %s not counted (a rebuild will count them)", ids)


_local = threading.local()


class _Batch:
    """The events of one transaction, recorded together after it commits."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def flush(self) -> None:
        if getattr(_local, "batch", None) is self:
            _local.batch = None
        record(self.ids)
        _local.fed = frozenset(self.ids)


def _pending_batch(connection) -> _Batch | None:
    """This transaction's batch: the one whose flush is still among the connection's commit
    callbacks (a rolled-back transaction or savepoint drops it, and a new batch starts)."""
    batch = getattr(_local, "batch", None)
    if batch is None:
        return None
    if any(callback == batch.flush for _sids, callback, _robust in connection.run_on_commit):
        return batch
    return None


def event_saved(sender, instance=None, created=False, raw=False, using=None, **kwargs) -> None:
    """``post_save`` of Event: gather the event into its transaction's batch (no query)."""
    if not created or raw or instance is None or instance.pk is None:
        return
    using = using or WRITE_ALIAS
    if using != WRITE_ALIAS:
        return
    connection = connections[using]
    if not connection.in_atomic_block:  # autocommit: it is committed already
        record([instance.pk])
        return
    batch = _pending_batch(connection)
    if batch is None:
        batch = _local.batch = _Batch()
        transaction.on_commit(batch.flush, using=using)
    batch.ids.add(instance.pk)


def case_changed_received(sender, event_id: int | None = None, **kwargs) -> None:
    """The ``workflow.signals.case_changed`` receiver (after commit): nothing to do when the
    transaction's batch recorded the event; otherwise it is recorded alone."""
    if not event_id or event_id in getattr(_local, "fed", ()):
        return
    record([event_id])


# --- The worker side: drain in batches ------------------------------------------------------


def drain(*, batch: int | None = None, max_seconds: float | None = None) -> int:
    """Feed the pending events, ``batch`` ids per ``ingest_events`` call, until none is left
    (or ``max_seconds`` passed: then a new drain is published and this one returns); the
    number of events counted. What a batch fails on stays unmarked for the catch-up."""
    client = redis_client()
    if client is None:
        return 0
    batch = batch or settings.STATISTICS_FEED_BATCH
    limit = max_seconds if max_seconds is not None else settings.STATISTICS_FEED_DRAIN_SECONDS
    began = time.monotonic()
    counted = 0
    pending, scheduled = PENDING, SCHEDULED
    while True:
        raw = client.spop(pending, batch)
        if raw:
            ids = sorted(int(x) for x in raw)
            try:
                counted += ingest_events(ids).counted
            except Exception:
                logger.exception(
                    "statistics: a batch of %d events failed; the catch-up counts them", len(ids)
                )
            client.expire(scheduled, settings.STATISTICS_FEED_FLAG_SECONDS)
            if time.monotonic() - began > limit:
                _publish()  # the flag stays: this drain hands on to the next
                return counted
            continue
        # Empty: clear the flag, then look once more — a commit between the SPOP and the
        # clearing saw the flag set and published nothing, so its ids are ours.
        client.delete(scheduled)
        if not client.scard(pending):
            return counted
        if not client.set(scheduled, "1", nx=True, ex=settings.STATISTICS_FEED_FLAG_SECONDS):
            return counted  # another commit set it and published a drain


CHECKED = "statistics:feed:checked"  # the catch-up's marks (a hash: older, newer, full_at)


def catch_up(*, now: float | None = None) -> dict:
    """The beat's safety net: count every event not marked yet (``ingest_missing``: what Redis
    lost, what a dead worker had taken), then drain what is pending.

    Incremental: each run notes the newest event id (``newer``) and looks only above the id
    the run before the last one noted (``older``), so an event is looked at by at least two
    runs after its id was taken — a transaction has a whole interval
    (``STATISTICS_CATCH_UP_SECONDS``) to commit before a run stops looking below it. Once every
    ``STATISTICS_CATCH_UP_FULL_SECONDS`` (and whenever the marks are gone) a run looks at the
    whole log. At 13 million events the whole look is an anti-join over every event id; the
    incremental one reads the last intervals' ids only."""
    from django.db.models import Max

    from .ingest import ingest_missing

    now = time.time() if now is None else now
    client = redis_client()
    marks = {}
    if client is not None:
        marks = {k.decode(): v.decode() for k, v in (client.hgetall(CHECKED) or {}).items()}
    full_every = float(settings.STATISTICS_CATCH_UP_FULL_SECONDS)
    full = not marks or now - float(marks.get("full_at") or 0) >= full_every
    after = 0 if full else int(marks.get("older") or 0)
    top = Event.objects.using(WRITE_ALIAS).aggregate(top=Max("pk"))["top"] or 0
    missing = ingest_missing(after=after)
    if client is not None:
        client.hset(
            CHECKED,
            mapping={
                "older": marks.get("newer") or 0,
                "newer": top,
                "full_at": now if full else marks.get("full_at") or now,
            },
        )
    return {
        "missing": missing.events,
        "cases": missing.cases,
        "drained": drain(),
        "from": after,
        "full": full,
    }
