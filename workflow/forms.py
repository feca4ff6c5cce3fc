"""Back-office forms: the inbox filters and the decision form of each task kind (API.md's task
table). The decision form's choices and its validation are the step registry's
(``workflow.steps``): the same decision serializers the API and the service use."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from workflow.exceptions import Invalid
from workflow.form_extensions import FORM_EXTENSIONS
from workflow.models import TaskKind, Warning
from workflow.steps.registry import registered

FREE_MISSING_ROWS = 2
_NAME_SPLIT = re.compile(r"[,，、;；\s]+")


class InboxFilterForm(forms.Form):
    item = forms.ChoiceField(label=_("Service item"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("week", _("Due within 7 days")),
        ],
    )
    warning = forms.ChoiceField(label=_("Warning"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(
        self,
        *args: Any,
        items: Sequence[tuple[str, str]] = (),
        regions: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["item"].choices = everything + list(items)
        self.fields["kind"].choices = everything + list(TaskKind.choices)
        self.fields["warning"].choices = everything + list(Warning.choices)
        self.fields["region"].choices = everything + list(regions)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class ReassignForm(forms.Form):
    user = forms.ChoiceField(label=_("Give the task to"))

    def __init__(self, *args: Any, candidates: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + list(candidates)


class TaskDecisionForm(forms.Form):
    """The decision of one task kind. ``payload()`` gives the service's arguments:
    ``decision``, ``opinion`` and the kind's extra fields (``missing``, ``tolerated``,
    ``tolerance_deadline``, ``competent_agency``, ``inspected_on``, ``inspectors``,
    ``findings``)."""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    opinion = forms.CharField(
        label=_("Opinion"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when denying: the reasons are shown to the applicant."),
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        requirements: Sequence[Mapping[str, Any]] = (),
        current_materials: Mapping[int, int] | None = None,
        application: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.requirements = [r for r in requirements if r.get("id") is not None]
        self.current_materials = dict(current_materials or {})
        self.step = registered().get(kind)
        self.fields["decision"].choices = self.step.choices() if self.step else []
        if kind in (TaskKind.ACCEPTANCE, TaskKind.REVIEW):
            self._add_missing_fields()
        if kind == TaskKind.ACCEPTANCE:
            tolerable = [
                (str(r["id"]), r.get("name", "")) for r in self.requirements if r.get("tolerable")
            ]
            if tolerable:
                self.fields["tolerated"] = forms.MultipleChoiceField(
                    label=_("Tolerated missing materials (容缺受理)"),
                    required=False,
                    choices=tolerable,
                    widget=forms.CheckboxSelectMultiple,
                )
                self.fields["tolerance_deadline"] = forms.DateField(
                    label=_("Tolerated materials due by"),
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                )
                self.fields["commitment_signed"] = forms.BooleanField(
                    label=_("The applicant signed the tolerance commitment (容缺受理承诺书)"),
                    required=False,
                )
            self.fields["competent_agency"] = forms.CharField(
                label=_("Competent agency (when the matter belongs elsewhere)"),
                required=False,
                max_length=200,
            )
        if kind == TaskKind.INSPECTION:
            self.fields["inspected_on"] = forms.DateField(
                label=_("Inspected on"),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.fields["inspectors"] = forms.CharField(
                label=_("Inspectors"),
                max_length=200,
                help_text=_("Names, separated by 、 or commas."),
            )
            self.fields["findings"] = forms.CharField(
                label=_("Findings"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
            )
            self.fields["opinion"].help_text = ""
        # A kind's own fields (workflow.form_extensions), given the case they decide on.
        self.extension = FORM_EXTENSIONS.get(kind) if application is not None else None
        self.extension_template = getattr(self.extension, "template", "")
        if self.extension is not None:
            self.extension.add_fields(self, application)

    # -- the missing-list editor (补正: the one-time complete list) --

    def _add_missing_fields(self) -> None:
        for requirement in self.requirements:
            rid = requirement["id"]
            self.fields[f"missing_{rid}"] = forms.BooleanField(
                label=requirement.get("name", ""), required=False
            )
            self.fields[f"note_{rid}"] = forms.CharField(
                label=_("What to add or correct: %(name)s") % {"name": requirement.get("name", "")},
                required=False,
                max_length=300,
            )
        for index in range(1, FREE_MISSING_ROWS + 1):
            self.fields[f"other_{index}"] = forms.CharField(
                label=_("Other item %(number)s") % {"number": index},
                required=False,
                max_length=300,
            )

    def missing_rows(self) -> list[dict[str, Any]]:
        """Pairs of bound fields for the template: one row per requirement."""
        return [
            {
                "requirement": r,
                "check": self[f"missing_{r['id']}"],
                "note": self[f"note_{r['id']}"],
            }
            for r in self.requirements
            if f"missing_{r['id']}" in self.fields
        ]

    def other_rows(self) -> list[Any]:
        return [
            self[f"other_{i}"]
            for i in range(1, FREE_MISSING_ROWS + 1)
            if f"other_{i}" in self.fields
        ]

    def _missing(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        missing = []
        for requirement in self.requirements:
            rid = requirement["id"]
            note = (data.get(f"note_{rid}") or "").strip()
            if data.get(f"missing_{rid}") or note:
                missing.append(
                    {
                        "requirement": rid,
                        "material": self.current_materials.get(rid),
                        "note": note or str(_("Please provide this material.")),
                    }
                )
        for index in range(1, FREE_MISSING_ROWS + 1):
            note = (data.get(f"other_{index}") or "").strip()
            if note:
                missing.append({"requirement": None, "material": None, "note": note})
        return missing

    def clean(self) -> dict[str, Any]:
        """The decision's serializer (the step registry's) checks the input; the case-dependent
        rules follow in the service, with the same messages."""
        data = super().clean()
        decision = data.get("decision")
        if self.step is None or not decision:
            return data
        payload = self.payload()
        payload.pop("decision")
        try:
            self.step.validate(decision=decision, data=payload)
        except Invalid as exc:
            for name, messages in exc.fields.items():
                if name == "missing":
                    messages = [
                        _("Tick at least one material or describe what is missing in “Other item”.")
                    ]
                if self.extension is not None and hasattr(self.extension, "error_field"):
                    name = self.extension.error_field(decision, name)
                target = name if name in self.fields and name != "decision" else None
                if target is not None and target in self.errors:
                    continue  # the field's own check already said so
                for message in messages:
                    self.add_error(target, message)
        return data

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        payload: dict[str, Any] = {
            "decision": data["decision"],
            "opinion": (data.get("opinion") or "").strip(),
        }
        decision = data["decision"]
        if decision == "supplement":
            payload["missing"] = self._missing()
        if self.kind == TaskKind.ACCEPTANCE and decision == "approve" and data.get("tolerated"):
            payload["tolerated"] = [int(t) for t in data["tolerated"]]
            payload["tolerance_deadline"] = data["tolerance_deadline"]
            payload["commitment_signed"] = bool(data.get("commitment_signed"))
        if self.kind == TaskKind.ACCEPTANCE and decision == "deny" and data.get("competent_agency"):
            payload["competent_agency"] = data["competent_agency"].strip()
        if self.extension is not None:
            payload.update(self.extension.payload(self, decision))
        if self.kind == TaskKind.INSPECTION:
            for name in ("inspected_on", "findings"):
                if data.get(name):
                    payload[name] = data[name]
            if data.get("inspectors"):
                payload["inspectors"] = [n for n in _NAME_SPLIT.split(data["inspectors"]) if n]
        return payload
