"""Checksums of the national identifiers and the masking of personal data."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
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


def normalise_identifier(value: str | None) -> str:
    """What people type → what we store: no blanks or hyphens, upper case (a trailing ``x`` of a
    resident ID is ``X``). Used for ID numbers, permit numbers and credit codes alike."""
    return re.sub(r"[\s\-]", "", value or "").upper()


# Sane formats for the identity documents other than the resident ID card. The residence permits
# for Hong Kong, Macao and Taiwan residents (港澳台居民居住证) and the 2023 foreign permanent
# resident ID carry 18 characters with the GB 11643 check character; the older travel permits
# (回乡证 H/M + 8 or 10 digits, 台胞证 8 digits or 10 digits with a letter) and the 2004 foreign
# permanent resident ID (3 letters + 12 digits) have no public checksum.
_HK_MACAO_TRAVEL_RE = re.compile(r"^[HM]\d{8}(\d{2})?$")
_TAIWAN_TRAVEL_RE = re.compile(r"^\d{8}$|^\d{10}[A-Z]?$")
_FOREIGN_OLD_RE = re.compile(r"^[A-Z]{3}\d{12}$")
_PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,17}$")


def _has_gb11643_check(value: str) -> bool:
    return bool(_ID_RE.match(value)) and resident_id_check_char(value[:17]) == value[17]


def is_valid_id_number(id_type: str, value: str) -> bool:
    """Whether ``value`` (already normalised) is a well-formed number for that ID type."""
    if id_type == "resident_id":
        return is_valid_resident_id(value)
    if id_type == "hk_macao_permit":
        if len(value) == 18:
            return value[:2] in ("81", "82") and _has_gb11643_check(value)
        return bool(_HK_MACAO_TRAVEL_RE.match(value))
    if id_type == "taiwan_permit":
        if len(value) == 18:
            return value.startswith("83") and _has_gb11643_check(value)
        return bool(_TAIWAN_TRAVEL_RE.match(value))
    if id_type == "foreign_permanent_id":
        if len(value) == 18:
            return value.startswith("9") and _has_gb11643_check(value)
        return bool(_FOREIGN_OLD_RE.match(value))
    if id_type == "passport":
        return bool(_PASSPORT_RE.match(value))
    return False


def validate_id_number(id_type: str, value: str) -> None:
    """Raise a ValidationError that never repeats the number itself."""
    if id_type == "resident_id":
        validate_resident_id(value)
    elif not is_valid_id_number(id_type, value):
        raise ValidationError(
            _("This is not a valid number for the chosen ID type."), code="id_number"
        )


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


# The catalogue's identifiers (item codes, form field names).
item_code_validator = RegexValidator(
    r"^[0-9A-Z][0-9A-Z-]{5,39}$",
    _("An item code has 6 to 40 characters: capital letters, digits and '-'."),
)
field_name_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    _("A field name starts with a lower-case letter and has only a-z, 0-9 and '_'."),
)
