"""What a restored log lacks against a later copy of it. Pure functions, no I/O.

A log restored from a backup is trustworthy only as an earlier state of the log it came from: the same
entries, in the same order, and then nothing. So the restored log must be a prefix of the later copy; the
entries the later copy holds past that prefix are exactly the changes the restore lost.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from itertools import zip_longest

_ABSENT = object()  # what zip_longest fills in past the end of the shorter log


@dataclass(frozen=True)
class LogComparison:
    restored_size: int
    later_size: int
    # The first position at which the two logs hold different entries, or at which only the restored log
    # holds one; None when the restored log is a prefix of the later one.
    first_difference: int | None

    @property
    def is_prefix(self) -> bool:
        return self.first_difference is None

    @property
    def missing(self) -> range:
        """The positions of the later copy's entries the restored log lacks; none when it is no prefix, since
        then the two logs are different histories and no position means the same change in both."""
        return range(self.restored_size, self.later_size) if self.is_prefix else range(0)


def compare_logs(restored: Iterable[Hashable], later: Iterable[Hashable]) -> LogComparison:
    """Compare two logs entry by entry, reading each once (they may be streams of millions of leaves)."""
    restored_size = later_size = 0
    first_difference = None
    for position, (ours, theirs) in enumerate(zip_longest(restored, later, fillvalue=_ABSENT)):
        if theirs is not _ABSENT:
            later_size += 1
        if ours is _ABSENT:
            continue
        restored_size += 1
        if first_difference is None and ours != theirs:
            first_difference = position
    return LogComparison(restored_size, later_size, first_difference)
