"""Forms of the account pages: registration, the enterprise's handlers.

The forms only shape the input; the rules (checksums, conflicts, who may act) are in
``permits.applicant_services``, whose per-field errors the views put next to the fields with
``onestop.forms.add_service_errors``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.utils.translation import gettext_lazy as _

from onestop import pii
from permits.models import IdType
from permits.validators import mask_id_number

# A registration form re-shown after an error keeps the ID number the applicant typed without
# putting it in the page (issue 14 item 11): SM4-GCM-sealed (onestop.pii) and signed with an
# expiry, in a hidden field; the page shows it masked.
_KEPT_ID_SALT = "portal.register.id_number"
KEPT_ID_MAX_AGE = 30 * 60


def keep_id_number(value: str) -> str:
    """The hidden field's token of ``value``: encrypted, signed, valid for half an hour."""
    return signing.dumps(pii.seal(value), salt=_KEPT_ID_SALT)


def kept_id_number(token: str) -> str:
    """The ID number a token carries; '' for none, a forged, altered or expired token."""
    if not token:
        return ""
    try:
        sealed = signing.loads(token, salt=_KEPT_ID_SALT, max_age=KEPT_ID_MAX_AGE)
        if not pii.is_sealed(sealed):
            return ""
        return pii.unseal(sealed) or ""
    except (signing.BadSignature, ValueError, TypeError):
        return ""


class NoEchoInput(forms.TextInput):
    """A text input that never renders the value back: a re-shown form must not carry an ID
    number in the page."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


def _control(widget: forms.Widget, **attrs) -> forms.Widget:
    classes = "form-select" if isinstance(widget, forms.Select) else "form-control"
    widget.attrs.update({"class": classes, **attrs})
    return widget


class AccessibleForm(forms.Form):
    """Bootstrap's ``is-invalid`` and ``aria-invalid`` on fields with errors, and
    ``aria-describedby`` linking each input to its error and help texts."""

    def full_clean(self):
        super().full_clean()
        self.mark_fields()

    def add_error(self, field, error) -> None:
        # Errors added after validation (a service's, through onestop.forms) are marked too.
        super().add_error(field, error)
        self.mark_fields()

    def mark_fields(self) -> None:
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            attrs = field.widget.attrs
            if name in self.errors:
                described.append(f"{bound.auto_id}_error")
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
            if field.help_text:
                described.append(f"{bound.auto_id}_help")
            if described:
                attrs["aria-describedby"] = " ".join(described)


class PersonRegisterForm(AccessibleForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=_control(forms.TextInput(), autocomplete="username"),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=_control(forms.PasswordInput(), autocomplete="new-password"),
        help_text=_("At least %(length)s characters, not only digits, not a common password."),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=_control(forms.PasswordInput(), autocomplete="new-password"),
    )
    real_name = forms.CharField(
        label=_("Real name"), max_length=60, widget=_control(forms.TextInput(), autocomplete="name")
    )
    id_type = forms.ChoiceField(
        label=_("ID type"),
        choices=IdType.choices,
        initial=IdType.RESIDENT_ID,
        widget=_control(forms.Select()),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        help_text=_("For your privacy the number is never shown again; retype it if asked."),
        widget=_control(NoEchoInput(), autocomplete="off", spellcheck="false"),
    )
    id_number_kept = forms.CharField(required=False, widget=forms.HiddenInput())
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=_control(forms.TextInput(), autocomplete="tel", inputmode="tel"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["password"]
        field.help_text = field.help_text % {"length": settings.PASSWORD_MIN_LENGTH}
        # The ID number left empty after an error: the one kept from the last try, if any.
        if self.is_bound and not str(self.data.get("id_number") or "").strip():
            kept = kept_id_number(str(self.data.get("id_number_kept") or ""))
            if kept:
                self.data = self.data.copy()
                self.data["id_number"] = kept

    def keep_id_number(self) -> None:
        """Before the form is shown again with errors: keep a valid ID number (sealed in the
        hidden field, masked in the page) so it need not be typed again; an ID number with an
        error of its own is not kept."""
        if not self.is_bound or not self.errors:
            return
        value = "" if "id_number" in self.errors else self.cleaned_data.get("id_number", "")
        self.data = self.data.copy()
        self.data["id_number_kept"] = keep_id_number(value) if value else ""
        if value:
            field = self.fields["id_number"]
            masked = mask_id_number(value)
            field.widget.attrs["placeholder"] = masked
            field.help_text = _(
                "Kept from your last try: %(masked)s. Leave the field empty to keep it, or "
                "type the number again to change it."
            ) % {"masked": masked}
            self["id_number"].help_text = field.help_text  # the bound field has its own copy

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("username", "password", "real_name", "id_type", "id_number", "phone")
        }


class EnterpriseFieldsMixin(AccessibleForm):
    org_name = forms.CharField(
        label=_("Enterprise name"),
        max_length=120,
        widget=_control(forms.TextInput(), autocomplete="organization"),
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        min_length=18,
        help_text=_("18 characters, as printed on the business licence."),
        widget=_control(forms.TextInput(), autocomplete="off", spellcheck="false"),
    )


class EnterpriseRegisterForm(PersonRegisterForm, EnterpriseFieldsMixin):
    """A new account and its enterprise: the person becomes the first handler."""

    field_order = [
        "org_name",
        "credit_code",
        "username",
        "password",
        "password_again",
        "real_name",
        "id_type",
        "id_number",
        "phone",
    ]

    def service_kwargs(self) -> dict:
        return {
            **super().service_kwargs(),
            "org_name": self.cleaned_data["org_name"],
            "credit_code": self.cleaned_data["credit_code"],
        }


class EnterpriseForm(EnterpriseFieldsMixin):
    """A signed-in person registers an enterprise."""


class HandlerAddForm(AccessibleForm):
    service_field_aliases = {"scope": "item_codes"}  # the service's name for the codes

    username = forms.CharField(
        label=_("Username of the new handler"),
        max_length=150,
        help_text=_("The person registers an account first."),
        widget=_control(forms.TextInput(), autocomplete="off"),
    )
    all_items = forms.BooleanField(
        label=_("All service items"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    item_codes = forms.CharField(
        label=_("Or only these item codes"),
        required=False,
        help_text=_("Separate codes with spaces or commas."),
        widget=_control(forms.TextInput(), autocomplete="off"),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("The last day of the authorisation; leave empty for no end date."),
        widget=_control(forms.DateInput(attrs={"type": "date"})),
    )

    def clean(self):
        data = super().clean()
        codes = [c for c in (data.get("item_codes") or "").replace("，", ",").split(",")]
        codes = [part for chunk in codes for part in chunk.split() if part]
        if data.get("all_items"):
            data["scope"] = "all"
        elif codes:
            data["scope"] = codes
        else:
            self.add_error("item_codes", _("Tick “all service items” or give item codes."))
        return data


class SecondFactorCodeForm(AccessibleForm):
    code = forms.CharField(
        label=_("One-time code"),
        max_length=16,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        ),
        widget=_control(
            forms.TextInput(),
            autocomplete="one-time-code",
            inputmode="numeric",
            spellcheck="false",
            autofocus=True,
        ),
    )


class PasswordResetRequestForm(AccessibleForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=_control(forms.TextInput(), autocomplete="username"),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        help_text=_("The mobile phone number of your real-name record."),
        widget=_control(NoEchoInput(), autocomplete="tel", inputmode="tel"),
    )


class PasswordResetConfirmForm(AccessibleForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=_control(forms.TextInput(), autocomplete="username"),
    )
    code = forms.CharField(
        label=_("SMS code"),
        max_length=6,
        min_length=6,
        widget=_control(forms.TextInput(), autocomplete="one-time-code", inputmode="numeric"),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=_control(forms.PasswordInput(), autocomplete="new-password"),
    )
    new_password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=_control(forms.PasswordInput(), autocomplete="new-password"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return data
