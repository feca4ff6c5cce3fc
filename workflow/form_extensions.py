"""What the task page's decision form adds for a kind beyond the decision and the opinion
(``forms.TaskDecisionForm`` asks ``FORM_EXTENSIONS``): the process-centred kinds' fields.

* ``triage``: the department picker — the item's dispatch catalogue first (marked as suggested,
  its limits pre-filled by ``process_limits.dispatch_limit``), then the region's other
  departments — each with its instructions, limit, unit and "may return"; and the competent
  agency of a refusal;
* ``handling``: the outcome (passed / failed) of joint annual inspections;
* ``reply_review``: the departments to send back to; the answer starts as the composed one;
* ``decision`` of a core-department case: the picker of ``consult`` — the region's departments,
  those consulted before first with their earlier opinions — and what they should look at
  (other cases' decisions do not offer ``consult``).

The input is still validated by the decision's serializer (the step registry's), so the page,
the API and the service say the same.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from permits.choices import ServiceModel, TimeLimitUnit
from permits.models import ParticipationRole, ParticipationStatus
from workflow.deadlines import process_limits
from workflow.models import TaskKind
from workflow.spec import version_spec
from workflow.steps.dispatching import answer_parts, composed_answer, dispatched_rows


class TriageExtension:
    template = "workflow/includes/triage_fields.html"

    def add_fields(self, form: forms.Form, application: Any) -> None:
        spec = version_spec(application.item_version)
        suggested = [d.department_id for d in spec.dispatch_catalogue]
        others = (
            Department.objects.filter(region_id=application.region_id)
            .exclude(pk__in=[*suggested, application.lead_department_id])
            .order_by("code")
        )
        by_id = {d.pk: d for d in Department.objects.filter(pk__in=suggested)}
        candidates = [by_id[pk] for pk in suggested if pk in by_id] + list(others)
        form.dispatch_rows = []
        labels = dict(TimeLimitUnit.choices)
        units = [(u, labels.get(u, u)) for u in process_limits.units()]
        for dept in candidates:
            limit = process_limits.dispatch_limit(application, department_id=dept.pk, spec=spec)
            key = dept.pk
            form.fields[f"send_{key}"] = forms.BooleanField(label=dept.name, required=False)
            form.fields[f"instructions_{key}"] = forms.CharField(
                label=_("Instructions for %(name)s") % {"name": dept.name},
                required=False,
                max_length=2000,
            )
            form.fields[f"days_{key}"] = forms.IntegerField(
                label=_("Limit"), min_value=1, max_value=365, initial=limit.days, required=False
            )
            form.fields[f"unit_{key}"] = forms.ChoiceField(
                label=_("Unit"), choices=units, initial=limit.unit, required=False
            )
            form.fields[f"return_{key}"] = forms.BooleanField(
                label=_("May return it"), initial=True, required=False
            )
            form.dispatch_rows.append(
                {
                    "department": dept,
                    "suggested": dept.pk in by_id,
                    "send": form[f"send_{key}"],
                    "instructions": form[f"instructions_{key}"],
                    "days": form[f"days_{key}"],
                    "unit": form[f"unit_{key}"],
                    "may_return": form[f"return_{key}"],
                }
            )
        form.fields["competent_agency"] = forms.CharField(
            label=_("Competent agency (when the matter belongs elsewhere)"),
            required=False,
            max_length=200,
        )

    def payload(self, form: forms.Form, decision: str) -> dict[str, Any]:
        data = form.cleaned_data
        if decision == "deny":
            return {"competent_agency": (data.get("competent_agency") or "").strip()}
        if decision != "dispatch":
            return {}
        departments = []
        for row in getattr(form, "dispatch_rows", []):
            key = row["department"].pk
            if not data.get(f"send_{key}"):
                continue
            departments.append(
                {
                    "code": row["department"].code,
                    "instructions": (data.get(f"instructions_{key}") or "").strip(),
                    "time_limit_days": data.get(f"days_{key}") or None,
                    "time_limit_unit": data.get(f"unit_{key}") or "",
                    "may_return": bool(data.get(f"return_{key}")),
                }
            )
        return {"departments": departments}


class HandlingExtension:
    template = "workflow/includes/handling_fields.html"

    def add_fields(self, form: forms.Form, application: Any) -> None:
        if version_spec(application.item_version).joint_result:
            form.fields["outcome"] = forms.ChoiceField(
                label=_("The department's result"),
                choices=[("", "—"), ("passed", _("Passed")), ("failed", _("Failed"))],
                required=False,
            )

    def payload(self, form: forms.Form, decision: str) -> dict[str, Any]:
        outcome = form.cleaned_data.get("outcome")
        return {"outcome": outcome} if decision == "reply" and outcome else {}


class ReplyReviewExtension:
    template = "workflow/includes/reply_review_fields.html"

    def add_fields(self, form: forms.Form, application: Any) -> None:
        rows = dispatched_rows(application)
        replied = {}
        for row in rows:
            if row.status == ParticipationStatus.REPLIED:
                replied[row.department.code] = row.department.name
        form.fields["send_back"] = forms.MultipleChoiceField(
            label=_("Back to these departments"),
            choices=sorted(replied.items()),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        form.answer_parts = answer_parts(rows)
        form.fields["opinion"].initial = composed_answer(form.answer_parts)
        form.fields["opinion"].label = _("The consolidated answer (or what to do again)")
        form.fields["opinion"].widget.attrs["rows"] = 6
        form.fields["opinion"].help_text = _(
            "Sent to the citizen as written; each department's reply is listed beside it."
        )

    def payload(self, form: forms.Form, decision: str) -> dict[str, Any]:
        if decision == "deny":
            return {"departments": list(form.cleaned_data.get("send_back") or [])}
        return {}


class DecisionExtension:
    """The core department's decision page: whom to consult (again) and on what."""

    template = "workflow/includes/consult_fields.html"

    def add_fields(self, form: forms.Form, application: Any) -> None:
        if application.item.service_model != ServiceModel.CORE_DEPARTMENT:
            # Only a core-department case consults: the choice is not offered elsewhere.
            field = form.fields["decision"]
            field.choices = [c for c in field.choices if c[0] != "consult"]
            form.extension_template = ""
            return
        spec = version_spec(application.item_version)
        listed = [d for d in spec.departments if d.role == ParticipationRole.CONSULT]
        earlier: dict[int, list] = {}
        for row in (
            application.participations.filter(role=ParticipationRole.CONSULT)
            .select_related("department")
            .order_by("round", "position", "pk")
        ):
            earlier.setdefault(row.department_id, []).append(row)
        first = [d.department_id for d in listed]
        first += [pk for pk in earlier if pk not in first]
        by_id = Department.objects.in_bulk(first)
        others = (
            Department.objects.filter(region_id=application.region_id, is_active=True)
            .exclude(pk__in=[*first, application.lead_department_id])
            .order_by("code")
        )
        candidates = [by_id[pk] for pk in first if pk in by_id] + list(others)
        duties = {d.department_id: d.duty for d in listed}
        form.fields["departments"] = forms.MultipleChoiceField(
            label=_("Departments to consult"),
            choices=[(d.code, d.name) for d in candidates],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        form.fields["consult_note"] = forms.CharField(
            label=_("What the departments should look at"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        bound = {choice.data["value"]: choice for choice in form["departments"]}
        form.consult_rows = [
            {
                "department": d,
                "choice": bound[d.code],
                "listed": d.pk in duties,
                "duty": duties.get(d.pk, ""),
                "earlier": earlier.get(d.pk, []),
            }
            for d in candidates
        ]

    def error_field(self, decision: str, name: str) -> str:
        """The serializer's ``opinion`` of ``consult`` is what to look at (``consult_note``)."""
        return "consult_note" if decision == "consult" and name == "opinion" else name

    def payload(self, form: forms.Form, decision: str) -> dict[str, Any]:
        if decision != "consult" or "departments" not in form.fields:
            return {}
        data = form.cleaned_data
        note = (data.get("consult_note") or "").strip() or (data.get("opinion") or "").strip()
        return {"departments": list(data.get("departments") or []), "opinion": note}


FORM_EXTENSIONS = {
    TaskKind.DECISION: DecisionExtension(),
    TaskKind.TRIAGE: TriageExtension(),
    TaskKind.HANDLING: HandlingExtension(),
    TaskKind.REPLY_REVIEW: ReplyReviewExtension(),
}
