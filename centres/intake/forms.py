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


class ItemSearchForm(forms.Form):
    q = forms.CharField(label=_("Service item (name, code or pinyin initials)"), required=False)
    ticket = forms.CharField(required=False, widget=forms.HiddenInput)


class WalkInApplicantForm(forms.Form):
    """Who applies: the person present (ID type and number, phone) and, for an enterprise, its
    name and credit code (the person present is its handler). The service checks the ID and
    credit code checksums."""

    real_name = forms.CharField(label=_("Applicant's real name"), max_length=60)
    id_type = forms.ChoiceField(label=_("ID type"))
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    phone = forms.CharField(label=_("Mobile phone number"), max_length=20)
    org_name = forms.CharField(label=_("Enterprise name (if for an enterprise)"), required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code (if for an enterprise)"), required=False, max_length=18
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from permits.models import IdType

        kwargs.setdefault("prefix", "applicant")
        super().__init__(*args, **kwargs)
        self.fields["id_type"].choices = IdType.choices

    def applicant(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class WindowAcceptForm(forms.Form):
    """Acceptance on the spot: the tolerated materials (容缺受理) with the applicant's signed
    commitment and deadline; the acceptance step's serializer checks the rules."""

    accept = forms.BooleanField(label=_("Accept at the window now"), required=False, initial=True)
    tolerated = forms.MultipleChoiceField(
        label=_("Tolerated missing materials (容缺受理)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tolerance_deadline = forms.DateField(
        label=_("Tolerated materials due by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    commitment_signed = forms.BooleanField(
        label=_("The applicant signed the tolerance commitment (容缺受理承诺书)"), required=False
    )

    def __init__(self, *args: Any, tolerable: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tolerated"].choices = tolerable
        if not tolerable:
            for name in ("tolerated", "tolerance_deadline", "commitment_signed"):
                del self.fields[name]

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        if not data.get("tolerated"):
            return {}
        return {
            "tolerated": [int(t) for t in data["tolerated"]],
            "tolerance_deadline": data.get("tolerance_deadline"),
            "commitment_signed": bool(data.get("commitment_signed")),
        }
