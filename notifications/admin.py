from django.contrib import admin

from permits.validators import mask_phone

from .backends import mask_email
from .models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["channel", "masked_to", "status", "attempts", "last_error", "sent_at"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description="to")
    def masked_to(self, obj):
        return mask_phone(obj.to) if obj.channel == "sms" else mask_email(obj.to)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "recipient", "application", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "application__number"]
    raw_id_fields = ["recipient", "application", "event"]
    inlines = [DeliveryInline]
