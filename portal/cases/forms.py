"""Forms of the online application wizard, "my cases", progress query and verification.

The application form itself is built from the item version's spec (``permits.formspec``); these
are the small forms around it. They validate input only: the services decide the rules.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

SELF = "self"


class ApplicantForm(forms.Form):
    """Step ①: who applies: myself, or an enterprise I handle for this item."""

    applicant = forms.ChoiceField(
        label=_("Who is applying"), widget=forms.RadioSelect, error_messages={}
    )

    def __init__(self, *args: Any, options: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = options
        self.fields["applicant"].error_messages["required"] = _("Choose who is applying.")
        if options:
            self.fields["applicant"].initial = options[0][0]

    def enterprise_id(self) -> int | None:
        value = self.cleaned_data["applicant"]
        return None if value == SELF else int(value.split(":", 1)[1])


class MaterialUploadForm(forms.Form):
    """Step ③: one file for one material requirement (plain multipart, no JavaScript needed)."""

    requirement = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
        },
    )


class DeclarationForm(forms.Form):
    """Step ④: the applicant's declaration of truthfulness (申请人承诺)."""

    declaration = forms.BooleanField(
        label=_(
            "I declare that the information and materials I provide are true, complete and "
            "valid, and I bear the legal responsibility for them."
        ),
        error_messages={"required": _("Please tick the declaration before submitting.")},
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, withdraw this application. It cannot be resumed afterwards."),
        error_messages={"required": _("Please confirm that you want to withdraw.")},
    )
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=200, widget=forms.TextInput
    )


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, statuses: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All"))] + list(statuses)


class TrackForm(forms.Form):
    """Public progress query: the number and a secret only the applicant knows."""

    number = forms.CharField(
        label=_("Application number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    id_last4 = forms.CharField(
        label=_("Last four characters of the ID number"),
        required=False,
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    query_code = forms.CharField(
        label=_("Query code (anonymous cases)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()

    def clean_id_last4(self) -> str:
        return (self.cleaned_data.get("id_last4") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("id_last4") and not (data.get("query_code") or "").strip():
            raise forms.ValidationError(
                _("Enter the last four characters of the ID number, or the query code.")
            )
        return data


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    code = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()
