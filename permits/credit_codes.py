"""Unified social credit codes (统一社会信用代码, GB 32100-2015) as a registration authority
issues them, for the enterprises an establishment case creates (issue 14 item 1).

A code is 18 characters of the set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z):

- 1: the registration authority (``9`` 工商/市场监管),
- 2: the organisation type under it (``1`` 企业),
- 3-8: the registering region's administrative division code (GB/T 2260),
- 9-17: the organisation code (GB 11714: 8 characters and a mod-11 check character),
- 18: the GB 32100 mod-31 check character.

Real codes come from the market regulation's registration system. The demo has none, so it
issues codes from a range marked as the demo's: organisation codes beginning with
``settings.ENTERPRISE_DEMO_CODE_PREFIX`` (``DM``), which no authority hands out (GB 11714 codes
of enterprises are digits), each checksum-valid so every validator accepts it.
"""

from __future__ import annotations

import re

from django.conf import settings

from permits.validators import credit_code_check_char, is_valid_credit_code

MARKET_REGULATION = "9"
ENTERPRISE = "1"
DEFAULT_DEMO_PREFIX = "DM"

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY = re.compile(r"^[0-9A-Z]{8}$")


def organisation_code_check_char(body: str) -> str:
    """GB 11714's check character of an 8-character organisation code body."""
    if not _ORG_BODY.match(body):
        raise ValueError(body)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def build_credit_code(
    *,
    region_code: str,
    organisation_body: str,
    authority: str = MARKET_REGULATION,
    kind: str = ENTERPRISE,
) -> str:
    """The 18-character code for an organisation code body registered in ``region_code``."""
    region = (region_code or "")[:6]
    if not re.fullmatch(r"\d{6}", region):
        raise ValueError(region_code)
    first17 = (
        f"{authority}{kind}{region}{organisation_body}"
        f"{organisation_code_check_char(organisation_body)}"
    )
    code = first17 + credit_code_check_char(first17)
    if not is_valid_credit_code(code):  # a body with I/O/S/V/Z: not a valid code
        raise ValueError(organisation_body)
    return code


def demo_prefix() -> str:
    return getattr(settings, "ENTERPRISE_DEMO_CODE_PREFIX", DEFAULT_DEMO_PREFIX)


def demo_credit_code(*, region_code: str, serial: int) -> str:
    """The demo's ``serial``-th code for ``region_code`` (organisation code ``DM`` + 6 digits)."""
    prefix = demo_prefix()
    width = 8 - len(prefix)
    if serial < 1 or serial >= 10**width:
        raise ValueError(serial)
    return build_credit_code(
        region_code=region_code, organisation_body=f"{prefix}{serial:0{width}d}"
    )


def is_demo_credit_code(code: str) -> bool:
    """Whether a code is from the demo's range."""
    return len(code or "") == 18 and code[8:].startswith(demo_prefix())
