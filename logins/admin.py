"""Admin screens: API tokens (revoke), service clients (issue a token), and django-axes'
lockout records with an "unlock" action (axes' own failure log lists every lockout event)."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from logins import services
from logins.models import ApiToken, ServiceClient


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at", "second_factor")
    search_fields = ("user__username", "prefix")
    readonly_fields = (
        "user",
        "prefix",
        "second_factor",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_select_related = ("user",)
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens come from the token endpoint only

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )


@admin.register(ServiceClient)
class ServiceClientAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "scopes", "prefix", "expires_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("name", "description", "scopes", "is_active", "expires_at", *readonly_fields)
    actions = ["issue_token"]

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def issue_token(self, request, queryset) -> None:
        for client in queryset:
            key = services.service_client_token_issue(client=client)
            self.message_user(
                request,
                _("New token of %(name)s, shown only now: %(key)s")
                % {"name": client.name, "key": key},
                messages.WARNING,
            )


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    actions = [*AccessAttemptAdmin.actions, "unlock"]

    @admin.action(description=_("Unlock the selected accounts and addresses"))
    def unlock(self, request, queryset) -> None:
        count = 0
        for username, ip_address in queryset.values_list("username", "ip_address").distinct():
            count += services.login_unlock(
                actor=request.user, username=username, ip_address=ip_address
            )
        self.message_user(
            request,
            ngettext(
                "%(count)d lockout record cleared.", "%(count)d lockout records cleared.", count
            )
            % {"count": count},
        )
