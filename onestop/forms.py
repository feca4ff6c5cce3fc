"""Showing a domain error on a Django form: the one place that knows how a service's
``fields`` (``onestop.errors.DomainError``) map onto a form's fields.

Plumbing below every app (like ``onestop.errors``), so departments, permits, workflow and the
apps above them may all use it; it imports nothing of theirs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from .errors import DomainError


def service_error_items(fields: Mapping[str, Any] | None) -> Iterator[tuple[str, str, str]]:
    """``(path, name, message)`` for every message of a domain error's ``fields``.

    ``fields`` maps a name to a message, a list of messages, or a nested mapping of the same
    shape (``{"applicant": {"id_number": [...]}}``, ``{"form": {"<name>": [...]}}`` — the API's
    ``fields.form.<name>``). ``path`` is the dotted path (``applicant.id_number``), ``name`` its
    last part: nested names are the fields of the form that shows them."""
    for key, value in (fields or {}).items():
        if isinstance(value, Mapping):
            for path, name, message in service_error_items(value):
                yield f"{key}.{path}", name, message
        elif isinstance(value, list | tuple):
            for message in value:
                yield str(key), str(key), str(message)
        else:
            yield str(key), str(key), str(value)


def add_service_errors(
    form: forms.BaseForm,
    exc: DomainError,
    *,
    aliases: Mapping[str, str] | None = None,
) -> None:
    """Put a service's error on ``form``: each field's messages next to the form's field of
    that name (or of its alias: ``aliases`` maps a service's name or dotted path to a form
    field, and a form may declare its own as ``service_field_aliases``); messages for names the
    form has not, above the form; the error's ``message`` above the form when it names no
    field. A message already shown at the same place is not shown twice."""
    aliases = {**getattr(form, "service_field_aliases", {}), **(aliases or {})}
    items = list(service_error_items(exc.fields))
    if not items:
        _add_once(form, None, str(exc.message))
        return
    for path, name, message in items:
        target = aliases.get(path) or aliases.get(name) or name
        _add_once(form, target if target in form.fields else None, message)


def _add_once(form: forms.BaseForm, field: str | None, message: str) -> None:
    shown = form.errors.get(field or NON_FIELD_ERRORS, [])
    if message not in shown:
        form.add_error(field, message)
