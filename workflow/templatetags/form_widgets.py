"""Rendering form fields accessibly with Bootstrap classes, for the portal and the back office:
errors are tied to their field (``aria-invalid``, ``aria-describedby``) so screen readers read
them with the field."""

from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()

_CHOICE_WIDGETS = {"radioselect", "checkboxselectmultiple"}


def _described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_help")
    if field.errors:
        ids.append(f"{field.auto_id}_errors")
    return " ".join(ids)


@register.filter
def control(field: BoundField, css: str = "") -> str:
    """The field's widget with ``form-control``/``form-select`` (or ``css``), ``aria-invalid``
    and ``aria-describedby`` set."""
    kind = field.widget_type
    if not css:
        if kind == "select":
            css = "form-select"
        elif kind in ("checkbox",):
            css = "form-check-input"
        else:
            css = "form-control"
    attrs = {"class": f"{css} is-invalid" if field.errors else css}
    described = _described_by(field)
    if described:
        attrs["aria-describedby"] = described
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_group(field: BoundField) -> bool:
    return field.widget_type in _CHOICE_WIDGETS


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return field.widget_type == "checkbox"


@register.filter
def described_by(field: BoundField) -> str:
    return _described_by(field)


@register.filter
def field_required(field: BoundField) -> bool:
    """Required as configured (spec forms validate on the server, not through Django)."""
    return bool(getattr(field.field, "is_required", field.field.required))
