"""The application form of an item version, validated on the server.

An item version's snapshot holds ``form_fields``: ``[{name, label, type, required, choices,
validation, help_text}]`` with the types of API.md (text, textarea, number, date, choice,
multichoice, bool, id_number, credit_code, phone, email, address). This module is the one place
that knows what each type accepts:

- :func:`clean_form_data` checks a dict (from the API or a page) and returns the cleaned,
  JSON-ready data, or raises :class:`FormDataInvalid` whose ``errors`` map a field name to a
  list of messages (the API nests them under ``fields.form.<name>``). ``partial=True`` is for
  drafts: nothing is required, but whatever is given must be valid.
- :func:`build_form_class` makes a Django form for the portal from the same spec; its
  validation *is* :func:`clean_form_data`, so the page and the API can never disagree.

Cleaned data holds only the fields that have a value; store it as the whole form (it replaces,
it does not merge).

``validation`` may hold ``min_length``, ``max_length``, ``pattern`` (full match) with an optional
``pattern_message``, ``min`` and ``max`` (numbers; ISO dates for dates), ``integer`` (numbers),
``id_type`` (id_number: ``resident_id`` by default, checked with GB 11643; other ID types are
checked for shape only).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.forms import add_service_errors
from onestop.pii import seal, unseal
from permits.exceptions import Invalid
from permits.validators import (
    is_valid_credit_code,
    is_valid_id_number,
    normalise_identifier,
    validate_mobile_phone,
)

FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "choice",
    "multichoice",
    "bool",
    "id_number",
    "credit_code",
    "phone",
    "email",
    "address",
)
# Default longest text per type, when the spec sets no max_length.
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000, "address": 200}

_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_TRUE = {"true", "1", "on", "yes"}
_FALSE = {"false", "0", "off", "no"}


class FormDataInvalid(Invalid):
    """The form data did not pass. ``errors`` maps field names to lists of messages; ``fields``
    nests them under ``form`` as the API's error shape wants (``fields.form.<name>``)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            _("Please correct the marked fields of the form."),
            fields={"form": {name: list(messages) for name, messages in errors.items()}},
        )


class _FieldError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def normalise_choices(raw: Any) -> list[tuple[str, str]]:
    """Choices as ``[(value, label)]`` from ``["a", "b"]``, ``[["a", "甲"]]`` or
    ``[{"value": "a", "label": "甲"}]``."""
    out: list[tuple[str, str]] = []
    for choice in raw or []:
        if isinstance(choice, Mapping):
            value = choice.get("value", choice.get("label", ""))
            out.append((str(value), str(choice.get("label", value))))
        elif isinstance(choice, list | tuple) and choice:
            out.append((str(choice[0]), str(choice[1] if len(choice) > 1 else choice[0])))
        else:
            out.append((str(choice), str(choice)))
    return out


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | set) and not any(not _is_empty(item) for item in value)


def _text(field: Mapping[str, Any], value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _FieldError(_("Enter text."))
    text = str(value).strip()
    if field["type"] != "textarea":
        text = re.sub(r"[\r\n\t]+", " ", text)
    if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text):
        raise _FieldError(_("The text contains characters that are not allowed."))
    rules = field.get("validation") or {}
    max_length = rules.get("max_length") or DEFAULT_MAX_LENGTH.get(field["type"], 200)
    min_length = rules.get("min_length")
    if len(text) > int(max_length):
        raise _FieldError(
            _("Enter at most %(max)s characters (now %(count)s).")
            % {"max": max_length, "count": len(text)}
        )
    if min_length and len(text) < int(min_length):
        raise _FieldError(_("Enter at least %(min)s characters.") % {"min": min_length})
    return text


def _check_pattern(field: Mapping[str, Any], text: str) -> None:
    rules = field.get("validation") or {}
    pattern = rules.get("pattern")
    if not pattern:
        return
    try:
        matched = re.fullmatch(pattern, text) is not None
    except re.error:  # a broken rule in the configuration must not lock applicants out
        return
    if not matched:
        raise _FieldError(str(rules.get("pattern_message") or _("The format is not valid.")))


def _number(field: Mapping[str, Any], value: Any) -> int | float:
    if isinstance(value, bool):
        raise _FieldError(_("Enter a number."))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise _FieldError(_("Enter a number.")) from None
    if not number.is_finite():
        raise _FieldError(_("Enter a number."))
    rules = field.get("validation") or {}
    integral = number == number.to_integral_value()
    if rules.get("integer") and not integral:
        raise _FieldError(_("Enter a whole number."))
    if rules.get("min") is not None and number < Decimal(str(rules["min"])):
        raise _FieldError(_("Enter a number of at least %(min)s.") % {"min": rules["min"]})
    if rules.get("max") is not None and number > Decimal(str(rules["max"])):
        raise _FieldError(_("Enter a number of at most %(max)s.") % {"max": rules["max"]})
    if integral and abs(number) < 10**15:
        return int(number)
    result = float(number)
    if not math.isfinite(result):
        raise _FieldError(_("Enter a number."))
    return result


def _date(field: Mapping[str, Any], value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise _FieldError(_("Enter a date such as 2026-03-01.")) from None
    rules = field.get("validation") or {}
    for key, compare, message in (
        ("min", lambda d, limit: d < limit, _("Enter a date on or after %(date)s.")),
        ("max", lambda d, limit: d > limit, _("Enter a date on or before %(date)s.")),
    ):
        if rules.get(key):
            try:
                limit = dt.date.fromisoformat(str(rules[key]))
            except ValueError:
                continue
            if compare(day, limit):
                raise _FieldError(message % {"date": limit.isoformat()})
    return day.isoformat()


def _choice(field: Mapping[str, Any], value: Any) -> str:
    values = [v for v, _label in normalise_choices(field.get("choices"))]
    text = str(value).strip() if not isinstance(value, list | dict) else None
    if text is None or text not in values:
        raise _FieldError(_("Choose one of the listed options."))
    return text


def _multichoice(field: Mapping[str, Any], value: Any) -> list[str]:
    values = [v for v, _label in normalise_choices(field.get("choices"))]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise _FieldError(_("Choose among the listed options."))
    chosen: list[str] = []
    for item in value:
        if _is_empty(item):
            continue
        text = str(item).strip() if not isinstance(item, list | dict) else None
        if text is None or text not in values:
            raise _FieldError(_("Choose among the listed options."))
        if text not in chosen:
            chosen.append(text)
    # keep the configured order, whatever order the client sent
    return [v for v in values if v in chosen]


def _bool(field: Mapping[str, Any], value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _FieldError(_("Answer yes or no."))


def _id_number(field: Mapping[str, Any], value: Any) -> str:
    text = normalise_identifier(value) if isinstance(value, str) else ""
    id_type = (field.get("validation") or {}).get("id_type", "resident_id")
    if not is_valid_id_number(id_type, text):
        if id_type == "resident_id":
            raise _FieldError(_("This is not a valid resident ID number (GB 11643 check failed)."))
        raise _FieldError(_("This is not a valid number for the chosen ID type."))
    return text


def _credit_code(field: Mapping[str, Any], value: Any) -> str:
    text = normalise_identifier(value) if isinstance(value, str) else ""
    if not is_valid_credit_code(text):
        raise _FieldError(
            _("This is not a valid unified social credit code (GB 32100 check failed).")
        )
    return text


def _phone(field: Mapping[str, Any], value: Any) -> str:
    text = re.sub(r"[\s]", "", str(value)) if isinstance(value, str | int) else ""
    if text.startswith("+86"):
        text = text[3:]
    try:
        validate_mobile_phone(text)
    except ValidationError:
        if not _LANDLINE_RE.match(text):
            raise _FieldError(
                _("Enter an 11-digit mobile number or a landline number such as 0766-8888888.")
            ) from None
    return text


def _email(field: Mapping[str, Any], value: Any) -> str:
    text = str(value).strip() if isinstance(value, str) else ""
    try:
        validate_email(text)
    except ValidationError:
        raise _FieldError(_("Enter a valid e-mail address.")) from None
    if len(text) > 254:
        raise _FieldError(_("Enter a valid e-mail address."))
    return text


_TEXT_LIKE = {"text", "textarea", "address"}
_CLEANERS = {
    "text": _text,
    "textarea": _text,
    "address": _text,
    "number": _number,
    "date": _date,
    "choice": _choice,
    "multichoice": _multichoice,
    "bool": _bool,
    "id_number": _id_number,
    "credit_code": _credit_code,
    "phone": _phone,
    "email": _email,
}


def clean_field(field: Mapping[str, Any], value: Any) -> Any:
    """One field's cleaned value; raises ``_FieldError`` (use :func:`clean_form_data`)."""
    cleaner = _CLEANERS.get(field.get("type", "text"), _text)
    cleaned = cleaner(field, value)
    if field.get("type", "text") in _TEXT_LIKE | {"id_number", "phone"}:
        _check_pattern(field, cleaned)
    return cleaned


def clean_form_data(
    *, fields: Sequence[Mapping[str, Any]], data: Mapping[str, Any] | None, partial: bool = False
) -> dict[str, Any]:
    """Validate ``data`` against a version's ``form_fields``.

    Returns the cleaned data (JSON-ready: dates as ISO strings, numbers as int/float, only fields
    with a value). Raises :class:`FormDataInvalid` with ``errors`` {field: [messages]}: a
    required field left empty (unless ``partial``), a value of the wrong shape, a field that is
    not in the form."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise FormDataInvalid({"non_field_errors": [_("The form data must be an object.")]})
    known = {field["name"]: field for field in fields}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}

    for name in data:
        if name not in known:
            errors.setdefault(str(name), []).append(_("This field is not part of the form."))

    for name, field in known.items():
        value = data.get(name)
        if _is_empty(value) or (field.get("type") == "bool" and value == ""):
            if field.get("required") and not partial:
                errors.setdefault(name, []).append(_("This field is required."))
            continue
        try:
            cleaned[name] = clean_field(field, value)
        except _FieldError as exc:
            errors.setdefault(name, []).append(str(exc.message))
            continue
        if field.get("type") == "multichoice" and not cleaned[name]:
            del cleaned[name]
            if field.get("required") and not partial:
                errors.setdefault(name, []).append(_("This field is required."))

    if errors:
        raise FormDataInvalid(errors)
    return cleaned


# Personal data in form data (issue 12 item 5): the values of these field types are stored
# SM4-sealed (``onestop.pii.seal``); every reader opens them with :func:`open_form_data`.
SEALED_TYPES = frozenset({"id_number", "phone"})


def seal_form_data(fields: Iterable[Mapping[str, Any]], data: Mapping[str, Any]) -> dict:
    """``data`` with the values of the ``id_number`` and ``phone`` fields sealed."""
    kinds = {f["name"]: f.get("type") for f in fields}
    return {
        k: seal(v) if kinds.get(k) in SEALED_TYPES and isinstance(v, str) else v
        for k, v in data.items()
    }


def open_form_data(data: Mapping[str, Any] | None) -> dict:
    """Stored form data with its sealed values opened (values never sealed pass as they are)."""
    return {k: unseal(v) if isinstance(v, str) else v for k, v in (data or {}).items()}


def display_value(field: Mapping[str, Any], value: Any) -> str:
    """How a cleaned value reads on review and task pages (choice labels, 是/否)."""
    if value is None or value == "" or value == []:
        return ""
    kind = field.get("type")
    if kind == "bool":
        return str(_("Yes") if value else _("No"))
    if kind in {"choice", "multichoice"}:
        labels = dict(normalise_choices(field.get("choices")))
        items = value if isinstance(value, list) else [value]
        return "、".join(labels.get(str(v), str(v)) for v in items)
    return str(value)


def display_rows(
    fields: Iterable[Mapping[str, Any]], data: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """``[{name, label, value, type}]`` in form order, for review and task pages."""
    data = data or {}
    return [
        {
            "name": field["name"],
            "label": field.get("label") or field["name"],
            "type": field.get("type", "text"),
            "value": display_value(field, data.get(field["name"])),
        }
        for field in fields
    ]


# --- The portal's Django form, built from the same spec ----------------------------------------


class _RawField(forms.Field):
    """Carries the raw submitted value to :func:`clean_form_data`, which does all validation."""

    def __init__(self, *, spec: Mapping[str, Any], **kwargs: Any) -> None:
        self.spec = spec
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        return value

    def validate(self, value: Any) -> None:  # clean_form_data decides
        return None

    def run_validators(self, value: Any) -> None:
        return None


class _RawMultipleField(_RawField):
    widget = forms.CheckboxSelectMultiple


def _widget_for(spec: Mapping[str, Any]) -> forms.Widget:
    kind = spec.get("type", "text")
    rules = spec.get("validation") or {}
    attrs: dict[str, Any] = {}
    if spec.get("required"):
        attrs["aria-required"] = "true"
    max_length = rules.get("max_length") or DEFAULT_MAX_LENGTH.get(kind)
    if kind in _TEXT_LIKE and max_length:
        attrs["maxlength"] = str(max_length)
    choices = normalise_choices(spec.get("choices"))
    if kind == "textarea":
        return forms.Textarea(attrs={**attrs, "rows": 4})
    if kind == "number":
        attrs.update({"inputmode": "decimal"})
        return forms.TextInput(attrs=attrs)
    if kind == "date":
        return forms.DateInput(attrs={**attrs, "type": "date"}, format="%Y-%m-%d")
    if kind == "choice":
        if len(choices) <= 5:
            return forms.RadioSelect(attrs=attrs, choices=choices)
        return forms.Select(attrs=attrs, choices=[("", "—"), *choices])
    if kind == "multichoice":
        return forms.CheckboxSelectMultiple(attrs=attrs, choices=choices)
    if kind == "bool":
        return forms.RadioSelect(
            attrs=attrs, choices=[("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))]
        )
    if kind == "id_number":
        attrs.update({"autocomplete": "off", "maxlength": "32", "spellcheck": "false"})
    elif kind == "credit_code":
        attrs.update({"autocomplete": "off", "maxlength": "18", "spellcheck": "false"})
    elif kind == "phone":
        return forms.TextInput(attrs={**attrs, "type": "tel", "autocomplete": "tel"})
    elif kind == "email":
        return forms.EmailInput(attrs={**attrs, "autocomplete": "email"})
    elif kind == "address":
        attrs["autocomplete"] = "street-address"
    return forms.TextInput(attrs=attrs)


def _initial_for(spec: Mapping[str, Any], value: Any) -> Any:
    if value is None:
        return None
    if spec.get("type") == "bool" and isinstance(value, bool):
        return "true" if value else "false"
    return value


class SpecForm(forms.Form):
    """A Django form over an item version's form spec. Its ``cleaned_data`` after ``is_valid``
    is exactly what :func:`clean_form_data` returns."""

    spec_fields: Sequence[Mapping[str, Any]] = ()
    partial: bool = False

    def __init__(
        self,
        *args: Any,
        spec_fields: Sequence[Mapping[str, Any]],
        partial: bool = False,
        stored: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.spec_fields = list(spec_fields)
        self.partial = partial
        stored = stored or {}
        kwargs.setdefault(
            "initial",
            {spec["name"]: _initial_for(spec, stored.get(spec["name"])) for spec in spec_fields},
        )
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for spec in self.spec_fields:
            field_class = _RawMultipleField if spec.get("type") == "multichoice" else _RawField
            self.fields[spec["name"]] = field_class(
                spec=spec,
                label=spec.get("label") or spec["name"],
                help_text=spec.get("help_text") or "",
                widget=_widget_for(spec),
            )
            # Shown as "required" on the page; enforced by clean_form_data, not by Django.
            self.fields[spec["name"]].is_required = bool(spec.get("required"))

    def clean(self) -> dict[str, Any]:
        raw = {name: self.cleaned_data.get(name) for name in self.fields}
        try:
            cleaned = clean_form_data(fields=self.spec_fields, data=raw, partial=self.partial)
        except FormDataInvalid as exc:
            add_service_errors(self, exc)
            return self.cleaned_data
        self.cleaned_data = cleaned
        return cleaned


def build_form(
    spec_fields: Sequence[Mapping[str, Any]],
    *,
    data: Mapping[str, Any] | None = None,
    stored: Mapping[str, Any] | None = None,
    partial: bool = False,
    prefix: str | None = None,
) -> SpecForm:
    """The portal's form for a version's fields: bound to ``data`` (a POST) or showing the
    ``stored`` form data of a draft."""
    return SpecForm(data, spec_fields=spec_fields, stored=stored, partial=partial, prefix=prefix)
