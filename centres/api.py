"""The appointment endpoints of API.md (Service centre): a centre's bookable half-hour slots
(public), booking one (signed in), and the booker's own appointments (list, one, cancel).

``GET /api/v1/centres/{code}/slots/?item=&date=`` and ``POST /api/v1/centres/{code}/appointments/``
are the contract's; ``GET /api/v1/appointments/``, ``GET`` and ``DELETE
/api/v1/appointments/{code}/`` are this app's additions (documented in the schema). Views are
thin: the rules — capacity counted under the slot's row lock, one booking per person, item and
day, who may cancel — are ``centres.services.appointments``'. Another person's appointment
answers the same 404 as a missing one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from centres import selectors
from centres.exceptions import NotFound
from centres.models import Appointment
from centres.services import appointments
from onestop.api import ApiError, Pagination
from permits.api.accounts import ErrorSerializer
from workflow.api.views import IDEMPOTENCY_PARAMETER, calls_service, idempotent

TAGS = ["service centre"]


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


# --- Serializers --------------------------------------------------------------------------------


class SlotSerializer(serializers.Serializer):
    slot = serializers.DateTimeField(source="starts_at", help_text=gettext_lazy("Slot start."))
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    booked = serializers.IntegerField()
    free = serializers.IntegerField()


class BookingInSerializer(serializers.Serializer):
    item = serializers.CharField(help_text=gettext_lazy("The item's code."))
    slot = serializers.DateTimeField(help_text=gettext_lazy("The slot's start (ISO 8601)."))


class NamedSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AppointmentSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("Shown at the kiosk to check in."))
    slot = serializers.DateTimeField(source="starts_at")
    ends_at = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="booked | checked_in | cancelled")
    centre = serializers.SerializerMethodField()
    item = serializers.SerializerMethodField()
    ticket = serializers.SerializerMethodField(
        help_text=gettext_lazy("The ticket number given at check-in (e.g. A017), if any.")
    )
    booked_at = serializers.DateTimeField()

    def get_ends_at(self, row: Appointment) -> datetime:
        return row.starts_at + timedelta(minutes=appointments.SLOT_MINUTES)

    @extend_schema_field(NamedSerializer)
    def get_centre(self, row: Appointment) -> dict:
        return {"code": row.centre.region.code, "name": row.centre.name}

    @extend_schema_field(NamedSerializer)
    def get_item(self, row: Appointment) -> dict:
        return {"code": row.item.code, "name": row.item.name}

    def get_ticket(self, row: Appointment) -> str | None:
        return row.ticket.code if row.ticket_id else None


# --- Views --------------------------------------------------------------------------------------


def _centre(code: str):
    try:
        return selectors.centre_by_code(code)
    except NotFound:
        raise ApiError(
            "not_found", _("No service centre has this code."), status_code=404
        ) from None


def _item(centre, code: str, field: str = "item"):
    try:
        return selectors.centre_item(centre=centre, code=code)
    except NotFound:
        raise ApiError(
            "invalid",
            _("The submitted data is not valid."),
            fields={field: [_("This centre offers no item with this code.")]},
        ) from None


class SlotListView(generics.ListAPIView):
    """The centre's half-hour slots of one day for one item, with their free places."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # public: a stale token must not break browsing
    serializer_class = SlotSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="centre_slots_list",
        summary=gettext_lazy("Bookable appointment slots of a day"),
        parameters=[
            OpenApiParameter("item", OpenApiTypes.STR, required=True),
            OpenApiParameter(
                "date",
                OpenApiTypes.DATE,
                description=gettext_lazy(
                    "A bookable day (working days from tomorrow); the first one when left out. "
                    "Another day has no slots."
                ),
            ),
        ],
        responses={
            200: SlotSerializer(many=True),
            400: _error(gettext_lazy("`invalid`: no such item at the centre, or a bad date.")),
            404: _error(gettext_lazy("`not_found`: no such centre.")),
        },
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        centre = _centre(self.kwargs["code"])
        item = _item(centre, request.query_params.get("item") or "")
        days = appointments.bookable_days(now=timezone.now())
        raw = request.query_params.get("date")
        try:
            day = date.fromisoformat(raw) if raw else (days[0] if days else None)
        except ValueError:
            raise ApiError(
                "invalid",
                _("The submitted data is not valid."),
                fields={"date": [_("Give the date as YYYY-MM-DD.")]},
            ) from None
        rows = appointments.slots(centre=centre, item=item, day=day) if day in days else []
        for row in rows:
            row["ends_at"] = row["starts_at"] + timedelta(minutes=appointments.SLOT_MINUTES)
        return rows


class BookView(APIView):
    """Book a slot: 201 with the appointment's code; 409 ``conflict`` when the slot is full or
    the caller already holds a booking for the item that day."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="centre_appointments_create",
        summary=gettext_lazy("Book an appointment slot"),
        request=BookingInSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: AppointmentSerializer,
            400: _error(gettext_lazy("`invalid`: not a bookable slot, or no such item.")),
            401: _error(gettext_lazy("`not_authenticated`.")),
            404: _error(gettext_lazy("`not_found`: no such centre.")),
            409: _error(gettext_lazy("`conflict`: the slot is full, or booked already.")),
        },
        tags=TAGS,
    )
    @idempotent
    @calls_service
    def post(self, request, code):
        body = BookingInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        centre = _centre(code)
        item = _item(centre, body.validated_data["item"])
        booking = appointments.appointment_book(
            centre=centre,
            item=item,
            starts_at=body.validated_data["slot"],
            actor=request.user,
        )
        booking = _mine(request).get(pk=booking.pk)
        return Response(AppointmentSerializer(booking).data, status=status.HTTP_201_CREATED)


def _mine(request):
    return Appointment.objects.filter(booked_by=request.user).select_related(
        "centre__region", "item", "ticket"
    )


class MyAppointmentsView(generics.ListAPIView):
    """The caller's appointments, the latest slot first."""

    permission_classes = [IsAuthenticated]
    serializer_class = AppointmentSerializer
    pagination_class = Pagination
    queryset = Appointment.objects.none()  # for the schema; get_queryset reads the caller's

    @extend_schema(
        operation_id="appointments_list",
        summary=gettext_lazy("My appointments"),
        responses={200: AppointmentSerializer(many=True)},
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return _mine(self.request).order_by("-starts_at", "-pk")


class AppointmentView(APIView):
    """One of the caller's appointments; DELETE cancels it (until it is checked in)."""

    permission_classes = [IsAuthenticated]

    def _get(self, request, code) -> Appointment:
        row = _mine(request).filter(code=(code or "").upper()).first()
        if row is None:
            raise ApiError("not_found", _("Not found."), status_code=404)
        return row

    @extend_schema(
        operation_id="appointments_retrieve",
        summary=gettext_lazy("One of my appointments"),
        responses={200: AppointmentSerializer, 404: _error(gettext_lazy("`not_found`."))},
        tags=TAGS,
    )
    def get(self, request, code):
        return Response(AppointmentSerializer(self._get(request, code)).data)

    @extend_schema(
        operation_id="appointments_cancel",
        summary=gettext_lazy("Cancel my appointment"),
        responses={
            204: None,
            404: _error(gettext_lazy("`not_found`.")),
            409: _error(gettext_lazy("`conflict`: checked in or cancelled already.")),
        },
        tags=TAGS,
    )
    @calls_service
    def delete(self, request, code):
        row = self._get(request, code)
        appointments.appointment_cancel(appointment=row, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
