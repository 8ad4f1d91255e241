"""The resident ID number (GB 11643) and the credit code (GB 32100), with real-shaped numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from projects.identity import InvalidIdNumber, parse_id_number, validate_uscc
from tests.factories import credit_code, id_number

TODAY = dt.date(2026, 11, 25)


def test_it_accepts_a_valid_number_and_derives_birth_date_and_gender():
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == "female"  # 17th digit 2 is even
    assert parsed.warnings == ()


def test_it_reads_a_male_from_an_odd_17th_digit():
    assert parse_id_number(id_number("330203", "19900101", 123), today=TODAY).gender == "male"


def test_a_lower_case_x_is_read_as_upper_case():
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_it_refuses_a_wrong_check_character():
    with pytest.raises(InvalidIdNumber) as error:
        parse_id_number("110105194912310021", today=TODAY)
    assert error.value.code == "checksum"
    assert "校验码不符" in error.value.messages[0]


def test_it_refuses_an_impossible_birth_date():
    body = "33020319900230123"  # 30 February
    from stdnum.cn import ric

    with pytest.raises(InvalidIdNumber) as error:
        parse_id_number(body + ric.calc_check_digit(body + "0"), today=TODAY)
    assert error.value.code == "birth"


def test_it_refuses_a_birth_date_in_the_future():
    with pytest.raises(InvalidIdNumber) as error:
        parse_id_number(id_number("330203", "20300101"), today=TODAY)
    assert error.value.code == "birth"


@pytest.mark.parametrize("raw", ["33020319900101123", "3302031990010112345", "", "33020319900101A23X"])
def test_it_refuses_wrong_lengths_and_letters(raw):
    with pytest.raises(InvalidIdNumber) as error:
        parse_id_number(raw, today=TODAY)
    assert error.value.code in {"length", "format"}


def test_a_region_code_newer_than_the_birth_year_is_accepted():
    # 330212 (Yinzhou district) was created in 2016; a worker born in 1965 may carry it today.
    parsed = parse_id_number(id_number("330212", "19650301"), today=TODAY)
    assert parsed.region_code == "330212"
    assert parsed.birth_date == dt.date(1965, 3, 1)
    assert len(parsed.warnings) == 1 and "330212" in parsed.warnings[0]


def test_a_region_code_valid_at_birth_gives_no_warning():
    assert parse_id_number(id_number("330203", "19900101"), today=TODAY).warnings == ()


def test_an_unknown_region_code_is_accepted_with_a_warning():
    parsed = parse_id_number(id_number("339999", "19700101"), today=TODAY)
    assert parsed.region_code == "339999"
    assert len(parsed.warnings) == 1 and "339999" in parsed.warnings[0]


def test_a_valid_credit_code_passes():
    code = credit_code(1234567)
    assert validate_uscc(code.lower()) == code


def test_a_credit_code_with_a_wrong_check_character_is_refused():
    code = credit_code(1234567)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        validate_uscc(wrong)
    assert error.value.code == "checksum"


def test_a_credit_code_of_the_wrong_length_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_uscc("91330200MA2")
    assert error.value.code == "length"
