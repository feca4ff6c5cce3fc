"""The 12345 operator's page for a rating phoned in (``/office/ratings/hotline/``): the case
number, the caller's phone (it must be the one on the case), the level, criteria, 差评
reasons and comment, as the caller says them (``evaluations.hotline``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from onestop.errors import DomainError, NotFound
from onestop.forms import add_service_errors
from workflow import access

from . import hotline
from .rating_forms import RatingForm


class PhonedRatingForm(RatingForm):
    """The rating form as the operator fills it for the caller: the case and the caller's phone
    first, the online criteria (the case is rated, 一事一评)."""

    number = forms.CharField(label=gettext_lazy("Case number"), max_length=32)
    phone = forms.CharField(label=gettext_lazy("Caller's phone (as on the case)"), max_length=20)
    field_order = ["number", "phone", "level", "tags", "reasons", "comment"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].label = gettext_lazy("Level the caller gives")
        self.fields["tags"].label = gettext_lazy("Criteria")
        self.fields["reasons"].label = gettext_lazy("Reasons of a bad rating")
        self.fields["reasons"].help_text = ""
        self.fields["comment"].label = gettext_lazy("What the caller said")
        self.fields["comment"].help_text = ""
        self.fields["comment"].widget.attrs["rows"] = 3


@login_required
@require_http_methods(["GET", "POST"])
def hotline_rating(request: HttpRequest) -> HttpResponse:
    if not access.can_record_phoned_ratings(request.user):
        raise Http404
    form = PhonedRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rating = hotline.rating_record_by_hotline(
                actor=request.user,
                number=data["number"],
                caller_phone=data["phone"],
                level=data["level"],
                tags=form.tag_list(),
                comment=data["comment"],
            )
        except NotFound:
            form.add_error(
                None,
                _("No case of your region with this number and this caller's phone."),
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The rating of case %(number)s was recorded.")
                % {"number": rating.application.number},
            )
            return redirect("evaluations:hotline")
    return render(request, "evaluations/hotline.html", {"form": form})
