"""What a restored log lacks: exactly the later copy's entries past it, and only when it is a prefix."""

from hypothesis import given
from hypothesis import strategies as st

from sabt.core.recovery import compare_logs

logs = st.lists(st.integers(min_value=0, max_value=3), max_size=30)


@given(logs, logs)
def test_a_prefix_lacks_exactly_the_later_entries(restored, added):
    comparison = compare_logs(restored, restored + added)
    assert comparison.is_prefix
    assert (comparison.restored_size, comparison.later_size) == (len(restored), len(restored) + len(added))
    assert list(comparison.missing) == list(range(len(restored), len(restored) + len(added)))


@given(logs, logs)
def test_the_first_difference_is_the_first_position_where_the_restored_log_departs(restored, later):
    comparison = compare_logs(restored, later)
    departs = [i for i, entry in enumerate(restored) if i >= len(later) or later[i] != entry]
    assert comparison.first_difference == (departs[0] if departs else None)
    assert (comparison.restored_size, comparison.later_size) == (len(restored), len(later))


@given(logs, st.integers(min_value=0, max_value=29), st.integers(min_value=4, max_value=9))
def test_a_changed_entry_is_no_prefix_and_nothing_is_counted_missing(log, position, other):
    changed = [other if i == position else entry for i, entry in enumerate(log)]
    comparison = compare_logs(log, [*changed, 1, 2])
    if position < len(log):
        assert comparison.first_difference == position
        assert not comparison.is_prefix and list(comparison.missing) == []
    else:
        assert comparison.is_prefix and list(comparison.missing) == [len(log), len(log) + 1]


def test_a_restored_log_longer_than_the_later_copy_is_no_prefix():
    comparison = compare_logs([1, 2, 3], [1, 2])
    assert comparison.first_difference == 2 and list(comparison.missing) == []


def test_each_log_is_read_once_so_streams_will_do():
    comparison = compare_logs(iter([1, 2]), iter([1, 2, 3, 4]))
    assert comparison.is_prefix and list(comparison.missing) == [2, 3]


def test_two_empty_logs_lack_nothing():
    comparison = compare_logs([], [])
    assert comparison.is_prefix and (comparison.restored_size, comparison.later_size) == (0, 0)
