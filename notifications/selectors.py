"""Reads of the notification centre: a user sees only their own notices."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification


def notification_list_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user).select_related("application")
    return qs.unread() if unread_only else qs


def unread_count_for_user(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
