"""The per-partner sliding window, on a clock the test moves."""

import pytest

from sabt.core.errors import TooManyRequests
from sabt.verification.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_partner_gets_its_rate_per_minute_and_is_told_when_to_come_back():
    clock = Clock()
    limiter = RateLimiter(clock)
    for _ in range(3):
        limiter.admit("bank", 3)
        clock.now += 10
    with pytest.raises(TooManyRequests) as refused:
        limiter.admit("bank", 3)
    assert refused.value.status == 429 and refused.value.params["seconds"] == 30  # the first leaves at 1060
    limiter.admit("pension", 3)  # each partner has its own window
    clock.now = 1060.0
    limiter.admit("bank", 3)


def test_a_refused_request_does_not_count():
    clock = Clock()
    limiter = RateLimiter(clock)
    limiter.admit("bank", 1)
    for _ in range(5):
        with pytest.raises(TooManyRequests):
            limiter.admit("bank", 1)
    clock.now += 60
    limiter.admit("bank", 1)


def test_each_of_several_server_processes_admits_its_share_rounded_up():
    limiter = RateLimiter(Clock(), processes=3)
    for _ in range(4):  # 10 a minute over 3 processes: 4 here
        limiter.admit("bank", 10)
    with pytest.raises(TooManyRequests):
        limiter.admit("bank", 10)
    limiter.admit("pension", 1)  # a limit below the number of processes still admits one in each
