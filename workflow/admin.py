from django.contrib import admin

from .models import CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "source", "updated_at"]
    list_filter = ["kind", "source"]
    date_hierarchy = "date"
    search_fields = ["name"]
    readonly_fields = ["updated_at"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "complete", "source", "completed_at", "completed_by", "note"]
    list_filter = ["complete", "source"]
    readonly_fields = ["completed_at", "completed_by"]


# --- Cases (read-only: cases move only through workflow.services) ---------------------------

from permits.models import Application, ApplicationDepartment, Certificate, Event  # noqa: E402

from .models import CaseTask  # noqa: E402


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ParticipationInline(admin.TabularInline):
    model = ApplicationDepartment
    extra = 0
    fields = ["department", "role", "stage", "status", "due_at", "opinion"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ["at", "action", "actor", "department", "status_before", "status_after", "note"]
    readonly_fields = fields
    can_delete = False
    ordering = ["at", "pk"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(_ReadOnlyAdmin):
    list_display = ["number", "item", "status", "channel", "lead_department", "due_at", "paused"]
    list_filter = ["status", "channel", "paused", "region"]
    search_fields = ["number", "item__code", "item__name"]
    list_select_related = ["item", "lead_department"]
    inlines = [ParticipationInline, EventInline]
    exclude = ["query_code_hash"]


@admin.register(CaseTask)
class CaseTaskAdmin(_ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "stage",
        "application",
        "department",
        "status",
        "assignee",
        "due_at",
        "warning",
    ]
    list_filter = ["kind", "status", "warning"]
    search_fields = ["application__number"]
    list_select_related = ["application", "department", "assignee"]


@admin.register(Certificate)
class CertificateAdmin(_ReadOnlyAdmin):
    list_display = ["number", "type", "holder_name", "issuer", "issued_at", "valid_until", "status"]
    search_fields = ["number", "holder_name"]
    exclude = ["holder_identifier"]
