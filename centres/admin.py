"""Admin screens of the service centre: the items each window accepts, and the queue tickets
and appointments (read-only: they change only through ``centres.services``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from centres.models import Appointment, Ticket, TicketTransfer, WindowItem


@admin.register(WindowItem)
class WindowItemAdmin(admin.ModelAdmin):
    list_display = ("window", "item")
    list_filter = ("window__centre",)
    search_fields = ("item__name", "item__code", "window__name", "window__number")
    list_select_related = ("window__centre", "item")
    autocomplete_fields = ("item",)


class TicketTransferInline(admin.TabularInline):
    """The parts of the visit a window handed on (read-only, like the ticket)."""

    model = TicketTransfer
    extra = 0
    fields = (
        "from_window",
        "to_window",
        "served_by",
        "queued_at",
        "called_at",
        "started_at",
        "transferred_at",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    inlines = [TicketTransferInline]
    list_display = (
        "code_display",
        "centre",
        "day",
        "item",
        "status",
        "priority_reason",
        "window",
        "issued_at",
        "called_at",
        "finished_at",
    )
    list_filter = ("status", "priority_reason", "centre", "day")
    search_fields = ("item__name",)
    list_select_related = ("centre", "item", "window")
    date_hierarchy = "day"

    @admin.display(description=_("ticket"), ordering="letter")
    def code_display(self, obj: Ticket) -> str:
        return obj.code

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: bookings change through ``centres.services.appointments``."""

    list_display = ("code", "centre", "item", "starts_at", "status", "ticket")
    list_filter = ("status", "centre")
    search_fields = ("=code", "item__name")
    list_select_related = ("centre", "item", "ticket")
    date_hierarchy = "starts_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
