"""Personal data of a case as pages and the API show it (issue 12 item 5; PIPL, GB/T 35273).

One place decides, per viewer, whether a case's ID numbers and phones (the form fields of type
``id_number`` and ``phone``) are shown in full or masked (``access.can_see_full_personal_data``),
and writes the data-access log (``audit.data_access``) whenever staff see full values, download
a material or export data. The citizen reads that log on their account page.

The applicant looking at their own case is not logged (it is their own data); staff are, the
clerk who entered a walk-in case included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from audit.data_access import record_access
from audit.models import DataAccessKind
from departments.models import Department, Role
from permits.formspec import display_rows, open_form_data
from permits.validators import mask_id_number, mask_phone
from workflow import access

MASKS: dict[str, Callable[[str | None], str]] = {"id_number": mask_id_number, "phone": mask_phone}


def _fields(application: Any) -> list[Mapping[str, Any]]:
    snapshot = application.item_version.snapshot or {}
    return list(snapshot.get("form_fields") or [])


def sensitive_field_names(fields: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Field name → type, for the fields whose values are ID numbers or phones."""
    return {f["name"]: f.get("type", "") for f in fields if f.get("type") in MASKS}


def person_ids_of(application: Any) -> list[int]:
    """Whose data a case holds: its person applicant and the handler who acted for an
    enterprise."""
    return [pk for pk in (application.applicant_person_id, application.handler_id) if pk]


def organisation_of(user: Any) -> str:
    """The departments the user works in, as the citizen is told who looked."""
    ids = access.user_department_ids(user, roles=Role.values)
    if not ids:
        return ""
    names = Department.objects.filter(pk__in=sorted(ids)).values_list("name", flat=True)
    return "、".join(sorted(names))


def _staff(user: Any) -> bool:
    return bool(access.is_staff_member(user) or getattr(user, "is_superuser", False))


def _log(request: Any, *, kind: str, application: Any | None, what: str, persons=()) -> None:
    user = request.user
    record_access(
        kind=kind,
        actor=user,
        request=request,
        person_ids=persons if application is None else person_ids_of(application),
        application_number=application.number if application is not None else "",
        what=what,
        organisation=organisation_of(user),
    )


def form_rows(request: Any, application: Any) -> list[dict[str, Any]]:
    """The case's form as ``[{name, label, type, value}]`` for the viewer: ID numbers and phones
    masked unless the viewer may see them in full; a staff member's full view is logged."""
    rows = display_rows(_fields(application), plain_form_data(application.form_data))
    sensitive = [r for r in rows if r["type"] in MASKS and r["value"]]
    if not sensitive:
        return rows
    if not access.can_see_full_personal_data(request.user, application):
        for row in sensitive:
            row["value"] = MASKS[row["type"]](row["value"])
        return rows
    if _staff(request.user):
        _log(
            request,
            kind=DataAccessKind.VIEW,
            application=application,
            what="、".join(str(r["label"]) for r in sensitive),
        )
    return rows


def masked_form_data(application: Any) -> dict[str, Any]:
    """The form data with every ID number and phone masked (no viewer known)."""
    data = plain_form_data(application.form_data)
    kinds = sensitive_field_names(_fields(application))
    return {k: (MASKS[kinds[k]](str(v)) if k in kinds and v else v) for k, v in data.items()}


def form_data(request: Any, application: Any) -> dict[str, Any]:
    """The case's form data (the API's ``form``), by the same rule as :func:`form_rows`."""
    data = plain_form_data(application.form_data)
    kinds = {
        name: kind
        for name, kind in sensitive_field_names(_fields(application)).items()
        if data.get(name)
    }
    if not kinds:
        return data
    if not access.can_see_full_personal_data(request.user, application):
        return {k: (MASKS[kinds[k]](str(v)) if k in kinds else v) for k, v in data.items()}
    if _staff(request.user):
        _log(request, kind=DataAccessKind.VIEW, application=application, what="、".join(kinds))
    return data


def plain_form_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Form data with sealed values (ID numbers and phones encrypted at rest) opened."""
    return open_form_data(data)


def material_downloaded(request: Any, application: Any, material: Any) -> None:
    """Log a download (or preview) of a material by staff."""
    if _staff(request.user):
        name = material.requirement_name or material.original_name
        _log(request, kind=DataAccessKind.DOWNLOAD, application=application, what=name)


def exported(request: Any, *, what: str, person_ids: Iterable[int] = ()) -> None:
    """Log an export written for ``request.user`` (one row per person it is about, or one row
    about nobody in particular)."""
    _log(request, kind=DataAccessKind.EXPORT, application=None, what=what, persons=person_ids)
