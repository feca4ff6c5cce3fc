from __future__ import annotations

from django.http import HttpRequest


class _LazyMissingYears:
    """Years whose holiday arrangement is missing: asked only where a back-office template
    shows the banner, and only for administrators."""

    def __init__(self, user) -> None:
        self._user = user
        self._value: list[int] | None = None

    def __call__(self) -> list[int]:
        if self._value is None:
            from workflow.access import is_admin

            from .deadlines.calendar import missing_years

            self._value = missing_years() if is_admin(self._user) else []
        return self._value


class _LazyNav:
    """Which deadline pages the user may open (for the back-office navigation)."""

    def __init__(self, user) -> None:
        self._user = user
        self._value: dict | None = None

    def __call__(self) -> dict:
        if self._value is None:
            from workflow.access import is_admin

            from .deadlines.supervision import can_supervise

            self._value = {
                "calendar": is_admin(self._user),
                "supervision": can_supervise(self._user),
            }
        return self._value


def calendar_banner(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"calendar_missing_years": _LazyMissingYears(user), "deadlines_nav": _LazyNav(user)}
