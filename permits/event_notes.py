"""Notes the system writes on a case's events, shown in the reader's language.

A service that writes a note of its own ("Yellow warning: the task is nearly due.", "Accepted
with tolerated materials missing: …") passes ``system_note(msgid, **params)`` as the event's
note. ``event_append`` stores the text in the writer's language in ``Event.note`` (what exports,
searches and old readers see) and the message's key and parameters in ``Event.data``
(``note_key``, ``note_params``); :func:`note_text` renders the note again through gettext in the
language of whoever reads the case page, the task page or the API.

A note without a key (rows written before this, and what a person typed: an opinion, reasons,
a reply) shows as stored. A parameter that is itself translatable (a choice's label) is kept as
its msgid and translated at display too; any other parameter (a name, a date, a department) is
kept as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

NOTE_KEY = "note_key"
NOTE_PARAMS = "note_params"


class SystemNote(str):
    """The note's text in the active language, carrying its ``msgid`` and ``params``."""

    msgid: str
    params: dict[str, Any]


def system_note(message: str | Promise, **params: Any) -> SystemNote:
    """A system-written note: ``message`` is the English msgid (a ``gettext_lazy`` proxy, or a
    string marked with ``gettext_noop``) with ``%(name)s`` placeholders for ``params``."""
    msgid = _msgid(message)
    stored = {name: _param(value) for name, value in params.items()}
    note = SystemNote(_render(msgid, stored))
    note.msgid = msgid
    note.params = stored
    return note


def note_data(note: Any) -> dict[str, Any]:
    """What ``event_append`` adds to the event's data for ``note`` (nothing for a typed one)."""
    if not isinstance(note, SystemNote):
        return {}
    if not note.params:
        return {NOTE_KEY: note.msgid}
    return {NOTE_KEY: note.msgid, NOTE_PARAMS: note.params}


def note_text(note: str, data: Mapping[str, Any] | None) -> str:
    """The event's note in the active language: rendered from its key when the system wrote it,
    else as stored."""
    key = (data or {}).get(NOTE_KEY)
    if not key or not isinstance(key, str):
        return note
    try:
        return _render(key, (data or {}).get(NOTE_PARAMS) or {})
    except (KeyError, TypeError, ValueError):  # a key whose placeholders changed since
        return note


def _msgid(message: str | Promise) -> str:
    if isinstance(message, Promise):
        with translation.override(None):  # no catalogue: the proxy's English original
            return str(message)
    return str(message)


def _param(value: Any) -> Any:
    if isinstance(value, Promise):
        return {"msgid": _msgid(value)}
    return value if isinstance(value, int | float | bool) or value is None else str(value)


def _render(msgid: str, params: Mapping[str, Any]) -> str:
    text = gettext(msgid)
    if not params:
        return text
    values = {
        name: gettext(value["msgid"]) if isinstance(value, Mapping) else value
        for name, value in params.items()
    }
    return text % values
