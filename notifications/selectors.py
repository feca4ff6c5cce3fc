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


def shown(notifications) -> list[Notification]:
    """The notices with ``shown_title`` / ``shown_body`` in the reader's (active) language:
    rendered from their kind and parameters when shown (issue 14 item 6); a notice made before
    the parameters were kept shows its stored text."""
    from django.utils import translation

    from .messages import render

    language = translation.get_language()
    rows = list(notifications)
    for n in rows:
        if n.params:
            n.shown_title, n.shown_body = render(n.kind, n.params, language=language)
        else:
            n.shown_title, n.shown_body = n.title, n.body
    return rows
