"""A case's materials: uploading, replacing and removing files while the case is a draft or
in supplement, and which key materials are still missing.

Who may call: the applicant's side (the applicant, a current handler of the enterprise, the
clerk who entered the case) from the portal and the API. Each write locks the case through
``workflow.services.locking`` and appends an Event in the same transaction."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from permits.models import Application, Material
from workflow import access
from workflow.exceptions import Conflict, Forbidden, Invalid, NotFound
from workflow.services.common import _applicant_side_or_404, _event, _spec
from workflow.services.locking import case_locked


def _checked(application: Application, requirement_id: Any, uploaded_file):
    """The requirement and the checked upload (type sniffed from the bytes, size, safe names,
    sha256: ``permits.uploads.check_upload``), before any lock is taken."""
    from permits.uploads import check_upload

    requirement = _spec(application).material(requirement_id)
    if requirement is None:
        raise Invalid(fields={"requirement": [_("No such material requirement for this item.")]})
    checked = check_upload(uploaded_file=uploaded_file, requirement=dict(requirement.raw))
    return requirement, checked


def _store(app: Application, *, actor, requirement, checked) -> Material:
    """Inside ``case_locked``: the new row and its file, and the ``material_uploaded`` event."""
    material = Material(
        application=app,
        requirement_id=requirement.id,
        requirement_name=requirement.name,
        original_name=checked.display_name,
        stored_name=checked.stored_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    material.file.save(checked.stored_name, checked.file, save=False)
    material.save()
    _event(
        app,
        actor=actor,
        action="material_uploaded",
        before=app.status,
        after=app.status,
        note=requirement.name,  # the timeline names the material (item content: not translated)
        data={"material": material.pk, "requirement": requirement.id, "sha256": checked.sha256},
    )
    return material


def _flag_deleted(app: Application, *, actor, material: Material, data=None) -> None:
    """Inside ``case_locked``: flag the row deleted (never erased) and append
    ``material_deleted``; ``NotFound`` when it was already gone."""
    updated = Material.objects.filter(pk=material.pk, application=app, deleted=False).update(
        deleted=True, deleted_at=timezone.now()
    )
    if not updated:
        raise NotFound()
    _event(
        app,
        actor=actor,
        action="material_deleted",
        before=app.status,
        after=app.status,
        note=material.requirement_name,
        data={"material": material.pk, "requirement": material.requirement_id, **(data or {})},
    )


def material_upload(
    *, actor, application: Application, requirement_id: Any, uploaded_file
) -> Material:
    """Add a file for one of the version's material requirements while the case is a draft or
    in supplement, or — 容缺受理 — an outstanding tolerated material while it is in review
    (otherwise ``Conflict``). The applicant's side only; a tolerated material may also be
    received by staff who may hand the case over (its centre's clerks, the lead department).
    Appends ``material_uploaded`` (and ``tolerance_fulfilled`` with the last one)."""
    from workflow.tolerance.services import accepts_tolerated_upload, tolerance_material_arrived

    delivering = accepts_tolerated_upload(application, requirement_id or 0)
    if not (delivering and access.can_hand_over(actor, application)):
        _applicant_side_or_404(actor, application)
    requirement, checked = _checked(application, requirement_id, uploaded_file)
    with case_locked(application.pk) as app:
        if app.is_editable:
            return _store(app, actor=actor, requirement=requirement, checked=checked)
        # 容缺受理: a case in review takes its outstanding tolerated materials.
        if not accepts_tolerated_upload(app, requirement.id):
            raise Conflict()
        material = _store(app, actor=actor, requirement=requirement, checked=checked)
        tolerance_material_arrived(app, actor=actor)
        return material


def material_replace(*, actor, material: Material, uploaded_file) -> Material:
    """Replace a current file by a new one for the same requirement while the case is a draft
    or in supplement: the new file is in and the old one flagged deleted in ONE transaction, so
    a failure leaves the old file current (and never two). The applicant's side only. Appends
    ``material_uploaded`` then ``material_deleted`` (with ``replaced_by``)."""
    application = material.application
    _applicant_side_or_404(actor, application)
    requirement, checked = _checked(application, material.requirement_id, uploaded_file)
    with case_locked(application.pk) as app:
        if not app.is_editable:
            raise Conflict()
        new = _store(app, actor=actor, requirement=requirement, checked=checked)
        _flag_deleted(app, actor=actor, material=material, data={"replaced_by": new.pk})
    return new


def material_delete(*, actor, material: Material) -> None:
    """Remove a file while the case is a draft or in supplement. Nothing is erased: the row is
    flagged deleted, so what reviewers once saw stays on record. Appends ``material_deleted``."""
    application = material.application
    _applicant_side_or_404(actor, application)
    with case_locked(application.pk) as app:
        if not app.is_editable:
            raise Conflict()
        _flag_deleted(app, actor=actor, material=material)


def missing_materials(application: Application) -> list[dict]:
    """Key materials (required and not tolerable) without a current file: submission waits
    for them. Tolerable ones may be missing; acceptance decides whether to tolerate them."""
    spec = _spec(application)
    present = set(
        Material.objects.current()
        .filter(application=application)
        .values_list("requirement_id", flat=True)
    )
    return [
        {"requirement": m.id, "name": m.name}
        for m in spec.materials
        if m.is_key and not m.generated_online and m.id not in present
    ]


def material_original_checked(*, actor, material: Material) -> Material:
    """A clerk saw the material's original at a window (核验原件): staff who entered the case
    for the applicant, or who may hand it over (its centre's clerks, the lead department).
    Appends ``original_checked`` once; checking again changes nothing."""
    application = material.application
    if not (
        access.can_hand_over(actor, application)
        or (access.can_act_as_applicant(actor, application) and access.is_staff_member(actor))
    ):
        _applicant_side_or_404(actor, application)
        raise Forbidden()
    with case_locked(application.pk) as app:
        updated = Material.objects.filter(
            pk=material.pk, application=app, deleted=False, original_checked_at__isnull=True
        ).update(original_checked_by=actor, original_checked_at=timezone.now())
        if updated:
            _event(
                app,
                actor=actor,
                action="original_checked",
                before=app.status,
                after=app.status,
                note=material.requirement_name,
                data={"material": material.pk, "requirement": material.requirement_id},
            )
    material.refresh_from_db()
    return material
