"""Per-partner request limits: a sliding one-minute window per partner, kept in the server process.

With several server processes each admits its share of the limit (rounded up), as the processes share the
partners' connections; docs/integration.md says so. A shared store (PostgreSQL or Redis) would count exactly,
at the price of a write per request."""

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from .errors import RateLimited

WINDOW_SECONDS = 60.0


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic, *, processes: int = 1) -> None:
        self.clock, self.processes = clock, processes
        self.recent: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def admit(self, partner: str, per_minute: int) -> None:
        """Count one request, or raise TooManyRequests with the seconds until one more is allowed."""
        now = self.clock()
        share = math.ceil(per_minute / self.processes)
        with self.lock:
            times = self.recent.setdefault(partner, deque())
            while times and times[0] <= now - WINDOW_SECONDS:
                times.popleft()
            if len(times) >= share:
                wait = max(1, math.ceil(times[0] + WINDOW_SECONDS - now))
                raise RateLimited(seconds=wait)
            times.append(now)
