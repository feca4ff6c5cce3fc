"""What both halves of the case services share: status aliases, the remedy text, access
guards that answer NotFound/Forbidden, the version spec and form cleaning, moving a case's
status and the catalogue's accepting rule. Siblings import from here, never from the package."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from permits.models import (
    Application,
    ApplicationStatus,
    Event,
    ParticipationStatus,
    ServiceItem,
)
from permits.models.applications import InvalidTransition
from workflow import access
from workflow.deadlines import calendar, clocks
from workflow.deadlines.calendar import WORKING_DAY
from workflow.exceptions import Conflict, Forbidden, NotFound
from workflow.flows.registry import FLOWS, has_flow
from workflow.services.events import event_append
from workflow.spec import VersionSpec, version_spec

S = ApplicationStatus
P = ParticipationStatus

# The service models that have a flow (workflow/flows/registry.py is the one list).
SUPPORTED_MODELS = frozenset(FLOWS)


def item_applies_online(item: ServiceItem) -> bool:
    """Whether a case of this item can be started here: its service model has a flow."""
    return has_flow(item.service_model)


ACCEPTANCE_DAYS = 5  # 行政许可法 第三十二条: acceptance decided within five working days

# The right to a remedy that every denial and not-accepted notice states (第三十八条、第三十二条).
REMEDY_NOTICE = (
    "申请人如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)

# ---------------------------------------------------------------------------------------------
# Clocks


def add_time_limit(*, start: datetime, days: int, unit: str = WORKING_DAY) -> datetime:
    """When a limit of ``days`` starting at ``start`` ends (DESIGN.md §4): the work calendar's
    arithmetic (``workflow.deadlines.calendar``)."""
    return calendar.add_time_limit(start=start, days=days, unit=unit)


def _pause_clocks(application: Application, *, actor, now: datetime, note: str) -> None:
    """A supplement pauses every clock of the case (workflow.deadlines.clocks keeps the columns,
    the ClockPause row and the "paused" event)."""
    clocks.pause_case(application, actor=actor, now=now, note=note)


def _resume_clocks(application: Application, *, actor, now: datetime, note: str) -> None:
    """Every paused clock moves on by the days of its unit it stood still (deadlines.clocks)."""
    clocks.resume_case(application, actor=actor, now=now, note=note)


# ---------------------------------------------------------------------------------------------
# Plumbing


def _event(application: Application, **fields) -> Event:
    return event_append(application=application, **fields)


def _move(application: Application, target: str) -> str:
    try:
        return application.transition_to(target)
    except InvalidTransition as exc:
        raise Conflict() from exc


def _visible_or_404(user, application: Application) -> None:
    if not access.can_view_application(user, application):
        raise NotFound()


def _applicant_side_or_404(user, application: Application) -> None:
    """Acts of the applicant (edit, upload, submit, withdraw)."""
    if not access.can_act_as_applicant(user, application):
        _visible_or_404(user, application)
        raise Forbidden()


def _spec(application: Application) -> VersionSpec:
    return version_spec(application.item_version)


def _form_clean(spec: VersionSpec, data: Any, *, partial: bool) -> dict:
    """The form data as stored: cleaned by the item's spec, and the values of the fields of type
    ``id_number`` and ``phone`` sealed (SM4, ``onestop.pii``; issue 12 item 5). ``data`` may hold
    sealed values already (the stored form checked again at submission): they are opened
    first. Readers open them with ``permits.formspec.open_form_data``."""
    from permits.formspec import clean_form_data, open_form_data, seal_form_data

    fields = list(spec.form_fields)
    opened = open_form_data(data) if isinstance(data, dict) else data
    return seal_form_data(fields, clean_form_data(fields=fields, data=opened, partial=partial))


def _assert_item_accepting(item: ServiceItem) -> None:
    """The catalogue's rule: published with a version (suspended items take no new cases and
    their drafts cannot be submitted) — ``ItemNotAccepting`` (409) otherwise."""
    from permits.services import item_assert_accepting

    item_assert_accepting(item)
