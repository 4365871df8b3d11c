"""When a sign-in is refused before its password is looked at: an account locked after repeated failures, an
address throttled after many; and when a session's second factor is recent enough for a sensitive step.

Counting by the name typed, not by the account it names, keeps a lock-out from telling whether an account
exists: a name nobody has is locked after as many failures as a real one.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

ACCOUNT_FAILURES = 5  # failed sign-ins on one name, since its last success, lock it
ADDRESS_FAILURES = 20  # failed sign-ins from one address within the window throttle it
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)

FAILED = frozenset({"failed_password", "failed_factor"})
# What starts the count of failures again: a full sign-in, a lock (its own period follows), an unlock.
RESETS = frozenset({"signed_in", "locked", "unlocked"})


@dataclass(frozen=True)
class Happened:
    kind: str
    at: dt.datetime


@dataclass(frozen=True)
class AccountState:
    failures: int  # since the last reset, within the window
    locked_until: dt.datetime | None


def account_state(history: Sequence[Happened], now: dt.datetime) -> AccountState:
    """The state of a name from what happened to it lately (any order)."""
    locked_until = None
    failures = 0
    for event in sorted(history, key=lambda event: event.at, reverse=True):
        if event.at > now:
            continue
        if event.kind in RESETS:
            if event.kind == "locked" and event.at + LOCK > now:
                locked_until = event.at + LOCK
            break
        if event.kind in FAILED and event.at > now - WINDOW:
            failures += 1
    return AccountState(failures, locked_until)


def locks_now(state: AccountState) -> bool:
    """Whether one more failure locks the name."""
    return state.locked_until is None and state.failures + 1 >= ACCOUNT_FAILURES


def address_retry_after(failures_at: Sequence[dt.datetime], now: dt.datetime) -> int | None:
    """Seconds until an address may try again, or None when it may now."""
    recent = sorted(at for at in failures_at if now - WINDOW < at <= now)
    if len(recent) < ADDRESS_FAILURES:
        return None
    # The address may try again once enough of its failures have left the window.
    frees_at = recent[len(recent) - ADDRESS_FAILURES] + WINDOW
    return seconds_until(frees_at, now)


def seconds_until(moment: dt.datetime, now: dt.datetime) -> int:
    return max(1, int((moment - now).total_seconds() + 0.999))


def is_recent(factor_at: dt.datetime | None, now: dt.datetime, window: dt.timedelta) -> bool:
    """Whether a second factor given at `factor_at` still counts for a step-up at `now`."""
    return factor_at is not None and now - window <= factor_at <= now
