"""Citizen ID numbers: the published GB 11643 example, every error message, normalisation and masking."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from miaopu.domain.idcard import (
    IdCheck,
    check_char,
    make_id_number,
    mask_id_number,
    normalize_id_number,
    validate_id_number,
)

TODAY = date(2025, 6, 30)
EXAMPLE = "11010519491231002X"  # the example number printed in GB 11643-1999 (female, born 1949-12-31)


def test_published_example_is_valid() -> None:
    assert check_char(EXAMPLE[:17]) == "X"
    assert validate_id_number(EXAMPLE, TODAY) == IdCheck(
        ok=True, message="", birth_date=date(1949, 12, 31), gender="female"
    )


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),  # total % 11 == 2
        ("44052418800101001", "4"),
        ("00000000000000000", "1"),  # total 0 → "1"
    ],
)
def test_check_char(first17: str, expected: str) -> None:
    assert check_char(first17) == expected


@pytest.mark.parametrize(
    "bad", ["1101051949123100", "11010519491231002X", "1101051949123100a", "１１０１０５１９４９１２３１００２"]
)
def test_check_char_rejects_non_17_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_char(bad)


def test_make_id_number_roundtrip_gender() -> None:
    male = make_id_number("320102", date(1990, 5, 17), 123)
    female = make_id_number("320102", date(1990, 5, 17), 124)
    assert male.startswith("32010219900517123") and len(male) == 18
    assert validate_id_number(male, TODAY) == IdCheck(True, "", date(1990, 5, 17), "male")
    assert validate_id_number(female, TODAY).gender == "female"
    assert make_id_number("110105", date(1949, 12, 31), 2) == EXAMPLE
    assert make_id_number("110105", date(2000, 1, 1), 0)[14:17] == "000"


@pytest.mark.parametrize(
    ("area", "seq"),
    [("11010", 1), ("1101055", 1), ("11O105", 1), ("110105", -1), ("110105", 1000)],
)
def test_make_id_number_rejects_bad_input(area: str, seq: int) -> None:
    with pytest.raises(ValueError):
        make_id_number(area, date(1990, 1, 1), seq)


@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)
def test_generated_numbers_validate(area: str, birth: date, seq: int) -> None:
    number = make_id_number(area, birth, seq)
    result = validate_id_number(number, TODAY)
    assert result.ok, result.message
    assert result.birth_date == birth
    assert result.gender == ("male" if seq % 2 else "female")


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
    st.integers(0, 16),
    st.integers(1, 9),
)
def test_any_single_digit_typo_is_caught(birth: date, seq: int, position: int, delta: int) -> None:
    number = make_id_number("430102", birth, seq)
    typo = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not validate_id_number(typo, TODAY).ok


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "未填写身份证号"),
        ("   ", "未填写身份证号"),
        ("11010519491231002", "身份证号应为 18 位，实为 17 位"),
        ("11010519491231002X1", "身份证号应为 18 位，实为 19 位"),
        ("110105194912310", "身份证号应为 18 位，实为 15 位"),  # legacy 15-digit numbers are not accepted
        ("1101051949123100X2", "身份证号第 17 位“X”不合法：应为数字"),
        ("11010519491231002Y", "身份证号第 18 位“Y”不合法：应为数字或 X"),
        ("11010519491231-02X", "身份证号第 15 位“-”不合法：应为数字"),
        ("110105194912310٢2X", "身份证号第 16 位“٢”不合法：应为数字"),  # Arabic-Indic digit two
        ("110105194913310023", "身份证号中的出生日期 19491331 不存在"),
        ("110105194902300026", "身份证号中的出生日期 19490230 不存在"),
        ("110105190002290024", "身份证号中的出生日期 19000229 不存在"),  # 1900 is not a leap year
        ("110105000001010024", "身份证号中的出生日期 00000101 不存在"),
        ("110105203001010024", "身份证号中的出生日期 20300101 晚于今天"),
        ("110105194912310021", "校验位错误：应为 X"),
        ("110105199005171230", "校验位错误：应为 " + check_char("11010519900517123")),
    ],
)
def test_error_messages(text: str, message: str) -> None:
    result = validate_id_number(text, TODAY)
    assert result == IdCheck(ok=False, message=message, birth_date=None, gender=None)


def test_future_is_relative_to_today() -> None:
    number = make_id_number("110105", date(2025, 7, 1), 1)
    assert validate_id_number(number, date(2025, 6, 30)).message == "身份证号中的出生日期 20250701 晚于今天"
    assert validate_id_number(number, date(2025, 7, 1)).ok
    assert validate_id_number(number).ok  # default: the system date, which is after 2025-07-01


def test_leap_day_birth() -> None:
    number = make_id_number("110105", date(2000, 2, 29), 11)
    assert validate_id_number(number, TODAY).birth_date == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１１０１０５１９４９１２３１００２Ｘ", EXAMPLE),  # full-width digits and letter
        ("１１０１０５１９４９１２３１００２ｘ", EXAMPLE),  # full-width lowercase x
        ("11010519491231002x", EXAMPLE),
        ("  110105 19491231 002X\t", EXAMPLE),
        ("110105\u300019491231\u3000002X", EXAMPLE),  # ideographic spaces
        ("\u00a0110105194912310 02x\n", EXAMPLE),  # no-break space
        ("①10105", "①10105"),  # circled digits are not folded into digits
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize_id_number(text) == expected


def test_full_width_input_validates() -> None:
    assert validate_id_number("１１０１０５ １９４９１２３１ ００２ｘ", TODAY).ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EXAMPLE, "110105********002X"),
        ("11010519491231002x", "110105********002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "110105********002X"),
        ("110105491231002", "110105*****1002"),  # legacy 15-digit number
        ("12345", "*****"),
        ("11010519491231", "**************"),  # 14 characters: too short to reveal anything
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask(text: str, expected: str) -> None:
    assert mask_id_number(text) == expected


@given(st.text(max_size=30))
def test_mask_and_validate_never_crash(text: str) -> None:
    masked = mask_id_number(text)
    assert len(masked) == len(normalize_id_number(text))
    result = validate_id_number(text, TODAY)
    assert result.ok == (result.message == "")
    assert (result.birth_date is not None) == result.ok
