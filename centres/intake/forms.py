"""The hand-over form (出件): its fields are the API's (``POST …/handover/``); the service
checks what each method requires."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class HandoverForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How the result is handed over"),
        choices=[
            ("window", _("Collected at the window")),
            ("mail", _("By mail")),
            ("electronic", _("Electronic delivery")),
        ],
        widget=forms.RadioSelect,
        initial="window",
    )
    collected_by = forms.CharField(label=_("Collected by"), required=False, max_length=60)
    id_checked = forms.BooleanField(
        label=_("I checked the collector's ID document"), required=False
    )
    collector_id_number = forms.CharField(
        label=_("Collector's ID number (kept masked)"), required=False, max_length=40
    )
    address = forms.CharField(label=_("Mailing address"), required=False, max_length=200)
    courier = forms.CharField(label=_("Courier"), required=False, max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), required=False, max_length=60)

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {k: v for k, v in data.items() if v not in ("", None)}
