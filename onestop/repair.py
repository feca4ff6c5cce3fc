"""Find and repair stored text that breaks rendering (``manage.py repair_text``).

Before the input policy (``onestop.inputpolicy``) a NUL or a lone surrogate could reach the
database — on SQLite (the demo) both are stored, inside a JSON field's escapes or a text
column — and from then on every page, API answer and task of the case raised while encoding
it. This walks the text and JSON columns of the case apps' models, and replaces each NUL by
nothing and each lone surrogate by U+FFFD (the replacement character, shown as "�"), row by
row with a plain UPDATE of the changed columns only. Values are never printed: only the model,
the row's primary key and the field names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction

from onestop.inputpolicy import bad_text, clean_data, clean_text, find_bad_text

APPS = ("departments", "permits", "workflow", "notifications")


@dataclass(frozen=True)
class Finding:
    model: str
    pk: object
    fields: tuple[str, ...]


def _columns(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        and not field.primary_key
    ]


def _fixed(field: models.Field, value):
    """The repaired value, or None when ``value`` is fine."""
    if isinstance(field, models.JSONField):
        return clean_data(value) if find_bad_text(value) else None
    return clean_text(value) if bad_text(value) else None


def scan(*, repair: bool, app_labels: tuple[str, ...] = APPS) -> Iterator[Finding]:
    """Yield each row holding a bad value; with ``repair`` the row is fixed as it is found."""
    for label in app_labels:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            columns = _columns(model)
            if not columns:
                continue
            names = [field.attname for field in columns]
            rows = model._base_manager.values_list("pk", *names).order_by("pk")
            found: list[tuple[object, dict]] = []
            for pk, *values in rows.iterator(chunk_size=500):
                changes = {}
                for field, value in zip(columns, values, strict=True):
                    fixed = _fixed(field, value)
                    if fixed is not None:
                        changes[field.attname] = fixed
                if changes:
                    found.append((pk, changes))
            # Written after the read, so no cursor is open on the table being updated.
            for pk, changes in found:
                if repair:
                    with transaction.atomic():
                        model._base_manager.filter(pk=pk).update(**changes)
                yield Finding(model._meta.label, pk, tuple(sorted(changes)))
