"""The forms of the catalogue admin (``permits.admin``): the item and its three inlines.

* Every input carries its label for assistive technology (``aria-label``): a tabular inline
  shows labels only as column headings, which a screen reader does not tie to the inputs.
* A material's maximum size is entered in MB (10 means 10 MB); the model and the snapshot keep
  bytes (``permits.itemconfig``).
* A published item's form refuses what publishing would refuse about the item's own fields
  that a draft may still lack (its legal basis, ``itemconfig.LEGAL_BASIS_REQUIRED``), beside
  the field.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Stage
from permits.itemconfig import STAGE_ORDER, validate_item_fields
from permits.models import (
    FileType,
    FormField,
    ItemDepartment,
    ItemStatus,
    MaterialRequirement,
    ServiceItem,
)

MB = 1024 * 1024
MAX_MATERIAL_MB = 1024
# Item fields whose rule publishing enforces but a draft may break (``validate_item_fields``).
_PUBLISHING_ONLY = ("legal_basis",)


def label_inputs(form: forms.BaseForm) -> None:
    """Give every single-value input an ``aria-label`` naming its field (choices with their own
    labels, such as checkbox lists, are left as they are)."""
    for field in form.fields.values():
        widget = getattr(field.widget, "widget", field.widget)  # the admin's related wrapper
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if field.label:
            widget.attrs.setdefault("aria-label", str(field.label))


class LabelledInputsForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_inputs(self)


class MegabytesField(forms.DecimalField):
    """Megabytes in the form, bytes in the model: ``10`` → 10 485 760."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 7)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("max_value", Decimal(MAX_MATERIAL_MB))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return to_megabytes(value)
        return super().prepare_value(value)


def to_megabytes(size: int) -> str:
    """10485760 → "10", 524288 → "0.5" (at most two decimals)."""
    text = f"{Decimal(size) / MB:.2f}".rstrip("0").rstrip(".")
    return text or "0"


# --- Inline forms ---------------------------------------------------------------------------


class ItemDepartmentForm(LabelledInputsForm):
    stages = forms.MultipleChoiceField(
        label=_("stages"),
        choices=Stage.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["undertake"],
    )

    class Meta:
        model = ItemDepartment
        fields = [
            "department",
            "role",
            "position",
            "duty",
            "time_limit_days",
            "time_limit_unit",
            "stages",
            "timeout_policy",
        ]

    def clean_stages(self) -> list[str]:
        # Checkbox order is the widget's; the stored order is always undertake → check → sign.
        return sorted(self.cleaned_data["stages"], key=STAGE_ORDER.index)


class MaterialRequirementForm(LabelledInputsForm):
    accepted_types = forms.MultipleChoiceField(
        label=_("accepted file types"),
        choices=FileType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["pdf", "jpg", "png"],
    )
    max_size = MegabytesField(
        label=_("maximum size (MB)"),
        initial=Decimal(10),
        help_text=_("In megabytes: 10 means 10 MB."),
    )

    class Meta:
        model = MaterialRequirement
        fields = [
            "name",
            "required",
            "tolerable",
            "accepted_types",
            "max_size",
            "departments",
            "copies",
            "source",
            "description",
            "sample",
            "position",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            # Checkboxes, not the admin's two-box chooser: its buttons and icons have no
            # accessible names (axe) and its labels are English.
            "departments": forms.CheckboxSelectMultiple(attrs={"class": "os-admin-checklist"}),
        }

    def clean_max_size(self) -> int:
        megabytes = self.cleaned_data["max_size"]
        before = self.instance.max_size if self.instance.pk else None
        # An untouched size keeps its exact bytes (a size that is no whole number of
        # hundredths of a MB would otherwise change, and publish a new version, on every save).
        if before is not None and to_megabytes(before) == to_megabytes(int(megabytes * MB)):
            return before
        return int(megabytes * MB)


class ChoicesField(forms.CharField):
    """Choices edited one per line: ``label`` or ``value|label``."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        lines = []
        for choice in value or []:
            if isinstance(choice, list | tuple):
                lines.append("|".join(str(c) for c in choice[:2]))
            elif isinstance(choice, dict):
                lines.append(f"{choice.get('value', '')}|{choice.get('label', '')}")
            else:
                lines.append(str(choice))
        return "\n".join(lines)

    def to_python(self, value: Any) -> list:
        out: list = []
        for line in (value or "").splitlines():
            line = line.strip()
            if not line:
                continue
            if "|" in line:
                choice_value, label = (part.strip() for part in line.split("|", 1))
                out.append([choice_value, label])
            else:
                out.append(line)
        return out


class FormFieldForm(LabelledInputsForm):
    choices = ChoicesField(
        label=_("choices"),
        required=False,
        help_text=_("One choice per line; write “value|label” to store a different value."),
    )

    class Meta:
        model = FormField
        fields = [
            "name",
            "label",
            "type",
            "required",
            "choices",
            "validation",
            "help_text",
            "position",
        ]
        widgets = {"validation": forms.Textarea(attrs={"rows": 2, "cols": 30})}


class ServiceItemForm(LabelledInputsForm):
    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "name",
            "keywords",
            "category",
            "audience",
            "service_model",
            "consult_mode",
            "extension_rule",
            "region",
            "lead_department",
            "legal_days",
            "promised_days",
            "online_depth",
            "max_visits",
            "onsite_inspection",
            "window_acceptance",
            "allows_anonymous",
            "deemed_approval_allowed",
            "conditions",
            "procedure",
            "legal_basis",
            "is_free",
            "fees",
            "result_name",
            "result_validity_months",
            "enquiry_phone",
            "complaint_phone",
            "service_location",
            "service_hours",
            "popularity",
        ]
        error_messages = {"code": {"unique": _("Another item already has this code.")}}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        status = self.instance.status if self.instance.pk else ItemStatus.DRAFT
        if status not in (ItemStatus.PUBLISHED, ItemStatus.SUSPENDED):
            return cleaned
        entry = {name: cleaned.get(name) for name in ("category", "legal_basis")}
        for problem in validate_item_fields(entry):
            if problem.field in _PUBLISHING_ONLY and problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        return cleaned
