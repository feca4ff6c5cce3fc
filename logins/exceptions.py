"""Errors of the logins services, each with a machine code and a translatable message."""

from __future__ import annotations


class LoginsError(Exception):
    def __init__(self, code: str, message, *, fields: dict | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}
