"""Serials of certificates and smart cards: a letter for what it is, nine digits and a check character.

The check character is Luhn mod 36 over the letter and the digits, so a clerk who mistypes one character,
or swaps two neighbours, gets "wrong check character" instead of someone else's certificate.
"""

from collections.abc import Collection

from .text import to_ascii_digits

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
KIND_LETTERS = {"birth": "B", "death": "D", "marriage": "M", "divorce": "T", "extract": "E"}
DIGITS = 9
SERIAL_LENGTH = 1 + DIGITS + 1
NUMBER_LIMIT = 10**DIGITS


def _luhn_sum(text: str, *, double_first: bool) -> int:
    """Luhn mod N: from the right, every other character's value doubled and its base-N digits added."""
    total, double = 0, double_first
    for char in reversed(text):
        value = ALPHABET.index(char) * (2 if double else 1)
        total += value // len(ALPHABET) + value % len(ALPHABET)
        double = not double
    return total


def check_character(payload: str) -> str:
    return ALPHABET[-_luhn_sum(payload, double_first=True) % len(ALPHABET)]


def compose_serial(kind: str, number: int) -> str:
    return compose_lettered(KIND_LETTERS[kind], number)


def compose_lettered(letter: str, number: int) -> str:
    """A letter, the number in nine digits, and the check character (certificates and smart cards)."""
    if not 0 < number < NUMBER_LIMIT:
        raise ValueError(f"serial number {number} out of range")
    payload = f"{letter}{number:0{DIGITS}d}"
    return payload + check_character(payload)


def normalize_serial(text: str) -> str:
    """Upper case, ASCII digits, without the spaces and hyphens people type between groups."""
    return to_ascii_digits(text).upper().replace("-", "").replace(" ", "").strip()


def serial_problem(serial: str, letters: Collection[str] = tuple(KIND_LETTERS.values())) -> str | None:
    """None for a well-formed serial with one of `letters`, else "format" or "check" (the check character
    is wrong)."""
    if (
        len(serial) != SERIAL_LENGTH
        or serial[0] not in letters
        or not serial[1:-1].isascii()
        or not serial[1:-1].isdigit()
        or serial[-1] not in ALPHABET
    ):
        return "format"
    return None if _luhn_sum(serial, double_first=False) % len(ALPHABET) == 0 else "check"


def serial_kind(serial: str) -> str:
    return next(kind for kind, letter in KIND_LETTERS.items() if letter == serial[0])
