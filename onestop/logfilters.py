"""Logging filters of the project (wired in ``settings.LOGGING``)."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused request (403 PermissionDenied, 400 SuspiciousOperation) is logged as one line.

    Django's request handler logs 4xx answers with the exception attached, so every denied page
    wrote a full traceback to the log: noise that buries real errors, though nothing went wrong
    on our side. The record keeps its message, status code and request; only the traceback of a
    client error (status below 500) is dropped. Server errors keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
