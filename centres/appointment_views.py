"""Appointment pages: the citizen books a slot (signed in) and sees or cancels their bookings;
the kiosk checks a booking in and prints its priority ticket."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from centres import selectors, throttle
from centres.exceptions import NotFound
from centres.models import Appointment, AppointmentStatus
from centres.services import appointments
from centres.views import SLIP_SALT, _centre, _too_many
from onestop.errors import DomainError


@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, code: str) -> HttpResponse:
    """The kiosk's "I have an appointment": the code gives the ticket."""
    centre = _centre(code)
    elder = request.GET.get("elder") == "1" or request.POST.get("elder") == "1"
    error = ""
    if request.method == "POST":
        if not throttle.allow(
            request, scope="ticket", per_hour=int(getattr(settings, "CENTRES_TICKETS_PER_HOUR", 10))
        ):
            return _too_many(request)
        try:
            ticket = appointments.appointment_check_in(
                centre=centre, code=request.POST.get("code", ""), elder_mode=elder
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            token = signing.dumps(ticket.pk, salt=SLIP_SALT)
            url = reverse("centres:slip", args=[centre.code, token])
            return redirect(f"{url}?elder=1" if elder else url)
    return render(
        request, "centres/check_in.html", {"centre": centre, "elder": elder, "error": error}
    )


def _parse_day(value: str, days: list[date]) -> date | None:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return days[0] if days else None
    return day if day in days else (days[0] if days else None)


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, code: str) -> HttpResponse:
    """Choose the item, the day and a free half-hour slot."""
    centre = _centre(code)
    menu = selectors.kiosk_menu(centre=centre)
    items = [item for entry in menu for item in entry["items"]]
    item = next((i for i in items if str(i.pk) == request.GET.get("item", "")), None)
    days = appointments.bookable_days(now=timezone.now())
    day = _parse_day(request.GET.get("day", ""), days)
    if request.method == "POST":
        item = next((i for i in items if str(i.pk) == request.POST.get("item", "")), None)
        try:
            starts_at = datetime.fromisoformat(request.POST.get("starts_at", ""))
            if item is None:
                raise NotFound()
            booking = appointments.appointment_book(
                centre=centre, item=item, starts_at=starts_at, actor=request.user
            )
        except ValueError:
            messages.error(request, _("Please choose a time slot."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Booked. Your appointment code is %(code)s.") % {"code": booking.code},
            )
            return redirect("centres:my_appointments")
    slots = appointments.slots(centre=centre, item=item, day=day) if item and day else []
    return render(
        request,
        "centres/book.html",
        {"centre": centre, "items": items, "item": item, "days": days, "day": day, "slots": slots},
    )


@login_required
def my_appointments(request: HttpRequest) -> HttpResponse:
    rows = (
        Appointment.objects.filter(booked_by=request.user)
        .select_related("centre", "item", "ticket")
        .order_by("-starts_at")[:50]
    )
    # Where to book (the page is reached from the footer: no other way to find the booking).
    from departments.models import ServiceCentre

    centres = ServiceCentre.objects.select_related("region").order_by("region__code")
    return render(
        request,
        "centres/my_appointments.html",
        {"rows": rows, "booked": AppointmentStatus.BOOKED, "centres": centres},
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        appointments.appointment_cancel(appointment=pk, actor=request.user)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The appointment was cancelled."))
    return redirect("centres:my_appointments")
