"""Lines that apps above workflow add to a notice's body (docs/architecture.md: apps extend by
registering). The ratings app adds the signed rating link (好差评) to the result notices: the
SMS that tells the applicant the result carries the link to rate it.

A function takes the case ``Event`` and returns a line (or ``""``); registered from the app's
``AppConfig.ready()``, so notifications never imports the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_EXTRAS: dict[str, Callable[[Any], str]] = {}


def register_body_extra(key: str, func: Callable[[Any], str]) -> None:
    """Add (or replace, under the same key) a function giving an extra line for an event."""
    _EXTRAS[key] = func


def unregister_body_extra(key: str) -> None:
    _EXTRAS.pop(key, None)


def body_extras(event: Any) -> str:
    """The extra lines for ``event``'s notices, joined by a space (``""`` when none)."""
    lines = [func(event) for _, func in sorted(_EXTRAS.items())]
    return " ".join(line for line in lines if line)
