"""The supplement request (补正) that acceptance and review share: its input (the one-time
complete list of what is missing) and what asking does (DESIGN.md §4: one notice per case,
every clock paused)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import serializers

from permits.choices import EventAction
from permits.event_notes import system_note
from permits.models import (
    Application,
    ApplicationDepartment,
    ApplicationStatus,
    Material,
    ParticipationStatus,
    SupplementNotice,
)
from workflow.exceptions import Conflict
from workflow.models import CaseTask, TaskKind
from workflow.services.common import _move, _pause_clocks
from workflow.steps.base import DecisionInput, task_event


class MissingEntrySerializer(serializers.Serializer):
    """One line of the list: a requirement, a material of the case, or a free note."""

    requirement = serializers.IntegerField(required=False, allow_null=True, default=None)
    material = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class SupplementInput(DecisionInput):
    """``supplement``: ``missing`` lists what the applicant must add or correct."""

    missing = MissingEntrySerializer(many=True, required=True)

    def validate_missing(self, entries: list[dict]) -> list[dict]:
        if not entries:
            raise serializers.ValidationError(_("List what the applicant must add or correct."))
        material_ids: set[int] | None = None
        cleaned, errors = [], []
        for entry in entries:
            requirement, material = entry.get("requirement"), entry.get("material")
            note = (entry.get("note") or "").strip()
            if requirement is not None and self.spec and self.spec.material(requirement) is None:
                errors.append(_("No such material requirement: %(id)s.") % {"id": requirement})
                continue
            if material is not None and self.application is not None:
                if material_ids is None:
                    material_ids = set(
                        Material.objects.filter(application=self.application).values_list(
                            "pk", flat=True
                        )
                    )
                if material not in material_ids:
                    errors.append(_("No such material in this case: %(id)s.") % {"id": material})
                    continue
            if requirement is None and material is None and not note:
                errors.append(_("Say what is missing: a requirement, a material or a note."))
                continue
            cleaned.append({"requirement": requirement, "material": material, "note": note})
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned

    def to_internal_value(self, data):
        if isinstance(data, dict) and data.get("missing") in (None, "", []):
            raise serializers.ValidationError(
                {"missing": [_("List what the applicant must add or correct.")]}
            )
        return super().to_internal_value(data)


def request_supplement(
    app: Application, t: CaseTask, *, actor, missing: list[dict], opinion: str, now: datetime
) -> None:
    """Record a supplement request. The first request moves the case to ``supplement`` with a
    new notice and pauses every clock; requests made while that notice is unanswered are merged
    into it (一次性告知: the applicant gets one complete list). The asking task waits for the
    applicant (``awaiting_applicant``) and continues at its stage afterwards."""
    requests = [
        {**m, "department": t.department.code, "task": t.pk, "stage": t.stage} for m in missing
    ]
    notice = app.supplement_notices.filter(answered_at__isnull=True).first()
    if app.status == ApplicationStatus.SUPPLEMENT and notice is not None:
        notice.requests = [*notice.requests, *requests]
        notice.save(update_fields=["requests"])
        merged = True
        before = app.status
    else:
        if app.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW):
            raise Conflict()
        resume = app.status
        before = _move(app, ApplicationStatus.SUPPLEMENT)
        app.resume_status = resume
        notice = SupplementNotice.objects.create(
            application=app, requests=requests, requested_at=now, resume_status=resume
        )
        merged = False
        _pause_clocks(
            app,
            actor=actor,
            now=now,
            note=system_note(gettext_noop("Waiting for the applicant's supplement.")),
        )
        app.save()
    t.awaiting_applicant = True
    t.paused = True
    t.result = {**(t.result or {}), "missing": missing}
    t.opinion = opinion
    t.save(
        update_fields=[
            "awaiting_applicant",
            "paused",
            "result",
            "opinion",
            "status",
            "assignee",
            "claimed_at",
        ]
    )
    if t.participation_id and t.kind == TaskKind.REVIEW:
        ApplicationDepartment.objects.filter(pk=t.participation_id).update(
            status=ParticipationStatus.SUPPLEMENT
        )
    task_event(
        app,
        t,
        actor=actor,
        action=EventAction.SUPPLEMENT_REQUESTED,
        before=before,
        after=app.status,
        note=opinion,
        data={"notice": notice.pk, "merged": merged, "missing": missing},
    )
