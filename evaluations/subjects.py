"""Rated objects other than a case (一次一评: a window visit, i.e. a queue ticket), plugged in by
the app that owns them — the centres app, from ``CentresConfig.ready()`` (``centres.visits``)::

    from evaluations.subjects import Subject, register_subject

    register_subject(Subject(kind="visit", facts=ticket_facts))

``facts(subject_id)`` returns what a rating records about the visit — ``department_id``,
``region_id`` (required), ``staff_id`` (the clerk), ``application_id`` (the case entered at
the visit, if any), ``item_id``, and ``data`` (what the export shows of it: centre, window,
ticket, day), and ``void`` when it ended without being served (a skipped ticket) — or None when
it does not exist. The owner opens the invitation when the visit
ends (``services.subject_invitation_open``) and prints its link from the start
(``links.subject_link_url(kind, id)``: the token names the object, and answers "办理结束后可评价"
until the invitation is open); the link's holder rates with the on-site criteria
(``ONSITE_TAGS``) through the same endpoint and page as a case, the window's pad through
``services.subject_rating_submit``. The channel is the way the rating came in (``window``).

A visit's 差评 opens a rectification without a task (a task belongs to a case and its flow),
handled by the department the facts name (``visit_handling``, docs/ratings.md)."""

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
