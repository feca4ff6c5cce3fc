"""The audit log in the admin: searchable, filterable, and read-only for everyone."""

from django.contrib import admin

from .models import AuditCheckpoint, AuditRecord, DataAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "at", "category", "action", "actor_label", "client_ip", "path", "status_code",
        "object_id", "chain_index",
    )  # fmt: skip
    list_filter = ("category", "status_code", "method")
    search_fields = ("=actor_label", "action", "path", "=object_id", "=client_ip")
    date_hierarchy = "at"
    show_full_result_count = False  # the log is large: no count(*) over all of it per page
    list_per_page = 50


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("partition", "rows", "last_chain_index", "dropped_at")


@admin.register(DataAccess)
class DataAccessAdmin(ReadOnlyAdmin):
    list_display = (
        "at", "kind", "actor_label", "organisation", "person_id", "application_number", "what",
        "client_ip",
    )  # fmt: skip
    list_filter = ("kind",)
    search_fields = ("=actor_label", "=application_number", "=person_id")
    date_hierarchy = "at"
    show_full_result_count = False
    list_per_page = 50
