"""Phone numbers as the hotline searches and links them."""

from __future__ import annotations

from typing import Any


def normalise_phone(raw: Any) -> str:
    """A phone number's digits (and a leading +) only: ``138-0000 1111`` → ``13800001111``."""
    text = str(raw or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    return ("+" + digits) if text.startswith("+") and digits else digits
