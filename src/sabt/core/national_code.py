"""The Iranian national code (کد ملی): ten digits, the last a mod-11 check digit.

With digits d1..d9, s = Σ di·(11−i); r = s mod 11; the check digit is r when r < 2, else 11 − r.
Codes of ten identical digits are invalid. The first three digits name the issuing place.
"""

from .text import to_ascii_digits

SERIAL_LIMIT = 1_000_000  # digits 4..9: six digits of serial under each 3-digit prefix


def check_digit(first_nine: str) -> int:
    """The check digit for the first nine digits of a national code."""
    total = sum(int(digit) * (10 - position) for position, digit in enumerate(first_nine))
    remainder = total % 11
    return remainder if remainder < 2 else 11 - remainder


def national_code_problem(code: str) -> str | None:
    """Why `code` (already in ASCII digits) is not a valid national code, or None when it is valid."""
    if len(code) != 10:
        return "length"
    if not code.isascii() or not code.isdigit():
        return "not_digits"
    if len(set(code)) == 1:
        return "repeated_digit"
    if check_digit(code[:9]) != int(code[9]):
        return "check_digit"
    return None


def normalize_national_code(text: str) -> str:
    """Accept Persian or Arabic-Indic digits and surrounding spaces or dashes; return ASCII digits."""
    cleaned = to_ascii_digits(text).strip().replace("-", "").replace(" ", "")
    # Codes are often written without their leading zeros (e.g. in spreadsheets).
    if cleaned.isascii() and cleaned.isdigit() and 8 <= len(cleaned) < 10:
        cleaned = cleaned.zfill(10)
    return cleaned


def compose_national_code(prefix: str, serial: int) -> str:
    """The national code with the given 3-digit place prefix and 6-digit serial."""
    if len(prefix) != 3 or not prefix.isdigit():
        raise ValueError(f"prefix must be three digits, not {prefix!r}")
    if not 0 <= serial < SERIAL_LIMIT:
        raise ValueError(f"serial must be in [0, {SERIAL_LIMIT}), not {serial}")
    first_nine = f"{prefix}{serial:06d}"
    return f"{first_nine}{check_digit(first_nine)}"
