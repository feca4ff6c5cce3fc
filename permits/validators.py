"""Checksums of the national identifiers and the masking of personal data."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(rf"^[{_CREDIT_CHARS}]{{18}}$")


def resident_id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_resident_id(value: str) -> bool:
    """GB 11643: 6-digit division, 8-digit birth date, 3-digit sequence, check character."""
    value = (value or "").strip().upper()
    if not _ID_RE.match(value):
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > dt.date.today():
        return False
    return resident_id_check_char(value[:17]) == value[17]


def validate_resident_id(value: str) -> None:
    if not is_valid_resident_id(value):
        raise ValidationError(
            _("This is not a valid resident ID number (GB 11643 check failed)."), code="id_number"
        )


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(value: str) -> bool:
    """GB 32100: 18 characters of the 31-character set, the last a mod-31 check character."""
    value = (value or "").strip().upper()
    if not _CREDIT_RE.match(value):
        return False
    return credit_code_check_char(value[:17]) == value[17]


def validate_credit_code(value: str) -> None:
    if not is_valid_credit_code(value):
        raise ValidationError(
            _("This is not a valid unified social credit code (GB 32100 check failed)."),
            code="credit_code",
        )


_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile_phone(value: str) -> None:
    if not _PHONE_RE.match(value or ""):
        raise ValidationError(_("Enter an 11-digit mainland mobile number."), code="phone")


def mask_id_number(value: str | None) -> str:
    """Keep the first three and the last character: the last four are the tracking secret."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 4) + value[-1]


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the family name stays, the rest is hidden."""
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)
