"""The audit log in the admin: searchable, filterable, and read-only for everyone."""

from django.contrib import admin

from .models import AuditCheckpoint, AuditRecord


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
