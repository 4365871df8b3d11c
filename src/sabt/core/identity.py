"""Pure rules for answering agencies: comparing what they claim with the record, pseudonymous tokens per
partner, and who is old enough to vote."""

import base64
import datetime as dt
import hashlib
import hmac

from .text import normalize_name

VOTING_AGE = 18


def same_name(claimed: str, recorded: str) -> bool:
    """Equal after Persian normalization (Arabic ي/ك, diacritics, ZWNJ and spaces, digits)."""
    return normalize_name(claimed) == normalize_name(recorded)


def partner_token(secret: bytes, partner_code: str, national_code: str) -> str:
    """A token for one person that is stable for one partner and unrelated across partners (HMAC-SHA256
    keyed by the registry's secret), so two agencies cannot join their data on it."""
    digest = hmac.new(secret, f"{partner_code}\x00{national_code}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode("ascii").lower()


def birthday_years_after(birth: dt.date, years: int) -> dt.date:
    """The day someone born on `birth` turns `years`; 29 February birthdays fall on 1 March."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


def latest_birth_at_age(day: dt.date, years: int) -> dt.date:
    """The last birth date of anyone `years` old on `day` (a query bound; 29 February birthdays count from
    1 March, as in `birthday_years_after`)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return dt.date(day.year - years, 2, 28)


def latest_birth_to_vote(election_day: dt.date) -> dt.date:
    """The last birth date of anyone 18 on election day (a roll's query bound; `may_vote` decides)."""
    return latest_birth_at_age(election_day, VOTING_AGE)


def may_vote(*, born: dt.date, died_on: dt.date | None, election_day: dt.date) -> bool:
    """Alive on election day and at least 18 on it."""
    alive = died_on is None or died_on > election_day
    return alive and birthday_years_after(born, VOTING_AGE) <= election_day
