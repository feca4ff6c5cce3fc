"""GB 11643 (resident ID) and GB 32100 (credit code) checksums, ID formats, masking."""

import pytest
from django.core.exceptions import ValidationError

from permits.validators import (
    is_valid_credit_code,
    is_valid_id_number,
    is_valid_resident_id,
    mask_id_number,
    normalise_identifier,
    validate_credit_code,
    validate_id_number,
)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the example printed in GB 11643-1999
        "11010519491231002x",  # lower-case x is accepted (normalised to X)
        "445302199003071231",  # 云城区, check character 1
        "445381198507150014",  # 罗定市
    ],
)
def test_resident_id_valid(number):
    assert is_valid_resident_id(number)


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # last character wrong (should be X)
        "445302199003071234",  # last character wrong (should be 1)
        "445302199002301231",  # 30 February
        "44530219900307123",  # 17 characters
        "4453021990030712311",  # 19 characters
        "44530219900307123A",  # letter other than X
        "445302209903071231",  # born in the future
        "",
    ],
)
def test_resident_id_invalid(number):
    assert not is_valid_resident_id(number)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # a real-format code with its mod-31 check character
        "91445300MA4UX1234G",
        "91445302ma51b7q6l2",  # lower case is normalised
    ],
)
def test_credit_code_valid(code):
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # check character off by one
        "91445300MA4UX1234H",
        "91445300MA4UX1234I",  # I is not in the GB 32100 character set
        "91445300MA4UX1234",  # 17 characters
        "9144530OMA4UX1234G",  # O is not in the character set
    ],
)
def test_credit_code_invalid(code):
    assert not is_valid_credit_code(code)


@pytest.mark.parametrize(
    ("id_type", "number", "valid"),
    [
        ("hk_macao_permit", "H12345678", True),  # 回乡证, 8 digits
        ("hk_macao_permit", "M1234567890", True),  # 10 digits
        ("hk_macao_permit", "810000199001011230", True),  # 港澳居民居住证 with GB 11643 check
        ("hk_macao_permit", "810000199001011231", False),
        ("hk_macao_permit", "X12345678", False),
        ("taiwan_permit", "12345678", True),
        ("taiwan_permit", "830000199001011234", True),
        ("taiwan_permit", "830000199001011235", False),
        ("taiwan_permit", "1234", False),
        ("foreign_permanent_id", "USA123456789012", True),  # 2004 format
        ("foreign_permanent_id", "933021199001011232", True),  # 2023 format
        ("foreign_permanent_id", "933021199001011233", False),
        ("passport", "E12345678", True),
        ("passport", "E1234", True),
        ("passport", "E12#45678", False),
        ("no_such_type", "E12345678", False),
    ],
)
def test_other_id_formats(id_type, number, valid):
    assert is_valid_id_number(id_type, number) is valid


def test_errors_never_repeat_the_number():
    number = "445302199003071234"
    for call in (
        lambda: validate_id_number("resident_id", number),
        lambda: validate_id_number("passport", "???"),
        lambda: validate_credit_code("91445300MA4UX1234H"),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert number not in " ".join(exc.value.messages)
        assert "91445300MA4UX1234H" not in " ".join(exc.value.messages)


def test_normalise_and_mask():
    assert normalise_identifier(" 4453 0219-9003 07123x ") == "44530219900307123X"
    assert mask_id_number("44530219900307123X") == "445**************X"
