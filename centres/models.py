"""The service centre's own rows: what each window accepts, queue tickets and their daily
counters. Centres and windows themselves (kind, status, categories, clerk on duty) are
``departments``' (``ServiceCentre``, ``Window``).

A window *can serve* an item when it is a comprehensive window (综合窗口, every item), or the
item's category is among the window's categories and, if the window lists items
(``WindowItem``), the item is one of them (``centres.services.capability``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from permits.choices import Category

# The ticket's letter per item category (排队号: letter + three digits, e.g. ``A017``). Letters
# that are easily misread (I, O) are left out.
CATEGORY_LETTERS: dict[str, str] = {
    Category.LICENSING: "A",
    Category.CONFIRMATION: "B",
    Category.PUBLIC_SERVICE: "C",
    Category.SOCIAL_SECURITY: "D",
    Category.EDUCATION_CULTURE: "E",
    Category.ENVIRONMENT: "F",
    Category.DECLARATION: "G",
    Category.CERTIFICATE: "H",
    Category.ANNUAL_INSPECTION: "J",
    Category.LOOKUP_SERVICE: "K",
    Category.COMPLAINT: "L",
    Category.PETITION: "M",
    Category.ENQUIRY: "N",
    Category.SUGGESTION: "P",
    Category.HOTLINE: "Q",
}


class WindowItem(models.Model):
    """An item a window accepts. A window that lists none accepts every item of its
    categories; one that lists some accepts only those (narrower than its categories)."""

    window = models.ForeignKey(
        "departments.Window",
        verbose_name=_("window"),
        on_delete=models.CASCADE,
        related_name="accepted_items",
    )
    item = models.ForeignKey(
        "permits.ServiceItem",
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("item accepted at a window")
        verbose_name_plural = _("items accepted at windows")
        constraints = [
            models.UniqueConstraint(fields=["window", "item"], name="windowitem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.window} · {self.item.name}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("ticket status", "Waiting")
    CALLED = "called", pgettext_lazy("ticket status", "Called")
    SERVING = "serving", pgettext_lazy("ticket status", "Being served")
    DONE = "done", pgettext_lazy("ticket status", "Done")
    SKIPPED = "skipped", pgettext_lazy("ticket status", "Skipped (no show)")
    # Handed to another window by the clerk; waits there (ahead of newer tickets) until called.
    TRANSFERRED = "transferred", pgettext_lazy("ticket status", "Transferred")


# Tickets in a queue (a window may call them) and tickets at a window (being dealt with).
QUEUED_STATUSES = (TicketStatus.WAITING, TicketStatus.TRANSFERRED)
AT_WINDOW_STATUSES = (TicketStatus.CALLED, TicketStatus.SERVING)
CLOSED_STATUSES = (TicketStatus.DONE, TicketStatus.SKIPPED)


class PriorityReason(models.TextChoices):
    NONE = "", _("No priority")
    ELDERLY = "elderly", _("Elderly")
    DISABLED = "disabled", _("Disabled")
    APPOINTMENT = "appointment", _("Appointment")


class Ticket(models.Model):
    """One queue ticket (排队叫号) of one centre and day. Written only by
    ``centres.services.queue``. A window visit is rated on the ticket (一次一评: the rating's
    subject is ``visit`` and this row's id)."""

    RATING_SUBJECT_KIND = "visit"

    centre = models.ForeignKey(
        "departments.ServiceCentre",
        verbose_name=_("service centre"),
        on_delete=models.CASCADE,
        related_name="tickets",
    )
    day = models.DateField(_("day"))
    letter = models.CharField(_("letter"), max_length=1)
    number = models.PositiveIntegerField(_("number"))
    item = models.ForeignKey(
        "permits.ServiceItem",
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    priority = models.BooleanField(_("priority"), default=False)
    priority_reason = models.CharField(
        _("priority reason"), max_length=12, choices=PriorityReason.choices, blank=True
    )
    elder_mode = models.BooleanField(_("taken in elder mode"), default=False)
    # The window whose queue the ticket is in, or which called it; null while no open window
    # can serve it (a window that opens takes it over).
    window = models.ForeignKey(
        "departments.Window",
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("taken at"))
    # When it entered its current queue (issue, transfer or reassignment).
    queued_at = models.DateTimeField(_("queued at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    transfers = models.PositiveSmallIntegerField(_("transfers"), default=0)
    application = models.ForeignKey(
        "permits.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )

    class Meta:
        ordering = ["centre", "day", "issued_at", "pk"]
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "day", "letter", "number"], name="ticket_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(priority=False, priority_reason="")
                | Q(priority=True) & ~Q(priority_reason=""),
                name="ticket_priority_has_reason",
            ),
        ]
        indexes = [
            # A window's queue in calling order, and the centre's queues for takeover.
            models.Index(
                fields=["window", "-priority", "issued_at"],
                name="ticket_queue",
                condition=Q(status__in=["waiting", "transferred"]),
            ),
            models.Index(
                fields=["centre", "-priority", "issued_at"],
                name="ticket_centre_queue",
                condition=Q(status__in=["waiting", "transferred"]),
            ),
            models.Index(fields=["centre", "day", "status"], name="ticket_centre_day"),
            models.Index(fields=["window", "finished_at"], name="ticket_window_finished"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """What the slip and the display show: ``A017``."""
        return f"{self.letter}{self.number:03d}"

    @property
    def queued(self) -> bool:
        return self.status in QUEUED_STATUSES


class TicketTransfer(models.Model):
    """One window's part of a visit that it handed to another window (转窗): when the ticket
    entered that window's queue, when it was called and started there, and when it was
    transferred. The ticket itself keeps only its current part (``called_at`` …), so the load
    figures read the earlier parts from here. Written only by ``queue.ticket_transfer``."""

    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("queue ticket"),
        on_delete=models.CASCADE,
        related_name="transfers_made",
    )
    from_window = models.ForeignKey(
        "departments.Window",
        verbose_name=_("from window"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_window = models.ForeignKey(
        "departments.Window",
        verbose_name=_("to window"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the visitor's wait for this window began (the issue, or the previous transfer).
    queued_at = models.DateTimeField(_("queued at"))
    called_at = models.DateTimeField(_("called at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("transferred at"))

    class Meta:
        ordering = ["ticket", "transferred_at", "pk"]
        verbose_name = _("ticket transfer")
        verbose_name_plural = _("ticket transfers")
        indexes = [
            models.Index(fields=["from_window", "transferred_at"], name="tickettransfer_window")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.from_window_id}→{self.to_window_id}"

    @property
    def handling_seconds(self) -> float:
        return (self.transferred_at - (self.started_at or self.called_at)).total_seconds()


class TicketCounter(models.Model):
    """The last number given per centre, day and letter (tickets restart at 001 each day)."""

    centre = models.ForeignKey(
        "departments.ServiceCentre", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    letter = models.CharField(max_length=1)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "letter"], name="ticketcounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day} {self.letter}{self.last:03d}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")


class AppointmentSlot(models.Model):
    """One half-hour slot of one item at one centre: the row booking locks, so that concurrent
    bookings of the slot are counted one after the other (capacity never exceeded)."""

    centre = models.ForeignKey(
        "departments.ServiceCentre", on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey("permits.ServiceItem", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "item", "starts_at"], name="appointmentslot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.item_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    """A booked half-hour slot (预约) for an item at a centre. The visitor checks in at the
    kiosk with the code and gets a priority ticket (``centres.services.appointments``)."""

    slot = models.ForeignKey(
        AppointmentSlot,
        verbose_name=_("slot"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    centre = models.ForeignKey(
        "departments.ServiceCentre",
        verbose_name=_("service centre"),
        on_delete=models.CASCADE,
        related_name="appointments",
    )
    item = models.ForeignKey(
        "permits.ServiceItem",
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("slot starts at"))
    code = models.CharField(_("appointment code"), max_length=8, unique=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="centre_appointments",
    )
    booked_at = models.DateTimeField(_("booked at"))
    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("queue ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointment",
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["slot", "status"], name="appointment_slot_status")]

    def __str__(self) -> str:
        return self.code
