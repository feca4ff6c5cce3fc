"""Parts of the case detail that apps above workflow contribute (docs/architecture.md): a part
is a name (a key of the API's case detail, e.g. ``ratings``) and a function of the case that
returns its JSON-ready value. Registered from the app's ``AppConfig.ready()``, so workflow
never imports the app; a part nobody registered answers its empty value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PARTS: dict[str, Callable[[Any], Any]] = {}


def register_case_part(name: str, func: Callable[[Any], Any]) -> None:
    """Make ``func(application)`` the value of the case detail's ``name`` (a second
    registration replaces the first: ``ready()`` may run twice)."""
    _PARTS[name] = func


def unregister_case_part(name: str) -> None:
    _PARTS.pop(name, None)


def case_part(name: str, application: Any, default: Any = None) -> Any:
    func = _PARTS.get(name)
    return default if func is None else func(application)
