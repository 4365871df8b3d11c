import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sabt.core.sign_in import (
    ACCOUNT_FAILURES,
    ADDRESS_FAILURES,
    LOCK,
    WINDOW,
    AccountState,
    Happened,
    account_state,
    address_retry_after,
    is_recent,
    locks_now,
)

NOW = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def failures(count: int, *, start: dt.datetime = NOW - 10 * MINUTE) -> list[Happened]:
    return [Happened("failed_password", start + index * dt.timedelta(seconds=5)) for index in range(count)]


def test_the_failure_that_reaches_the_limit_locks_the_name():
    state = account_state(failures(ACCOUNT_FAILURES - 1), NOW)
    assert state == AccountState(ACCOUNT_FAILURES - 1, None) and locks_now(state)
    assert not locks_now(account_state(failures(ACCOUNT_FAILURES - 2), NOW))


def test_a_lock_lasts_its_period_and_then_the_count_starts_again():
    locked_at = NOW - 5 * MINUTE
    history = [*failures(ACCOUNT_FAILURES, start=locked_at - MINUTE), Happened("locked", locked_at)]
    assert account_state(history, NOW).locked_until == locked_at + LOCK
    later = account_state(history, locked_at + LOCK + MINUTE)
    assert later == AccountState(0, None)


def test_an_unlock_or_a_sign_in_starts_the_count_again():
    for reset in ("unlocked", "signed_in"):
        history = [*failures(3), Happened(reset, NOW - MINUTE)]
        assert account_state(history, NOW) == AccountState(0, None)


def test_an_unlock_ends_a_lock():
    history = [Happened("locked", NOW - 2 * MINUTE), Happened("unlocked", NOW - MINUTE)]
    assert account_state(history, NOW).locked_until is None


@given(st.lists(st.integers(min_value=0, max_value=3000), max_size=40))
def test_only_failures_within_the_window_count(seconds_ago):
    history = [Happened("failed_factor", NOW - dt.timedelta(seconds=s)) for s in seconds_ago]
    expected = sum(1 for s in seconds_ago if dt.timedelta(seconds=s) < WINDOW)
    assert account_state(history, NOW).failures == expected


@given(st.lists(st.integers(min_value=0, max_value=1800), max_size=60))
def test_an_address_waits_until_enough_failures_leave_the_window(seconds_ago):
    moments = [NOW - dt.timedelta(seconds=s) for s in seconds_ago]
    retry = address_retry_after(moments, NOW)
    recent = [m for m in moments if m > NOW - WINDOW]
    if len(recent) < ADDRESS_FAILURES:
        assert retry is None
    else:
        assert retry is not None and 1 <= retry <= WINDOW.total_seconds()
        later = NOW + dt.timedelta(seconds=retry)
        assert address_retry_after(moments, later) is None


def test_a_second_factor_counts_for_a_step_up_for_its_window_only():
    window = 5 * MINUTE
    assert is_recent(NOW - 4 * MINUTE, NOW, window)
    assert not is_recent(NOW - 6 * MINUTE, NOW, window)
    assert not is_recent(None, NOW, window)
