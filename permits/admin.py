"""Admin screens of the catalogue and the applicants.

Service items are configured here with their departments, materials and form fields as inlines.
The cross-row rules (``permits.itemconfig``) run on the submitted page, so an administrator sees
each problem beside the row it concerns. Lifecycle moves are actions calling
``permits.services``. Saving a published item publishes it again: a new version when the
configuration changed, so the guide on the portal and the version new cases use never differ.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from permits.admin_forms import (
    FormFieldForm,
    ItemDepartmentForm,
    MaterialRequirementForm,
    ServiceItemForm,
    label_inputs,
)
from permits.exceptions import PermitsError
from permits.itemconfig import validate_item_config
from permits.models import (
    Enterprise,
    FormField,
    Handler,
    ItemDepartment,
    ItemStatus,
    ItemVersion,
    MaterialRequirement,
    Person,
    ServiceItem,
)
from permits.services import item_publish, item_resume, item_retire, item_suspend
from permits.validators import mask_id_number, mask_name, mask_phone

# --- Cross-row validation -------------------------------------------------------------------


def _live_forms(formset) -> list[forms.ModelForm]:
    """The formset's rows that will exist after saving: changed or existing, not deleted."""
    out = []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        out.append(form)
    return out


def _code(value: Any) -> str | None:
    return getattr(value, "code", None)


class ItemConfigFormSet(BaseInlineFormSet):
    """The formset of the last inline runs the catalogue rules over the item and all three
    inlines (Django validates the main form, then the inlines in order, so the others are
    cleaned by then) and puts each problem on the row it concerns."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        label_inputs(form)  # the formset's own inputs too (the DELETE and ordering boxes)

    def validate_unique(self) -> None:
        # The catalogue rules below check the same uniqueness (department and role, material
        # names, field names) and say which row and why, in the administrator's words.
        return

    def clean(self) -> None:
        super().clean()
        siblings = getattr(self, "catalogue_formsets", None)
        if not siblings or siblings[-1] is not self:
            return
        by_model = {fs.model: fs for fs in siblings}
        if any(fs.total_error_count() for fs in siblings if fs is not self):
            return  # row errors first; the cross-row rules need clean rows
        if any(form.errors for form in self.forms):
            return
        item = self.instance
        department_forms = _live_forms(by_model[ItemDepartment])
        material_forms = _live_forms(by_model[MaterialRequirement])
        field_forms = _live_forms(self)
        config = {
            "item": {
                "code": item.code,
                "name": item.name,
                "category": item.category,
                "audience": item.audience,
                "service_model": item.service_model,
                "online_depth": item.online_depth,
                "region": getattr(item.region, "code", None) if item.region_id else None,
                "lead_department": _code(item.lead_department) if item.lead_department_id else None,
                "legal_days": item.legal_days,
                "promised_days": item.promised_days,
                "consult_mode": item.consult_mode,
                "extension_rule": item.extension_rule,
                "deemed_approval_allowed": item.deemed_approval_allowed,
            },
            "departments": [
                {**f.cleaned_data, "code": _code(f.cleaned_data.get("department"))}
                for f in department_forms
            ],
            "materials": [
                {
                    **f.cleaned_data,
                    "sample": "",
                    "departments": [_code(d) for d in f.cleaned_data.get("departments") or []],
                }
                for f in material_forms
            ],
            "form_fields": [f.cleaned_data for f in field_forms],
        }
        forms_by_section = {
            "departments": (by_model[ItemDepartment], department_forms),
            "materials": (by_model[MaterialRequirement], material_forms),
            "form_fields": (self, field_forms),
        }
        own_errors: list[str] = []
        elsewhere = False
        for problem in validate_item_config(config):
            if problem.section == "item":
                continue  # the item's own form shows these (ServiceItem.clean)
            formset, rows = forms_by_section[problem.section]
            if problem.index is not None:
                form = rows[problem.index]
                field = problem.field if problem.field in form.fields else None
                if field is None and problem.field == "code":
                    field = "department"
                form.add_error(field, problem.message)
            elif formset is self:
                own_errors.append(problem.message)
            else:
                formset._non_form_errors.append(problem.message)
            elsewhere = elsewhere or formset is not self
        if elsewhere and not own_errors:
            own_errors.append(gettext("Please correct the errors marked in the sections above."))
        if own_errors:
            raise forms.ValidationError(own_errors)


# Stacked, with a few fields to a line: the rows fit a 1366 px screen (a tabular row of eight
# columns, one of them a checkbox list, was twice that wide).


class ItemDepartmentInline(admin.StackedInline):
    model = ItemDepartment
    form = ItemDepartmentForm
    formset = ItemConfigFormSet
    extra = 0
    min_num = 1
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("department", "role", "position"),
                    "duty",
                    ("time_limit_days", "time_limit_unit", "timeout_policy"),
                    "stages",
                ]
            },
        )
    ]


class MaterialRequirementInline(admin.StackedInline):
    model = MaterialRequirement
    form = MaterialRequirementForm
    formset = ItemConfigFormSet
    extra = 0
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "position"),
                    ("required", "tolerable", "copies"),
                    ("accepted_types", "max_size"),
                    "departments",
                    "source",
                    "description",
                    "sample",
                ]
            },
        )
    ]


class FormFieldInline(admin.StackedInline):
    model = FormField
    form = FormFieldForm
    formset = ItemConfigFormSet
    extra = 0
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "label", "type"),
                    ("required", "position"),
                    ("choices", "validation"),
                    "help_text",
                ]
            },
        )
    ]


# --- Service items --------------------------------------------------------------------------


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    form = ServiceItemForm
    inlines = [ItemDepartmentInline, MaterialRequirementInline, FormFieldInline]
    list_display = [
        "code",
        "name",
        "category",
        "service_model",
        "region",
        "lead_department",
        "promised_days",
        "legal_days",
        "status",
        "version_number",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["status", "category", "service_model", "region", "lead_department"]
    # search_text holds the pinyin: "qykb" finds 企业开办 here as on the portal.
    search_fields = ["code", "name", "keywords", "search_text"]
    list_select_related = ["region", "lead_department", "current_version"]
    readonly_fields = ["status", "current_version", "created_at", "updated_at"]
    actions = ["publish", "suspend", "resume", "retire"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("code", "status", "current_version"),
                    "name",
                    "keywords",
                    ("category", "audience"),
                    ("service_model", "consult_mode", "extension_rule"),
                    ("region", "lead_department"),
                    ("legal_days", "promised_days"),
                    ("online_depth", "max_visits"),
                    (
                        "onsite_inspection",
                        "window_acceptance",
                        "allows_anonymous",
                        "deemed_approval_allowed",
                    ),
                ]
            },
        ),
        (
            _("Guide"),
            {
                "fields": [
                    "conditions",
                    "procedure",
                    "legal_basis",
                    ("is_free", "fees"),
                    ("result_name", "result_validity_months"),
                    ("enquiry_phone", "complaint_phone"),
                    "service_location",
                    "service_hours",
                    "popularity",
                ]
            },
        ),
        (_("Record"), {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("version"), ordering="current_version__number")
    def version_number(self, obj: ServiceItem) -> str:
        return f"v{obj.current_version.number}" if obj.current_version_id else "—"

    def has_delete_permission(self, request: HttpRequest, obj: ServiceItem | None = None) -> bool:
        # Published items are retired, never deleted: cases point at their versions.
        if obj is not None and obj.status != ItemStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        for formset in formsets:
            formset.catalogue_formsets = formsets
        return formsets, inline_instances

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        item = form.instance
        if item.status != ItemStatus.PUBLISHED:
            return
        previous = item.current_version_id
        try:
            version = item_publish(item=item, actor=request.user)
        except PermitsError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
            return
        if version.pk != previous:
            self.message_user(
                request,
                gettext("%(item)s: published as version %(number)s.")
                % {"item": item.name, "number": version.number},
                messages.SUCCESS,
            )

    def _run(self, request, queryset: QuerySet[ServiceItem], action, done) -> None:
        ok = 0
        for item in queryset:
            try:
                action(item=item, actor=request.user)
            except PermitsError as exc:
                self.message_user(
                    request, f"{item.name}（{item.code}）：{_error_text(exc)}", messages.ERROR
                )
            else:
                ok += 1
        if ok:
            self.message_user(request, done % {"count": ok}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected items"), permissions=["change"])
    def publish(self, request, queryset) -> None:
        self._run(
            request,
            queryset,
            item_publish,
            ngettext_lazy("%(count)s item published.", "%(count)s items published.", "count"),
        )

    @admin.action(description=_("Suspend the selected items"), permissions=["change"])
    def suspend(self, request, queryset) -> None:
        self._run(
            request,
            queryset,
            item_suspend,
            ngettext_lazy("%(count)s item suspended.", "%(count)s items suspended.", "count"),
        )

    @admin.action(description=_("Resume the selected items"), permissions=["change"])
    def resume(self, request, queryset) -> None:
        self._run(
            request,
            queryset,
            item_resume,
            ngettext_lazy("%(count)s item resumed.", "%(count)s items resumed.", "count"),
        )

    @admin.action(description=_("Retire the selected items"), permissions=["change"])
    def retire(self, request, queryset) -> None:
        self._run(
            request,
            queryset,
            item_retire,
            ngettext_lazy("%(count)s item retired.", "%(count)s items retired.", "count"),
        )


def _error_text(exc: PermitsError) -> str:
    details = [f"{path}: {'; '.join(map(str, msgs))}" for path, msgs in exc.fields.items()]
    return " ".join([str(exc.message), *details])


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are frozen at publication and never change."""

    list_display = ["item", "number", "published_at", "published_by"]
    list_filter = ["item__category"]
    search_fields = ["item__code", "item__name"]
    list_select_related = ["item", "published_by"]
    fields = ["item", "number", "published_at", "published_by", "configuration"]
    readonly_fields = fields

    @admin.display(description=_("configuration"))
    def configuration(self, obj: ItemVersion) -> str:
        text = json.dumps(obj.snapshot, ensure_ascii=False, indent=2)
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", text)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Applicants: personal data masked in every list -----------------------------------------


class SealedSearchMixin:
    """Exact search on encrypted ID numbers and phones, through their lookup hashes
    (``sealed_search``: the lookup-hash paths to match the search term against)."""

    sealed_search: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and self.sealed_search:
            from django.db.models import Q

            from onestop.pii import lookup_hashes

            hashes = lookup_hashes(term)
            q = Q()
            for path in self.sealed_search:
                q |= Q(**{f"{path}__in": hashes})
            queryset |= self.model.objects.filter(q)
        return queryset, may_have_duplicates


@admin.register(Person)
class PersonAdmin(SealedSearchMixin, admin.ModelAdmin):
    list_display = ["masked_name", "id_type", "masked_id", "masked_phone_number", "user"]
    list_filter = ["id_type"]
    # Exact matches only: a partial ID number must not list people.
    search_fields = ["=user__username"]
    sealed_search = ("id_number_hash", "phone_hash")
    exclude = ["id_number_hash", "phone_hash"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

    @admin.display(description=_("real name"))
    def masked_name(self, obj: Person) -> str:
        return mask_name(obj.real_name)

    @admin.display(description=_("ID number"))
    def masked_id(self, obj: Person) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description=_("phone"))
    def masked_phone_number(self, obj: Person) -> str:
        return mask_phone(obj.phone)


class HandlerInline(admin.TabularInline):
    model = Handler
    fk_name = "enterprise"
    extra = 0
    raw_id_fields = ["person", "added_by", "removed_by"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "masked_representative", "created_at"]
    search_fields = ["name", "=credit_code"]
    inlines = [HandlerInline]

    @admin.display(description=_("legal representative"))
    def masked_representative(self, obj: Enterprise) -> str:
        return mask_name(obj.legal_representative)


@admin.register(Handler)
class HandlerAdmin(SealedSearchMixin, admin.ModelAdmin):
    list_display = ["enterprise", "person_masked", "scope", "valid_until", "removed_at"]
    list_filter = ["valid_until", "removed_at"]
    search_fields = ["enterprise__name", "=enterprise__credit_code"]
    sealed_search = ("person__id_number_hash",)
    list_select_related = ["enterprise", "person"]
    raw_id_fields = ["person", "added_by", "removed_by"]

    @admin.display(description=_("person"))
    def person_masked(self, obj: Handler) -> str:
        return str(obj.person)  # Person.__str__ masks name and ID
