"""Citizen ID numbers (公民身份号码, GB 11643-1999): normalising, validating, generating and masking.

Layout of the 18 characters: 6-digit area code, 8-digit birth date ``YYYYMMDD``, 3-digit sequence whose
parity gives the gender (odd = male), and a check character (ISO 7064 MOD 11-2). The roster workbook is
typed by hand, often with a Chinese input method, so input is normalised (full-width characters, lowercase
``x``, stray spaces) before validating, and every failure gets its own message so the clerk knows what to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "IdCheck",
    "check_char",
    "make_id_number",
    "mask_id_number",
    "normalize_id_number",
    "validate_id_number",
]

ID_LENGTH = 18
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Full-width ASCII block (！ … ～) maps onto printable ASCII by a fixed offset; U+3000 is the ideographic space.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WELL_FORMED = re.compile(r"\d{17}[\dX]")


def normalize_id_number(text: str) -> str:
    """Canonical form: half-width, upper-case ``X``, no whitespace anywhere.

    Only the full-width ASCII block is folded (not NFKC), so look-alikes such as ``①`` stay invalid instead
    of silently becoming digits.
    """
    half = (text or "").translate(_FULLWIDTH)
    return "".join(half.split()).replace("x", "X")


def check_char(first17: str) -> str:
    """The check character for the first 17 digits (weights 7, 9, 10, … mod 11 → ``"10X98765432"``)."""
    if len(first17) != ID_LENGTH - 1 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"计算校验位需要 17 位数字，收到 {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdCheck:
    """Outcome of :func:`validate_id_number`.

    ``message`` is empty when ``ok``; ``birth_date`` and ``gender`` (``"male"``/``"female"``) are only filled
    in for a valid number, so callers never copy data out of a number that failed its check.
    """

    ok: bool
    message: str = ""
    birth_date: date | None = None
    gender: str | None = None


def _fail(message: str) -> IdCheck:
    return IdCheck(ok=False, message=message)


def _bad_char_message(number: str) -> str:
    for position, char in enumerate(number, start=1):
        allowed = char.isascii() and (char.isdigit() or (position == ID_LENGTH and char == "X"))
        if not allowed:
            expected = "数字或 X" if position == ID_LENGTH else "数字"
            return f"身份证号第 {position} 位“{char}”不合法：应为{expected}"
    return "身份证号含有非法字符"  # pragma: no cover - only reached if the regex and the loop disagree


def validate_id_number(text: str, today: date | None = None) -> IdCheck:
    """Check an ID number after normalising it; the first problem found is reported.

    Order of checks: empty, length, characters, birth date exists, birth date not after ``today``
    (defaults to the system date; pass it explicitly in rules and tests), check character.
    """
    number = normalize_id_number(text)
    if not number:
        return _fail("未填写身份证号")
    if len(number) != ID_LENGTH:
        return _fail(f"身份证号应为 {ID_LENGTH} 位，实为 {len(number)} 位")
    if not _WELL_FORMED.fullmatch(number) or not number.isascii():
        return _fail(_bad_char_message(number))
    birth_text = number[6:14]
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        return _fail(f"身份证号中的出生日期 {birth_text} 不存在")
    if birth > (today or date.today()):
        return _fail(f"身份证号中的出生日期 {birth_text} 晚于今天")
    expected = check_char(number[:17])
    if number[17] != expected:
        return _fail(f"校验位错误：应为 {expected}")
    gender = "male" if int(number[16]) % 2 == 1 else "female"
    return IdCheck(ok=True, birth_date=birth, gender=gender)


def make_id_number(area: str, birth: date, seq: int) -> str:
    """A valid ID number for ``area`` (6 digits), ``birth`` and sequence ``seq`` (0..999; odd = male).

    Meant for the demo-data generator, so it refuses bad input rather than producing an invalid number.
    """
    if len(area) != 6 or not area.isascii() or not area.isdigit():
        raise ValueError(f"地区码应为 6 位数字，收到 {area!r}")
    if not 0 <= seq <= 999:
        raise ValueError(f"顺序码应在 0–999 之间，收到 {seq}")
    if birth.year < 1000:
        raise ValueError(f"出生年份应为 4 位，收到 {birth.year}")
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mask_id_number(text: str) -> str:
    """Hide the middle of an ID number for display: first 6 and last 4 kept (``110105********002X``).

    Input is normalised first. Anything shorter than 15 characters (the legacy 15-digit length) is masked
    completely, since keeping 10 characters of it would reveal most of it; empty input stays empty.
    """
    number = normalize_id_number(text)
    if len(number) < 15:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def looks_like_id_number(text: str) -> bool:
    """True when ``text`` normalises to the 18-character shape of an ID number (17 digits, then a digit or X):
    what a search box treats as an ID number to match exactly rather than as part of a name."""
    return bool(_WELL_FORMED.fullmatch(normalize_id_number(text)))
