"""What the citizen's case pages show, computed from rows already loaded (no queries here).

Colours of the progress view: approved — green, in review — blue, supplement — amber,
denied — red, not reached yet — grey.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from permits.models import material_generated_online
from permits.uploads import INLINE_TYPES, accepted_types_label
from workflow.labels import event_label, stage_label

__all__ = ["event_label", "stage_label"]

# Participation status → badge colour of the progress view.
PARTICIPATION_TONE = {
    "waiting": "grey",
    "in_review": "blue",
    "supplement": "amber",
    "approved": "green",
    "deemed_approved": "green",
    "replied": "green",
    "denied": "red",
    "returned": "red",
}
PARTICIPATION_ICON = {
    "grey": "hourglass",
    "blue": "arrow-repeat",
    "amber": "exclamation-triangle",
    "green": "check-circle-fill",
    "red": "x-circle-fill",
}
# Case status → badge colour.
STATUS_TONE = {
    "draft": "grey",
    "submitted": "blue",
    "supplement": "amber",
    "in_review": "blue",
    "approved": "green",
    "denied": "red",
    "not_accepted": "red",
    "answered": "green",
    "closed": "grey",
    "withdrawn": "grey",
    "terminated": "red",
}


@dataclass
class RequirementRow:
    """One material requirement of the version, with the files uploaded for it."""

    id: int
    name: str
    required: bool
    tolerable: bool
    accepted_types: list[str]
    accepted_label: str
    max_size: int
    description: str
    materials: list[Any] = field(default_factory=list)
    requested_note: str = ""  # the supplement notice's note for this requirement
    generated_online: bool = False  # 在线生成: made from the form, not uploaded

    @property
    def is_key(self) -> bool:
        return self.required and not self.tolerable and not self.generated_online

    @property
    def missing(self) -> bool:
        return not self.materials

    @property
    def accept_attr(self) -> str:
        extensions = []
        for t in self.accepted_types:
            extensions.extend({"jpg": [".jpg", ".jpeg"]}.get(t, [f".{t}"]))
        return ",".join(extensions)


def material_type(material: Any) -> str:
    """pdf/jpg/png/ofd from the stored name (the sniffed type chose its extension)."""
    stored = getattr(material, "stored_name", "") or getattr(material.file, "name", "")
    return stored.rsplit(".", 1)[-1].lower() if "." in stored else ""


def material_previewable(material: Any) -> bool:
    return material_type(material) in INLINE_TYPES


def requirement_rows(
    snapshot: Mapping[str, Any],
    materials: Iterable[Any],
    *,
    notice_requests: Sequence[Mapping[str, Any]] = (),
) -> list[RequirementRow]:
    by_requirement: dict[Any, list[Any]] = {}
    for material in materials:
        material.kind = material_type(material)
        by_requirement.setdefault(material.requirement_id, []).append(material)
    notes: dict[Any, list[str]] = {}
    for request in notice_requests:
        if request.get("requirement") is not None and request.get("note"):
            notes.setdefault(int(request["requirement"]), []).append(str(request["note"]))
    rows = []
    for raw in snapshot.get("materials") or []:
        if raw.get("id") is None:
            continue
        rid = int(raw["id"])
        types = [str(t) for t in raw.get("accepted_types") or []]
        rows.append(
            RequirementRow(
                id=rid,
                name=str(raw.get("name", "")),
                required=bool(raw.get("required", True)),
                tolerable=bool(raw.get("tolerable", False)),
                accepted_types=types,
                accepted_label=accepted_types_label(types),
                max_size=int(raw.get("max_size") or 0),
                description=str(raw.get("description") or ""),
                materials=by_requirement.get(rid, []),
                requested_note="；".join(notes.get(rid, [])),
                generated_online=material_generated_online(raw.get("copies")),
            )
        )
    return rows


@dataclass
class DepartmentRow:
    participation: Any
    tone: str
    icon: str
    stages: list[dict[str, Any]]


def department_rows(participations: Iterable[Any]) -> list[DepartmentRow]:
    """The per-department progress view: one row per participation, with its stages."""
    rows = []
    for p in participations:
        tone = PARTICIPATION_TONE.get(p.status, "grey")
        stages = []
        configured = list(p.stages or [])
        current = p.stage or ""
        reached = configured.index(current) if current in configured else -1
        for index, stage in enumerate(configured):
            if p.is_answered or index < reached:
                state = "done"
            elif index == reached and p.status in ("in_review", "supplement"):
                state = "current"
            else:
                state = "todo"
            stages.append({"code": stage, "label": stage_label(stage), "state": state})
        rows.append(
            DepartmentRow(participation=p, tone=tone, icon=PARTICIPATION_ICON[tone], stages=stages)
        )
    return rows


def notice_rows(
    notice: Any, snapshot: Mapping[str, Any], participations: Iterable[Any]
) -> list[dict[str, str]]:
    """The one-time notice as the applicant reads it: each missing item with its material's
    name and the asking department's name next to the department's note."""
    if notice is None:
        return []
    names = {
        int(m["id"]): str(m.get("name", ""))
        for m in snapshot.get("materials") or []
        if m.get("id") is not None
    }
    departments = {
        p.department.code: p.department.short_name or p.department.name for p in participations
    }
    rows = []
    for request in notice.requests or []:
        requirement = request.get("requirement")
        rows.append(
            {
                "name": names.get(int(requirement), "") if requirement is not None else "",
                "note": str(request.get("note") or ""),
                "department": departments.get(str(request.get("department") or ""), ""),
            }
        )
    return rows


# The form fields that name what a case is about, first match wins (issue 14 item 11: two
# cases of one item must be told apart in 我的办件): the enterprise being established, then
# a name, a subject or a summary.
SUBJECT_FIELDS = ("company_name", "name", "project_name", "subject", "title", "summary")


def case_subject(application: Any) -> str:
    """What a case is about, in a few words: the enterprise an establishment case created or
    names, else the first naming field of the form; ``""`` when the form names nothing."""
    form = application.form_data or {}
    for name in SUBJECT_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return text if len(text) <= 40 else text[:39] + "…"
    return ""


# Form fields taken from the applicant's verified profile instead of being asked again
# (issue 14 item 11): by type (ID number, phone, credit code) and by these names.
PERSON_NAME_FIELDS = ("applicant_name", "real_name", "name", "contact_name", "legal_rep_name")
ENTERPRISE_NAME_FIELDS = ("enterprise_name", "org_name", "unit_name")


def prefill(fields: Iterable[Mapping[str, Any]], *, person: Any, enterprise: Any) -> dict:
    """The draft's first values from the verified profile: the person's name, ID number and
    phone, and for a handler the enterprise's name and credit code."""
    values: dict[str, Any] = {}
    for spec in fields:
        name, kind = spec.get("name"), spec.get("type", "text")
        value = None
        if kind == "id_number" and person is not None:
            value = person.id_number
        elif kind == "phone" and person is not None:
            value = person.phone
        elif kind == "credit_code" and enterprise is not None:
            value = enterprise.credit_code
        elif name in ENTERPRISE_NAME_FIELDS and enterprise is not None:
            value = enterprise.name
        elif name in PERSON_NAME_FIELDS and person is not None:
            value = person.real_name
        if value:
            values[name] = value
    return values


def collection(application: Any, certificate: Any) -> dict[str, Any] | None:
    """How the applicant gets an approved case's result (统一窗口出件): once handed over, how and
    when; before that, the service centre of the case's region, where the result window hands
    out the paper result (the case page says so beside the e-certificate). One query, only for
    a case with a certificate."""
    if certificate is None:
        return None
    handover = application.handover or {}
    if application.status == "closed" and handover.get("method"):
        return {"handover": handover}
    from departments.models import ServiceCentre

    centre = (
        ServiceCentre.objects.filter(pk=application.centre_id).first()
        if application.centre_id
        else ServiceCentre.objects.filter(region_id=application.region_id).first()
    )
    return {"centre": centre} if centre is not None else None
