"""Environment a subprocess needs to start with PRODUCTION=true: the personal-data keys, which
production refuses to take from the demo defaults (onestop/pii.py)."""

PII_KEYS = {
    "PII_ENCRYPTION_KEYS": "t1:" + "ab" * 16,
    "PII_LOOKUP_KEYS": "t1:" + "cd" * 32,
}
