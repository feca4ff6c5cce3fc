"""The task page's fields of a rectification (差评整改) beyond the decision and the opinion,
registered into ``workflow.form_extensions.FORM_EXTENSIONS`` by ``EvaluationsConfig.ready()``:
the callback (回访核实: outcome, date, who called), what the citizen was told, the appeal's
evidence. The decision's serializer (``evaluations.steps``) still validates the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class RectificationExtension:
    template = "evaluations/includes/rectification_fields.html"

    def add_fields(self, form: forms.Form, application: Any) -> None:
        form.fields["revisit"] = forms.CharField(
            label=_("Callback outcome (回访核实)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Needed before the fix or the appeal, unless recorded before."),
        )
        form.fields["called_on"] = forms.DateField(
            label=_("Called on"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        form.fields["callback_person"] = forms.CharField(
            label=_("Who called"), required=False, max_length=60
        )
        form.fields["told"] = forms.CharField(
            label=_("What the citizen was told (for “Rectified”)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        form.fields["evidence"] = forms.CharField(
            label=_("Evidence of the appeal (one per line)"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def payload(self, form: forms.Form, decision: str) -> dict[str, Any]:
        data = form.cleaned_data
        out: dict[str, Any] = {}
        if data.get("revisit"):
            out["revisit"] = data["revisit"]
            if data.get("called_on"):
                out["called_on"] = data["called_on"].isoformat()
            if data.get("callback_person"):
                out["callback_person"] = data["callback_person"]
        if decision == "done" and data.get("told"):
            out["told"] = data["told"]
        if decision == "appeal" and data.get("evidence"):
            out["evidence"] = [
                line.strip() for line in data["evidence"].splitlines() if line.strip()
            ]
        return out
