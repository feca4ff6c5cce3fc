"""The queue endpoints of API.md (Service centre): the centres and their windows (public), a
kiosk's ticket (anonymous, throttled per address unless the kiosk is exempt), the hall
display (public), and the clerk's call-next, finish, skip, recall and transfer.

Views are thin: issuing, assignment, calling and every state rule are
``centres.services.queue``'s (and ``appointments.appointment_check_in`` for an appointment's
ticket); who may act is ``centres.access``'s; errors are mapped by ``onestop.api``. "Call next"
is for the clerk on duty at the window (403 ``permission_denied`` for another clerk of the
centre, 404 for anyone else), and so are the ticket moves: a ticket of a centre the caller does
not work answers 404, one at a window where the caller is not on duty 403."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from centres import access, selectors, throttle, visits
from centres.api import TAGS, _centre, _error
from centres.exceptions import NotFound, NoWindowOpen
from centres.models import PriorityReason, Ticket
from centres.services import appointments, queue
from departments.models import ServiceCentre, Window
from onestop.api import ApiError, Pagination
from workflow.api.views import IDEMPOTENCY_PARAMETER, calls_service, idempotent
from workflow.exceptions import NotFound as CaseNotFound
from workflow.selectors import application_get_for_user

# API.md's priority names → the ticket's priority reasons (``appointment`` comes from the code).
PRIORITIES = {
    "normal": PriorityReason.NONE,
    "elderly": PriorityReason.ELDERLY,
    "disabled": PriorityReason.DISABLED,
}


def _priority_name(ticket: Ticket) -> str:
    return ticket.priority_reason or "normal"


# --- Serializers --------------------------------------------------------------------------------


class WindowRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["comprehensive", "department", "assisted"])
    status = serializers.CharField(help_text="open | paused | closed")
    waiting = serializers.IntegerField(help_text=gettext_lazy("Tickets in its queue today."))


class CentreSerializer(serializers.Serializer):
    code = serializers.CharField(source="region.code")
    name = serializers.CharField()
    region = serializers.CharField(source="region.code", help_text=gettext_lazy("Region code."))
    region_name = serializers.CharField(source="region.name")
    windows = serializers.SerializerMethodField()

    @extend_schema_field(WindowRowSerializer(many=True))
    def get_windows(self, centre: ServiceCentre) -> list[dict]:
        waiting = self.context.get("waiting", {})
        return [
            {
                "id": w.pk,
                "number": w.number,
                "name": w.name,
                "kind": w.kind,  # WindowKind's values are API.md's names
                "status": w.status,
                "waiting": waiting.get(w.pk, 0),
            }
            for w in centre.windows.all()
        ]


class TicketInSerializer(serializers.Serializer):
    item = serializers.CharField(
        required=False, help_text=gettext_lazy("The item's code (or give `category`).")
    )
    category = serializers.CharField(
        required=False,
        help_text=gettext_lazy(
            "A category code: the ticket is for the category's most requested item there."
        ),
    )
    priority = serializers.ChoiceField(choices=list(PRIORITIES), required=False)
    appointment = serializers.CharField(
        required=False,
        help_text=gettext_lazy("An appointment code: checks it in (item and category not needed)."),
    )

    def validate(self, attrs):
        if not attrs.get("appointment") and not (attrs.get("item") or attrs.get("category")):
            raise serializers.ValidationError(
                {"item": [_("Give an item, a category or an appointment code.")]}
            )
        return attrs


class WindowRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class IssuedTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="code", help_text=gettext_lazy("e.g. A017"))
    window = serializers.SerializerMethodField()
    waiting_before = serializers.SerializerMethodField()
    rating_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("一次一评: the visit's signed rating link, usable once finished.")
    )
    slip_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("The printable ticket slip (PDF).")
    )

    @extend_schema_field(WindowRefSerializer(allow_null=True))
    def get_window(self, ticket: Ticket) -> dict | None:
        if ticket.window_id is None:
            return None
        return {"id": ticket.window_id, "number": ticket.window.number}

    def get_waiting_before(self, ticket: Ticket) -> int:
        return selectors.ahead_of(ticket)

    def get_rating_url(self, ticket: Ticket) -> str:
        url = visits.rating_url(ticket)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if url.startswith("/") and request else url

    def get_slip_url(self, ticket: Ticket) -> str:
        from centres.slip_pdf import slip_pdf_path

        request = self.context.get("request")
        path = slip_pdf_path(ticket)
        return request.build_absolute_uri(path) if request else path


class TicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="code")
    item = serializers.CharField(source="item.code", help_text=gettext_lazy("The item's code."))
    item_name = serializers.CharField(source="item.name")
    category = serializers.CharField()
    priority = serializers.SerializerMethodField(
        help_text="normal | elderly | disabled | appointment"
    )
    status = serializers.CharField(
        help_text="waiting | called | serving | done | skipped | transferred"
    )
    window = serializers.SerializerMethodField()

    def get_priority(self, ticket: Ticket) -> str:
        return _priority_name(ticket)

    @extend_schema_field(WindowRefSerializer(allow_null=True))
    def get_window(self, ticket: Ticket) -> dict | None:
        if ticket.window_id is None:
            return None
        return {"id": ticket.window_id, "number": ticket.window.number}


class FinishInSerializer(serializers.Serializer):
    application = serializers.CharField(
        required=False, help_text=gettext_lazy("The number of the case the visit led to.")
    )


class TransferInSerializer(serializers.Serializer):
    window = serializers.IntegerField(help_text=gettext_lazy("The id of the window to send to."))


class CallSerializer(serializers.Serializer):
    number = serializers.CharField(source="ticket")
    window = serializers.CharField(help_text=gettext_lazy("The window's number."))
    window_name = serializers.CharField()
    called_at = serializers.DateTimeField(allow_null=True)
    recalls = serializers.IntegerField()


class DisplayWindowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField(help_text="open | paused | closed")
    waiting = serializers.IntegerField()


class DisplaySerializer(serializers.Serializer):
    calls = CallSerializer(many=True)
    windows = DisplayWindowSerializer(many=True)
    waiting_total = serializers.IntegerField()
    unassigned = serializers.IntegerField(
        help_text=gettext_lazy("Waiting tickets no open window can serve yet.")
    )


# --- Public: centres and the display -------------------------------------------------------------


class CentreListView(generics.ListAPIView):
    """The service centres with their windows and how many tickets wait at each today."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = CentreSerializer
    pagination_class = Pagination
    queryset = ServiceCentre.objects.none()

    @extend_schema(
        operation_id="centres_list",
        summary=gettext_lazy("Service centres and their windows"),
        responses={200: CentreSerializer(many=True)},
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        from django.db.models import Prefetch

        return (
            ServiceCentre.objects.select_related("region")
            .prefetch_related(Prefetch("windows", queryset=Window.objects.order_by("number")))
            .order_by("region__code")
        )

    def get_serializer_context(self):
        from django.db.models import Count

        from centres.models import QUEUED_STATUSES

        context = super().get_serializer_context()
        context["waiting"] = dict(
            Ticket.objects.filter(
                day=queue.local_day(timezone.now()),
                status__in=QUEUED_STATUSES,
                window__isnull=False,
            )
            .values("window_id")
            .annotate(n=Count("pk"))
            .values_list("window_id", "n")
        )
        return context


def _throttled(request, *, scope: str, setting: str, default: int) -> None:
    if not throttle.allow(request, scope=scope, per_hour=int(getattr(settings, setting, default))):
        raise ApiError("throttled", _("Too many requests; try again later."), status_code=429)


class DisplayView(APIView):
    """The hall display: the tickets being called (ticket number → window) and the waiting
    count per window (the display page polls the same state)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="centre_display",
        summary=gettext_lazy("The hall display's state"),
        responses={
            200: DisplaySerializer,
            404: _error(gettext_lazy("`not_found`: no such centre.")),
            429: _error(gettext_lazy("`throttled` (not at an exempt display).")),
        },
        tags=TAGS,
    )
    def get(self, request, code):
        centre = _centre(code)
        _throttled(
            request,
            scope="display",
            setting="CENTRES_DISPLAY_REFRESHES_PER_HOUR",
            default=2000,
        )
        state = selectors.display_state(centre=centre, now=timezone.now())
        return Response(DisplaySerializer(state).data)


# --- The kiosk ----------------------------------------------------------------------------------


class TicketIssueView(APIView):
    """Take a ticket at a kiosk: by item, by category, or with an appointment code (checked in:
    a priority ticket in its slot). 400 ``invalid`` when no open window can serve it. No
    ``Idempotency-Key``: the kiosk is anonymous, and keys are kept per signed-in caller."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="centre_tickets_create",
        summary=gettext_lazy("Take a queue ticket (kiosk)"),
        request=TicketInSerializer,
        responses={
            201: IssuedTicketSerializer,
            400: _error(
                gettext_lazy("`invalid`: no such item or category, or no open window serves it.")
            ),
            404: _error(gettext_lazy("`not_found`: no such centre or appointment.")),
            409: _error(gettext_lazy("`conflict`: the appointment is checked in already.")),
            429: _error(gettext_lazy("`throttled` (not at an exempt kiosk).")),
        },
        tags=TAGS,
    )
    @calls_service
    def post(self, request, code):
        centre = _centre(code)
        _throttled(request, scope="ticket", setting="CENTRES_TICKETS_PER_HOUR", default=10)
        body = TicketInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        try:
            if v.get("appointment"):
                ticket = appointments.appointment_check_in(centre=centre, code=v["appointment"])
            else:
                ticket = queue.ticket_issue(
                    centre=centre,
                    item=self._item(centre, v),
                    priority_reason=PRIORITIES[v.get("priority") or "normal"],
                )
        except NoWindowOpen as exc:
            field = (
                "appointment" if v.get("appointment") else ("item" if "item" in v else "category")
            )
            raise ApiError(
                "invalid", _("The submitted data is not valid."), fields={field: [str(exc.message)]}
            ) from None
        ticket = Ticket.objects.select_related("window").get(pk=ticket.pk)
        return Response(
            IssuedTicketSerializer(ticket, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @staticmethod
    def _item(centre, v):
        try:
            if v.get("item"):
                return selectors.centre_item(centre=centre, code=v["item"])
            return selectors.kiosk_category_item(centre=centre, category=v["category"])
        except NotFound:
            field = "item" if v.get("item") else "category"
            raise ApiError(
                "invalid",
                _("The submitted data is not valid."),
                fields={field: [_("No open window of this centre serves it.")]},
            ) from None


# --- The clerk's window -------------------------------------------------------------------------


def _ticket_out(ticket: Ticket) -> dict:
    row = Ticket.objects.select_related("item", "window").get(pk=ticket.pk)
    return TicketSerializer(row).data


class CallNextView(APIView):
    """The clerk on duty at the window calls the next ticket: 200 with it, 204 when nothing it
    can serve is waiting."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="window_call_next",
        summary=gettext_lazy("Call the next ticket"),
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            200: TicketSerializer,
            204: OpenApiResponse(description=gettext_lazy("Nobody is waiting for this window.")),
            401: _error(gettext_lazy("`not_authenticated`.")),
            403: _error(gettext_lazy("`permission_denied`: you are not on duty at the window.")),
            404: _error(gettext_lazy("`not_found`: no such window at a centre you work.")),
            409: _error(gettext_lazy("`conflict`: the window is not open, or a ticket is at it.")),
        },
        tags=TAGS,
    )
    @idempotent
    @calls_service
    def post(self, request, window_id):
        window = Window.objects.filter(pk=window_id).first()
        if window is None or not access.can_work_window(request.user, window):
            raise ApiError("not_found", _("Not found."), status_code=404)
        if not access.can_call_at_window(request.user, window):
            raise ApiError(
                "permission_denied",
                _("Only the clerk on duty at this window may call its next ticket."),
                status_code=403,
            )
        ticket = queue.ticket_call_next(window=window, actor=request.user)
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(_ticket_out(ticket))


def _on_duty_for(request, ticket_id) -> None:
    """A ticket of a centre the caller does not work: 404; at a window where another clerk is
    on duty (or nobody): 403. The service then checks the ticket's state under its lock."""
    ticket = Ticket.objects.select_related("window").filter(pk=ticket_id).first()
    if ticket is None or not access.can_work_centre(request.user, ticket.centre_id):
        raise ApiError("not_found", _("Not found."), status_code=404)
    if ticket.window_id is not None and not access.can_call_at_window(request.user, ticket.window):
        raise ApiError(
            "permission_denied",
            _("Only the clerk on duty at the ticket's window may do this."),
            status_code=403,
        )


def _ticket_action(summary, operation_id, request_serializer=None, extra=None):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        request=request_serializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            200: TicketSerializer,
            **(extra or {}),
            401: _error(gettext_lazy("`not_authenticated`.")),
            403: _error(gettext_lazy("`permission_denied`: you are not on duty at its window.")),
            404: _error(gettext_lazy("`not_found`: no such ticket at a centre you work.")),
            409: _error(gettext_lazy("`conflict`: the ticket is no longer at the window.")),
        },
        tags=TAGS,
    )


class FinishView(APIView):
    permission_classes = [IsAuthenticated]

    @_ticket_action(
        gettext_lazy("Finish the visit (with the case it led to)"),
        "ticket_finish",
        FinishInSerializer,
        {400: _error(gettext_lazy("`invalid`: no such case that you may see."))},
    )
    @idempotent
    @calls_service
    def post(self, request, ticket_id):
        _on_duty_for(request, ticket_id)
        body = FinishInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = None
        number = body.validated_data.get("application")
        if number:
            try:
                application = application_get_for_user(
                    user=request.user, number=number, detail=False
                )
            except CaseNotFound:
                raise ApiError(
                    "invalid",
                    _("The submitted data is not valid."),
                    fields={"application": [_("No case with this number that you may see.")]},
                ) from None
        ticket = queue.ticket_finish(ticket=ticket_id, actor=request.user, application=application)
        return Response(_ticket_out(ticket))


class SkipView(APIView):
    permission_classes = [IsAuthenticated]

    @_ticket_action(gettext_lazy("Skip a called ticket (no show)"), "ticket_skip")
    @idempotent
    @calls_service
    def post(self, request, ticket_id):
        _on_duty_for(request, ticket_id)
        return Response(_ticket_out(queue.ticket_skip(ticket=ticket_id, actor=request.user)))


class RecallView(APIView):
    permission_classes = [IsAuthenticated]

    @_ticket_action(gettext_lazy("Call a called ticket again"), "ticket_recall")
    @idempotent
    @calls_service
    def post(self, request, ticket_id):
        _on_duty_for(request, ticket_id)
        return Response(_ticket_out(queue.ticket_recall(ticket=ticket_id, actor=request.user)))


class TransferView(APIView):
    permission_classes = [IsAuthenticated]

    @_ticket_action(
        gettext_lazy("Transfer the ticket to another window"),
        "ticket_transfer",
        TransferInSerializer,
        {400: _error(gettext_lazy("`invalid`: that window is not open or cannot serve it."))},
    )
    @idempotent
    @calls_service
    def post(self, request, ticket_id):
        _on_duty_for(request, ticket_id)
        body = TransferInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ticket = queue.ticket_transfer(
            ticket=ticket_id, to_window=body.validated_data["window"], actor=request.user
        )
        return Response(_ticket_out(ticket))
