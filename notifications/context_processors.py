from __future__ import annotations

from django.http import HttpRequest

from .selectors import unread_count_for_user


class _LazyCount:
    """Counted on first use in a template, at most once per request."""

    def __init__(self, user) -> None:
        self._user = user
        self._value: int | None = None

    def __call__(self) -> int:
        if self._value is None:
            self._value = unread_count_for_user(user=self._user)
        return self._value


def notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": _LazyCount(user)}
