"""Rated objects other than a case (一次一评: a window visit, i.e. a queue ticket), plugged in by
the app that owns them (the centres app, later) from its ``AppConfig.ready()``::

    from evaluations.subjects import Subject, register_subject

    register_subject(Subject(kind="visit", facts=ticket_facts))

``facts(subject_id)`` returns what a rating records about the visit — ``department_id``,
``region_id`` (required), ``channel`` (``"window"``), ``staff_id`` (the clerk),
``application_id`` (the case entered at the visit, if any) — or None when it does not exist.
The owner opens the invitation when the visit ends (``services.subject_invitation_open``) and
shows or sends its link (``links.link_url(invitation.pk)``); the link's holder rates with the
on-site criteria (``ONSITE_TAGS``) through the same endpoint and page as a case.

Not built yet for visits: the 差评 of a visit opens no rectification task (a task belongs to a
case); it counts in the figures and the export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Subject:
    kind: str
    facts: Callable[[int], dict[str, Any] | None]


_SUBJECTS: dict[str, Subject] = {}


def register_subject(subject: Subject) -> Subject:
    """Add (or replace, under the same kind) a rated object kind."""
    _SUBJECTS[subject.kind] = subject
    return subject


def unregister_subject(kind: str) -> None:
    _SUBJECTS.pop(kind, None)


def subject_for(kind: str) -> Subject | None:
    return _SUBJECTS.get(kind)
