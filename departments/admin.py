"""Admin screens of the departments app: regions, departments, staff roles, service centres.

Staff roles are added and removed only through ``departments.services`` (so the guardian
permissions follow them); a role is never edited in place: revoke it and grant another.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from departments import roles
from departments.exceptions import DepartmentsError
from departments.models import Department, Region, ServiceCentre, StaffRole, Window
from departments.services import staff_role_check, staff_role_grant, staff_role_revoke
from onestop.forms import add_service_errors


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent", "position")
    list_filter = ("level",)
    search_fields = ("name", "code")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    ordering = ("position", "code")


class ChildDepartmentInline(admin.TabularInline):
    model = Department
    fk_name = "parent"
    fields = ("code", "name", "level", "region", "kind", "is_active")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("subordinate department")
    verbose_name_plural = _("subordinate departments")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "hierarchy", "level", "region", "kind", "is_active")
    list_filter = ("level", "kind", "region", "is_active")
    search_fields = ("name", "short_name", "code")
    list_select_related = ("region", "parent__parent")
    # Plain selects, not autocomplete: select2's box has no accessible name when it is empty
    # (axe, serious), and a city's departments and regions make short lists.
    inlines = [ChildDepartmentInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "parent", "level", "region", "kind")}),
        (_("Contact"), {"fields": ("phone", "address")}),
        (None, {"fields": ("is_active",)}),
    )

    @admin.display(description=_("hierarchy"))
    def hierarchy(self, obj: Department) -> str:
        names = []
        node = obj.parent
        while node is not None and len(names) < 3:
            names.append(node.display_name)
            node = node.parent
        return " › ".join(reversed(names)) or "—"


class StaffRoleForm(forms.ModelForm):
    """Checks a new role with the service's own rules and the access module's."""

    request = None  # set by StaffRoleAdmin.get_form

    class Meta:
        model = StaffRole
        fields = ("user", "department", "role", "stage", "region")

    def clean(self):
        data = super().clean()
        department = data.get("department")
        role = data.get("role")
        if not department or not role:
            return data
        try:
            data["stage"], data["region"] = staff_role_check(
                department=department,
                role=role,
                stage=data.get("stage") or "",
                region=data.get("region"),
            )
        except DepartmentsError as exc:
            add_service_errors(self, exc)
        if self.request is not None and not roles.can_manage_role(
            self.request.user, department, role
        ):
            self.add_error(None, _("You may not grant this role in this department."))
        return data

    def validate_unique(self):
        # The service is idempotent for an identical role; leave duplicates to it.
        pass


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    form = StaffRoleForm
    list_display = ("user", "department", "role", "stage", "region", "granted_at", "granted_by")
    list_filter = ("role", "stage", "department__region", "department__kind")
    search_fields = ("user__username", "department__name", "department__code")
    list_select_related = ("user", "department", "region", "granted_by")
    autocomplete_fields = ("user", "department", "region")
    readonly_fields = ("granted_at", "granted_by")
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # roles are granted and revoked, never edited
            return ("user", "department", "role", "stage", "region", "granted_at", "granted_by")
        return self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the bulk delete would bypass the service
        return actions

    def save_model(self, request, obj, form, change):
        if change:
            return
        role = staff_role_grant(
            actor=request.user,
            user=obj.user,
            department=obj.department,
            role=obj.role,
            stage=obj.stage or "",
            region=obj.region,
        )
        # The admin goes on with ``obj`` (log entry, redirect): make it the saved row.
        obj.pk = role.pk
        obj.region = role.region
        obj.granted_at = role.granted_at
        obj.granted_by = role.granted_by
        obj._state.adding = False
        obj._state.db = role._state.db

    def delete_model(self, request, obj):
        try:
            staff_role_revoke(actor=request.user, role=obj)
        except DepartmentsError as exc:
            raise PermissionDenied(str(exc.message)) from None

    def delete_queryset(self, request, queryset):
        for role in queryset.select_related("department"):
            self.delete_model(request, role)

    @admin.action(description=_("Revoke the selected roles"), permissions=["delete"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for role in queryset.select_related("department"):
            try:
                staff_role_revoke(actor=request.user, role=role)
            except DepartmentsError as exc:
                self.message_user(request, f"{role}: {exc.message}", messages.ERROR)
            else:
                revoked += 1
        if revoked:
            self.message_user(
                request,
                _("%(count)d roles revoked.") % {"count": revoked},
                messages.SUCCESS,
            )


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    fields = ("number", "name", "kind", "categories", "clerk_on_duty", "status")
    autocomplete_fields = ("clerk_on_duty",)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "department", "phone")
    list_filter = ("region",)
    search_fields = ("name", "address")
    list_select_related = ("region", "department")
    autocomplete_fields = ("region", "department")
    inlines = [WindowInline]
