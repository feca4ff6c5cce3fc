"""Queue tickets (排队叫号): issue and assign, call, recall, skip, transfer, finish, and what a
window's pause or closing does to its queue.

Rules:

- A ticket is assigned when issued to the open window that can serve its item with the
  shortest expected wait: the tickets that window would call before it (priority tickets only,
  for a priority ticket) plus half of the one at the window, times the window's recent average
  handling time (finished tickets of the last ``CENTRES_RECENT_HANDLING_MINUTES``; the centre's
  average, then ``CENTRES_DEFAULT_HANDLING_SECONDS``, when there are too few). Ties go to the
  window with fewer tickets, then to a specialist window before a comprehensive one (which is
  left free for the items only it serves), then by number. No open window can serve it: the
  ticket waits unassigned and the next capable window that calls takes it.
- "Call next" takes the oldest ticket of the window's queue, priority tickets first; with its
  own queue empty the window takes over the oldest ticket it can serve (priority first) from
  the unassigned tickets, then from the longest queue that holds one it can serve. The rows are
  read with ``SELECT … FOR UPDATE SKIP LOCKED``: two clerks calling at the same moment never
  get the same ticket, and neither waits for the other.
- A window's pause or closing hands its waiting tickets to the other windows by the same
  assignment (oldest first).

Every function runs in one transaction and takes the clock (``now``) and the acting clerk
explicitly; errors are ``centres.exceptions`` (``DomainError``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres import access
from centres.exceptions import Conflict, Invalid, NotAllowed, NotFound, NoWindowOpen
from centres.models import (
    AT_WINDOW_STATUSES,
    CATEGORY_LETTERS,
    QUEUED_STATUSES,
    PriorityReason,
    Ticket,
    TicketCounter,
    TicketStatus,
    TicketTransfer,
)
from centres.services.capability import capable_windows, listed_items, servable_q
from departments.models import ServiceCentre, Window, WindowStatus

DEFAULT_HANDLING_SECONDS = 480
RECENT_HANDLING_MINUTES = 120
MIN_RECENT_TICKETS = 3


class Routing:
    """How an issued ticket finds its window: ``balanced`` (shortest expected wait, the
    service centre's routing) or ``fixed`` (a window chosen by the ticket's number among the
    capable ones, whatever its load: one queue per window, the benchmark's baseline)."""

    BALANCED = "balanced"
    FIXED = "fixed"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def local_day(now: datetime):
    return timezone.localtime(now).date()


def default_handling_seconds() -> float:
    return float(getattr(settings, "CENTRES_DEFAULT_HANDLING_SECONDS", DEFAULT_HANDLING_SECONDS))


# --- Expected waits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowLoad:
    window: Window
    queued: int  # tickets in its queue
    queued_priority: int  # priority tickets in its queue
    at_window: int  # called or being served (0 or 1)
    handling_seconds: float  # recent average handling time

    def expected_wait(self, *, priority: bool) -> float:
        ahead = self.queued_priority if priority else self.queued
        return (ahead + 0.5 * self.at_window) * self.handling_seconds


def recent_handling(*, centre_id: int, now: datetime) -> tuple[dict[int, float], float]:
    """(window id → average handling seconds, the centre's average) over the window parts
    that ended in the last ``CENTRES_RECENT_HANDLING_MINUTES``: finished tickets, and the part
    a window handled before it transferred a ticket on (``TicketTransfer``); windows with fewer
    than three such parts are left out. Two queries."""
    minutes = getattr(settings, "CENTRES_RECENT_HANDLING_MINUTES", RECENT_HANDLING_MINUTES)
    since = now - timedelta(minutes=minutes)
    finished = (
        Ticket.objects.filter(
            centre_id=centre_id,
            status=TicketStatus.DONE,
            finished_at__gt=since,
            finished_at__lte=now,
            window__isnull=False,
            started_at__isnull=False,
        )
        .values("window_id")
        .annotate(
            n=Count("pk"),
            total=Sum(
                ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
            ),
        )
        .values_list("window_id", "n", "total")
    )
    handed_on = (
        TicketTransfer.objects.filter(
            ticket__centre_id=centre_id,
            transferred_at__gt=since,
            transferred_at__lte=now,
            from_window__isnull=False,
        )
        .values("from_window_id")
        .annotate(
            n=Count("pk"),
            total=Sum(
                ExpressionWrapper(
                    F("transferred_at") - Coalesce("started_at", "called_at"),
                    output_field=DurationField(),
                )
            ),
        )
        .values_list("from_window_id", "n", "total")
    )
    parts: dict[int, list[float]] = {}
    for window_id, n, total in [*finished, *handed_on]:
        if total is None:
            continue
        entry = parts.setdefault(window_id, [0, 0.0])
        entry[0] += n
        entry[1] += total.total_seconds()
    per_window: dict[int, float] = {}
    total_n, total_s = 0, 0.0
    for window_id, (n, seconds) in parts.items():
        total_n += n
        total_s += seconds
        if n >= MIN_RECENT_TICKETS:
            per_window[window_id] = max(seconds / n, 1.0)
    centre_avg = total_s / total_n if total_n >= MIN_RECENT_TICKETS else default_handling_seconds()
    return per_window, max(centre_avg, 1.0)


def window_loads(*, windows: list[Window], centre_id: int, now: datetime) -> list[WindowLoad]:
    """The load of each window (two queries whatever their number)."""
    if not windows:
        return []
    ids = [w.pk for w in windows]
    counts = {
        row["window_id"]: row
        for row in Ticket.objects.filter(window_id__in=ids, day=local_day(now))
        .values("window_id")
        .annotate(
            queued=Count("pk", filter=Q(status__in=QUEUED_STATUSES)),
            queued_priority=Count("pk", filter=Q(status__in=QUEUED_STATUSES, priority=True)),
            at_window=Count("pk", filter=Q(status__in=AT_WINDOW_STATUSES)),
        )
    }
    per_window, centre_avg = recent_handling(centre_id=centre_id, now=now)
    loads = []
    for w in windows:
        row = counts.get(w.pk, {})
        loads.append(
            WindowLoad(
                window=w,
                queued=row.get("queued", 0),
                queued_priority=row.get("queued_priority", 0),
                at_window=row.get("at_window", 0),
                handling_seconds=per_window.get(w.pk, centre_avg),
            )
        )
    return loads


def choose_window(
    *,
    centre: ServiceCentre,
    item: Any,
    priority: bool,
    now: datetime,
    exclude: int | None = None,
    routing: str = Routing.BALANCED,
    number: int = 0,
) -> Window | None:
    """The window a ticket for ``item`` goes to now (None: no open window can serve it)."""
    windows = [w for w in capable_windows(centre=centre, item=item) if w.pk != exclude]
    if not windows:
        return None
    if routing == Routing.FIXED:
        return windows[number % len(windows)]
    loads = window_loads(windows=windows, centre_id=centre.pk, now=now)
    best = min(
        loads,
        key=lambda load: (
            round(load.expected_wait(priority=priority), 3),
            load.queued,
            load.window.comprehensive,
            load.window.number,
        ),
    )
    return best.window


# --- Issuing -----------------------------------------------------------------------------------


def _next_number(*, centre_id: int, day, letter: str) -> int:
    """The day's next number for the letter: one upsert, safe under concurrent kiosks."""
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # bandit B608: the table name is the model's own db_table; values are %s parameters
            f"INSERT INTO {table} (centre_id, day, letter, last) VALUES (%s, %s, %s, 1) "  # noqa: S608 # nosec B608
            f"ON CONFLICT (centre_id, day, letter) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [centre_id, day, letter],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def ticket_issue(
    *,
    centre: ServiceCentre,
    item: Any,
    priority_reason: str = "",
    elder_mode: bool = False,
    now: datetime | None = None,
    routing: str = Routing.BALANCED,
    require_open_window: bool = True,
) -> Ticket:
    """A visitor takes a ticket at the kiosk for ``item`` (anyone may: the kiosk is public).
    ``priority_reason`` (elderly, disabled, appointment) puts it ahead of the others. The
    ticket is assigned at once (see the module's rules). With ``require_open_window`` (the
    kiosk's default) an item no open window can serve is refused (``NoWindowOpen``) instead of
    queued unassigned."""
    now = _now(now)
    if priority_reason not in PriorityReason.values:
        raise Invalid(_("Unknown priority reason."))
    priority = bool(priority_reason)
    day = local_day(now)
    letter = CATEGORY_LETTERS.get(item.category, "Z")
    number = _next_number(centre_id=centre.pk, day=day, letter=letter)
    window = choose_window(
        centre=centre, item=item, priority=priority, now=now, routing=routing, number=number
    )
    if window is None and require_open_window:
        raise NoWindowOpen()
    return Ticket.objects.create(
        centre=centre,
        day=day,
        letter=letter,
        number=number,
        item=item,
        category=item.category,
        priority=priority,
        priority_reason=priority_reason,
        elder_mode=elder_mode,
        window=window,
        issued_at=now,
        queued_at=now,
    )


# --- Calling -----------------------------------------------------------------------------------


def _check_clerk(actor: Any, window: Window) -> None:
    if not access.can_work_window(actor, window):
        raise NotFound()


def _locked_window(window: Window | int) -> Window:
    try:
        return Window.objects.select_for_update().get(pk=getattr(window, "pk", window))
    except Window.DoesNotExist:
        raise NotFound() from None


def _take(ticket: Ticket, *, window: Window, actor: Any, now: datetime) -> Ticket:
    ticket.status = TicketStatus.CALLED
    ticket.window = window
    ticket.served_by = actor if getattr(actor, "pk", None) else None
    ticket.called_at = now
    ticket.started_at = None
    ticket.save(update_fields=["status", "window", "served_by", "called_at", "started_at"])
    return ticket


CALL_ORDER = ("-priority", "issued_at", "pk")


@transaction.atomic
def ticket_call_next(
    *, window: Window, actor: Any, now: datetime | None = None, take_over: bool = True
) -> Ticket | None:
    """The clerk at ``window`` calls the next ticket (None: nothing it can serve is waiting).
    Refused while a ticket is still at the window (finish, skip or transfer it first) and at a
    window that is not open."""
    now = _now(now)
    _check_clerk(actor, window)
    # The window row is the clerk's: two presses at one window run one after the other.
    window = _locked_window(window)
    if window.status != WindowStatus.OPEN:
        raise Conflict(_("The window is not open."))
    if Ticket.objects.filter(window=window, status__in=AT_WINDOW_STATUSES).exists():
        raise Conflict(_("Finish, skip or transfer the current ticket first."))
    day = local_day(now)
    own = (
        Ticket.objects.select_for_update(skip_locked=True)
        .filter(window=window, status__in=QUEUED_STATUSES, day=day)
        .order_by(*CALL_ORDER)
        .first()
    )
    if own is not None:
        return _take(own, window=window, actor=actor, now=now)
    if not take_over:
        return None
    servable = servable_q(window, listed_items([window.pk]).get(window.pk))
    pool = Ticket.objects.filter(
        servable, centre_id=window.centre_id, day=day, status__in=QUEUED_STATUSES
    )
    # Unassigned tickets first (nobody else will call them), then the longest queue's.
    queues = [None] + [
        row["window_id"]
        for row in pool.filter(window__isnull=False)
        .exclude(window=window)
        .values("window_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "window_id")
    ]
    for queue in queues:
        rows = pool.filter(window__isnull=True) if queue is None else pool.filter(window_id=queue)
        ticket = rows.select_for_update(skip_locked=True).order_by(*CALL_ORDER).first()
        if ticket is not None:
            return _take(ticket, window=window, actor=actor, now=now)
    return None


def _ticket_at_window(ticket: Ticket | int, actor: Any, statuses) -> Ticket:
    """The ticket, locked; it must be at a window the actor works, in one of ``statuses``."""
    try:
        row = Ticket.objects.select_for_update().get(pk=getattr(ticket, "pk", ticket))
    except Ticket.DoesNotExist:
        raise NotFound() from None
    if row.window_id is None or not access.can_work_centre(actor, row.centre_id):
        raise NotFound()
    if row.status not in statuses:
        raise Conflict(_("The ticket is no longer at the window."))
    return row


@transaction.atomic
def ticket_recall(*, ticket: Ticket | int, actor: Any, now: datetime | None = None) -> Ticket:
    """Call a called ticket again (the display shows it anew)."""
    row = _ticket_at_window(ticket, actor, (TicketStatus.CALLED,))
    row.called_at = _now(now)
    row.recalls += 1
    row.save(update_fields=["called_at", "recalls"])
    return row


@transaction.atomic
def ticket_start(*, ticket: Ticket | int, actor: Any, now: datetime | None = None) -> Ticket:
    """The visitor came to the window: handling starts."""
    row = _ticket_at_window(ticket, actor, (TicketStatus.CALLED,))
    row.status = TicketStatus.SERVING
    row.started_at = _now(now)
    row.save(update_fields=["status", "started_at"])
    return row


@transaction.atomic
def ticket_skip(*, ticket: Ticket | int, actor: Any, now: datetime | None = None) -> Ticket:
    """The called visitor did not come (过号)."""
    row = _ticket_at_window(ticket, actor, (TicketStatus.CALLED,))
    row.status = TicketStatus.SKIPPED
    row.finished_at = _now(now)
    row.save(update_fields=["status", "finished_at"])
    return row


@transaction.atomic
def ticket_finish(
    *,
    ticket: Ticket | int,
    actor: Any,
    now: datetime | None = None,
    application: Any = None,
) -> Ticket:
    """The visit is over (with the case it led to, if any). Handling counts from the start,
    or from the call when the clerk never pressed start. The visit's rating invitation opens
    in the same transaction (一次一评: the slip's link and the window's pad then rate it)."""
    from centres.visits import visit_finished

    row = _ticket_at_window(ticket, actor, AT_WINDOW_STATUSES)
    now = _now(now)
    row.status = TicketStatus.DONE
    row.started_at = row.started_at or row.called_at
    row.finished_at = now
    fields = ["status", "started_at", "finished_at"]
    if getattr(actor, "pk", None):  # the clerk who finished it is the one rated
        row.served_by = actor
        fields.append("served_by")
    if application is not None:
        row.application = application
        fields.append("application")
    row.save(update_fields=fields)
    visit_finished(row, at=now)
    return row


@transaction.atomic
def ticket_link_case(
    *, code: str, actor: Any, application: Any, now: datetime | None = None
) -> Ticket | None:
    """The walk-in case a called ticket led to (前台综合受理 from the queue desk): today's ticket
    ``code`` (``A017``) at a window of a centre the actor works, called or being served, records
    the case; finishing the visit keeps it. ``None`` when no such ticket is at the window (the
    intake goes on without it)."""
    code = (code or "").strip().upper()
    if len(code) < 2 or not code[1:].isdigit():
        return None
    candidates = (
        Ticket.objects.select_for_update()
        .filter(
            letter=code[0],
            number=int(code[1:]),
            day=local_day(_now(now)),
            status__in=AT_WINDOW_STATUSES,
            window__isnull=False,
        )
        .order_by("pk")
    )
    for row in candidates:
        if access.can_work_centre(actor, row.centre_id):
            row.application = application
            row.save(update_fields=["application"])
            return row
    return None


@transaction.atomic
def ticket_transfer(
    *, ticket: Ticket | int, to_window: Window | int, actor: Any, now: datetime | None = None
) -> Ticket:
    """Send the ticket at the window to another open window of the centre that can serve it;
    it waits there in the order of its issue (ahead of newer tickets)."""
    row = _ticket_at_window(ticket, actor, AT_WINDOW_STATUSES)
    try:
        target = Window.objects.get(pk=getattr(to_window, "pk", to_window), centre=row.centre_id)
    except Window.DoesNotExist:
        raise NotFound() from None
    if target.pk == row.window_id:
        raise Invalid(_("The ticket is already at this window."))
    if target.pk not in {w.pk for w in capable_windows(centre=row.centre_id, item=row.item)}:
        raise Invalid(_("That window is not open or cannot serve this item."))
    now = _now(now)
    # The part of the visit this window handled (the load figures read it from here).
    previous = row.transfers_made.order_by("-transferred_at", "-pk").first()
    TicketTransfer.objects.create(
        ticket=row,
        from_window_id=row.window_id,
        to_window=target,
        served_by=row.served_by,
        queued_at=previous.transferred_at if previous else row.issued_at,
        called_at=row.called_at or now,
        started_at=row.started_at,
        transferred_at=now,
    )
    row.status = TicketStatus.TRANSFERRED
    row.window = target
    row.queued_at = now
    row.called_at = None
    row.started_at = None
    row.transfers += 1
    row.save(
        update_fields=["status", "window", "queued_at", "called_at", "started_at", "transfers"]
    )
    return row


# --- Windows -----------------------------------------------------------------------------------


@transaction.atomic
def window_set_status(
    *, window: Window | int, status: str, actor: Any, now: datetime | None = None
) -> list[Ticket]:
    """Open, pause or close a window. Pausing or closing hands its waiting tickets to the other
    open windows that can serve them (by the assignment's rule, oldest first; unassigned when
    none can). Returns the tickets moved."""
    now = _now(now)
    if status not in WindowStatus.values:
        raise Invalid(_("Unknown window status."))
    row = _locked_window(window)
    _check_clerk(actor, row)
    row.status = status
    row.save(update_fields=["status"])
    if status == WindowStatus.OPEN:
        return []
    return reassign_queue(window=row, now=now)


def reassign_queue(*, window: Window, now: datetime) -> list[Ticket]:
    """Move the window's waiting tickets to other windows (inside the caller's transaction)."""
    moved = []
    centre = window.centre
    rows = list(
        Ticket.objects.select_for_update()
        .filter(window=window, status__in=QUEUED_STATUSES)
        .select_related("item")
        .order_by(*CALL_ORDER)
    )
    for ticket in rows:
        target = choose_window(
            centre=centre, item=ticket.item, priority=ticket.priority, now=now, exclude=window.pk
        )
        ticket.window = target
        ticket.queued_at = now
        ticket.save(update_fields=["window", "queued_at"])
        moved.append(ticket)
    return moved


@transaction.atomic
def window_take_duty(*, window: Window | int, actor: Any) -> Window:
    """The clerk sits down at the window (leaving any other window of theirs)."""
    row = _locked_window(window)
    _check_clerk(actor, row)
    if row.clerk_on_duty_id not in (None, actor.pk):
        raise Conflict(_("Another clerk is on duty at this window."))
    Window.objects.filter(clerk_on_duty=actor).exclude(pk=row.pk).update(clerk_on_duty=None)
    row.clerk_on_duty = actor
    row.save(update_fields=["clerk_on_duty"])
    return row


@transaction.atomic
def window_leave_duty(*, window: Window | int, actor: Any) -> Window:
    row = _locked_window(window)
    _check_clerk(actor, row)
    if row.clerk_on_duty_id != actor.pk:
        raise NotAllowed(_("You are not on duty at this window."))
    row.clerk_on_duty = None
    row.save(update_fields=["clerk_on_duty"])
    return row
