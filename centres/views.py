"""The service centre's pages: the kiosk and the hall display (public, throttled per address
except at the centre's own machines) and the clerk's queue page (clerks and the head of the
department running the centre)."""

from __future__ import annotations

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centres import access, selectors, throttle, visits
from centres.exceptions import NotFound
from centres.models import PriorityReason, Ticket
from centres.services import queue
from centres.services.capability import listed_items
from centres.services.windows import window_configure
from departments.models import Window, WindowStatus
from onestop.errors import DomainError
from permits.models import ServiceItem

SLIP_SALT = "centres.slip"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _centre(code: str):
    try:
        return selectors.centre_by_code(code)
    except NotFound:
        raise Http404 from None


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "centres/too_many.html", status=429)
    response["Retry-After"] = "3600"
    return response


# --- Kiosk ---------------------------------------------------------------------------------------


class TicketForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    priority_reason = forms.ChoiceField(
        label=gettext_lazy("Priority"), choices=PriorityReason.choices, required=False
    )
    elder = forms.BooleanField(required=False, widget=forms.HiddenInput)


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    """Pick a category, then an item, and take a ticket. ``?elder=1``: 长者模式 (large text,
    the priority choice first)."""
    centre = _centre(code)
    elder = request.GET.get("elder") == "1" or request.POST.get("elder") in ("1", "True", "on")
    menu = selectors.kiosk_menu(centre=centre)
    category = request.GET.get("category", "")
    chosen = next((entry for entry in menu if entry["category"] == category), None)
    error = ""
    if request.method == "POST":
        form = TicketForm(request.POST)
        if not throttle.allow(
            request, scope="ticket", per_hour=_setting("CENTRES_TICKETS_PER_HOUR", 10)
        ):
            return _too_many(request)
        if form.is_valid():
            try:
                item = selectors.kiosk_item(centre=centre, item_id=form.cleaned_data["item"])
                ticket = queue.ticket_issue(
                    centre=centre,
                    item=item,
                    priority_reason=form.cleaned_data["priority_reason"] or "",
                    elder_mode=elder,
                )
            except DomainError as exc:
                error = str(exc.message)
            else:
                token = signing.dumps(ticket.pk, salt=SLIP_SALT)
                url = reverse("centres:slip", args=[centre.code, token])
                return redirect(f"{url}?elder=1" if elder else url)
        else:
            error = _("Please choose an item.")
    return render(
        request,
        "centres/kiosk.html",
        {
            "centre": centre,
            "menu": menu,
            "chosen": chosen,
            "elder": elder,
            "error": error,
            "priority_reasons": [
                c for c in PriorityReason.choices if c[0] and c[0] != PriorityReason.APPOINTMENT
            ],
        },
    )


@require_GET
def slip(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The ticket slip (printable): the number, the item, the window and how many are ahead."""
    centre = _centre(code)
    try:
        pk = signing.loads(token, salt=SLIP_SALT, max_age=24 * 3600)
    except signing.BadSignature:
        raise Http404 from None
    ticket = Ticket.objects.select_related("item", "window").filter(pk=pk, centre=centre).first()
    if ticket is None:
        raise Http404
    rating_url = visits.rating_url(ticket)
    if rating_url.startswith("/"):  # no RATING_LINK_BASE_URL: the address the kiosk is on
        rating_url = request.build_absolute_uri(rating_url)
    return render(
        request,
        "centres/slip.html",
        {
            "centre": centre,
            "ticket": ticket,
            "token": token,
            "ahead": selectors.ahead_of(ticket),
            "elder": request.GET.get("elder") == "1",
            # 一次一评: the visit's signed link, usable once the clerk finishes the visit.
            "rating_url": rating_url,
            "rating_qr": segno.make(rating_url, error="m").svg_inline(
                scale=4, border=2, title=_("QR code: rate your visit")
            ),
        },
    )


# --- Hall display -------------------------------------------------------------------------------


@require_GET
def display(request: HttpRequest, code: str) -> HttpResponse:
    centre = _centre(code)
    state = selectors.display_state(centre=centre, now=timezone.now())
    return render(request, "centres/display.html", {"centre": centre, "state": state})


@require_GET
def display_data(request: HttpRequest, code: str) -> JsonResponse:
    """The display's state as JSON (``static/centres/display.js`` polls it)."""
    centre = _centre(code)
    if not throttle.allow(
        request,
        scope="display",
        per_hour=_setting("CENTRES_DISPLAY_REFRESHES_PER_HOUR", 2000),
    ):
        return JsonResponse({"detail": "throttled"}, status=429)
    return JsonResponse(selectors.display_state(centre=centre, now=timezone.now()))


# --- The clerk's queue page ---------------------------------------------------------------------


@login_required
@require_GET
def desk_home(request: HttpRequest) -> HttpResponse:
    """The windows the clerk may work; straight to their window when on duty at one."""
    windows = selectors.clerk_windows(user=request.user)
    if not windows:
        raise Http404
    mine = [w for w in windows if w.clerk_on_duty_id == request.user.pk]
    if len(mine) == 1 and "all" not in request.GET:
        return redirect("centres:desk", window_id=mine[0].pk)
    return render(request, "centres/desk_home.html", {"windows": windows})


@login_required
@require_GET
def desk(request: HttpRequest, window_id: int) -> HttpResponse:
    try:
        window = selectors.window_for_clerk(user=request.user, window_id=window_id)
    except NotFound:
        raise Http404 from None
    context = selectors.window_desk(window=window, now=timezone.now())
    return render(
        request,
        "centres/desk.html",
        {
            **context,
            "window": window,
            "statuses": WindowStatus.choices,
            "on_duty": window.clerk_on_duty_id == request.user.pk,
        },
    )


DESK_ACTIONS = {
    "call": lambda w, t, u, p: queue.ticket_call_next(window=w, actor=u),
    "recall": lambda w, t, u, p: queue.ticket_recall(ticket=t, actor=u),
    "start": lambda w, t, u, p: queue.ticket_start(ticket=t, actor=u),
    "skip": lambda w, t, u, p: queue.ticket_skip(ticket=t, actor=u),
    "finish": lambda w, t, u, p: queue.ticket_finish(ticket=t, actor=u),
    "transfer": lambda w, t, u, p: queue.ticket_transfer(
        ticket=t, to_window=int(p.get("to_window") or 0), actor=u
    ),
    "status": lambda w, t, u, p: queue.window_set_status(
        window=w, status=p.get("status", ""), actor=u
    ),
    "duty": lambda w, t, u, p: queue.window_take_duty(window=w, actor=u),
    "leave": lambda w, t, u, p: queue.window_leave_duty(window=w, actor=u),
}

DONE_MESSAGES = {
    "call": gettext_lazy("Called %(ticket)s."),
    "recall": gettext_lazy("Called %(ticket)s again."),
    "start": gettext_lazy("Serving %(ticket)s."),
    "skip": gettext_lazy("%(ticket)s skipped (no show)."),
    "finish": gettext_lazy("%(ticket)s finished."),
    "transfer": gettext_lazy("%(ticket)s transferred."),
}


@login_required
@require_POST
def desk_act(request: HttpRequest, window_id: int) -> HttpResponse:
    """One button of the queue page: call next, recall, start, skip, transfer, finish, the
    window's status or the clerk's duty."""
    try:
        window = selectors.window_for_clerk(user=request.user, window_id=window_id)
    except NotFound:
        raise Http404 from None
    action = request.POST.get("action", "")
    if action not in DESK_ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect("centres:desk", window_id=window.pk)
    ticket = None
    if action in ("recall", "start", "skip", "finish", "transfer"):
        ticket = Ticket.objects.filter(
            pk=request.POST.get("ticket") or 0, window=window, centre=window.centre_id
        ).first()
        if ticket is None:
            messages.error(request, _("The ticket is no longer at the window."))
            return redirect("centres:desk", window_id=window.pk)
    try:
        result = DESK_ACTIONS[action](window, ticket, request.user, request.POST)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if action == "call" and result is None:
            messages.info(request, _("Nobody is waiting for this window."))
        elif action in DONE_MESSAGES:
            messages.success(request, DONE_MESSAGES[action] % {"ticket": result.code})
        elif action == "status":
            messages.success(
                request,
                _("Window status changed; %(count)s waiting tickets were reassigned.")
                % {"count": len(result)},
            )
    return redirect("centres:desk", window_id=window.pk)


# --- The centre head's configuration page --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def configure(request: HttpRequest, code: str) -> HttpResponse:
    """The centre's head sets each window's status and accepted items."""
    centre = _centre(code)
    if not access.can_configure_centre(request.user, centre):
        raise Http404
    windows = list(Window.objects.filter(centre=centre).order_by("number"))
    if request.method == "POST":
        window = next((w for w in windows if str(w.pk) == request.POST.get("window")), None)
        if window is None:
            raise Http404
        try:
            window_configure(
                window=window,
                actor=request.user,
                status=request.POST.get("status", ""),
                item_ids=[int(v) for v in request.POST.getlist("items") if v.isdigit()],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Window %(number)s saved.") % {"number": window.number})
        return redirect("centres:configure", code=centre.code)
    listed = listed_items(w.pk for w in windows)
    items = list(
        ServiceItem.objects.accepting()
        .filter(category__in={c for w in windows for c in (w.categories or [])})
        .order_by("category", "code")
        .only("pk", "name", "category")
    )
    rows = [
        {
            "window": w,
            "items": [i for i in items if i.category in (w.categories or [])]
            if not w.comprehensive
            else [],
            "listed": listed.get(w.pk, set()),
        }
        for w in windows
    ]
    return render(
        request,
        "centres/configure.html",
        {"centre": centre, "rows": rows, "statuses": WindowStatus.choices},
    )
