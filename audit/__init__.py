"""The audit trail (issue 12 item 6, 等保 2.0): one append-only, hash-chained log.

Project plumbing below every domain app (like ``outbox``): it imports none of them, so any app
may call :func:`audit.records.record`.
"""
