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

from onestop.errors import DomainError, Invalid, NotFound
from workflow import access

from . import hotline
from .choices import BAD_REASONS, ONLINE_TAGS, Level


class PhonedRatingForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Case number"), max_length=32)
    phone = forms.CharField(label=gettext_lazy("Caller's phone (as on the case)"), max_length=20)
    level = forms.TypedChoiceField(
        label=gettext_lazy("Level the caller gives"),
        choices=[(lv.value, lv.label) for lv in sorted(Level, reverse=True)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("Criteria"),
        choices=list(ONLINE_TAGS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reasons = forms.MultipleChoiceField(
        label=gettext_lazy("Reasons of a bad rating"),
        choices=list(BAD_REASONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=gettext_lazy("What the caller said"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


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
                tags=[*data.get("tags", []), *data.get("reasons", [])],
                comment=data["comment"],
            )
        except NotFound:
            form.add_error(
                None,
                _("No case of your region with this number and this caller's phone."),
            )
        except Invalid as exc:
            for name, errs in (exc.fields or {}).items():
                for e in errs:
                    form.add_error(name if name in form.fields else None, str(e))
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("The rating of case %(number)s was recorded.")
                % {"number": rating.application.number},
            )
            return redirect("evaluations:hotline")
    return render(request, "evaluations/hotline.html", {"form": form})
