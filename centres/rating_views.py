"""The window's rating pad (评价器, 一次一评): after "finish", the desk turns its screen (or a pad
in the same session) to the visitor, who rates the visit without logging in.

The page runs in the clerk's session: it opens only for a window the session's user works, and
only for a visit *finished at that window* in the last ``CENTRES_RATING_PAD_MINUTES`` (30),
so the pad cannot be used to rate old or foreign visits; anything else answers 404. A visit is
rated once, whichever way comes first (the pad or the slip's link). The rating records the
channel ``window``, source ``pad``, and the clerk's session as ``recorded_by`` (which device)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from centres import selectors, visits
from centres.exceptions import NotFound
from centres.models import Ticket, TicketStatus
from evaluations.rating_forms import RatingForm
from evaluations.services import subject_rating_submit
from onestop.errors import DomainError, Invalid
from onestop.forms import add_service_errors


class PadForm(RatingForm):
    """The window's rating pad: the on-site criteria (一次一评), worded for the visit."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, onsite=True, **kwargs)
        self.fields["level"].label = _("How satisfied are you with this visit?")
        self.fields["tags"].label = _("What went well")
        self.fields["reasons"].help_text = ""
        self.fields["comment"].widget.attrs["rows"] = 3


def pad_ticket(*, user, window_id, ticket_id, now=None) -> tuple:
    """The window and the visit its pad may rate: finished at that window, recently."""
    window = selectors.window_for_clerk(user=user, window_id=window_id)
    now = now or timezone.now()
    ticket = (
        Ticket.objects.select_related("item", "window")
        .filter(
            pk=ticket_id,
            window=window,
            centre_id=window.centre_id,
            status=TicketStatus.DONE,
            finished_at__gte=now - timedelta(minutes=visits.pad_minutes()),
        )
        .first()
    )
    if ticket is None:
        raise NotFound()
    return window, ticket


@login_required
@require_http_methods(["GET", "POST"])
def rating_pad(request: HttpRequest, window_id: int, ticket_id: int) -> HttpResponse:
    try:
        window, ticket = pad_ticket(user=request.user, window_id=window_id, ticket_id=ticket_id)
    except NotFound:
        raise Http404 from None
    form = PadForm(request.POST or None)
    already = visits.visit_rating(ticket) is not None
    thanks = False
    error = ""
    if request.method == "POST" and not already and form.is_valid():
        data = form.cleaned_data
        try:
            subject_rating_submit(
                kind=visits.KIND,
                subject_id=ticket.pk,
                level=data["level"],
                tags=form.tag_list(),
                comment=data["comment"],
                recorded_by=request.user,
            )
        except Invalid as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            error = str(exc.message)
        else:
            thanks = True
    return render(
        request,
        "centres/rating_pad.html",
        {
            "window": window,
            "ticket": ticket,
            "form": form,
            "already": already,
            "thanks": thanks,
            "error": error,
        },
    )
