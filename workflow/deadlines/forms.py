from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workflow.models import CalendarDayKind


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=_("Name"), max_length=60, required=False)


class CalendarYearForm(forms.Form):
    complete = forms.BooleanField(required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
