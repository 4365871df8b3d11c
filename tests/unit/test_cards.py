"""The card lifecycle and what a card's status tells the world."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.core.cards import (
    PENDING,
    TRANSITIONS,
    CardStatus,
    CardStep,
    card_serial_problem,
    chip_id_problem,
    compose_card_serial,
    eligible_from,
    is_revocation,
    next_card_status,
    public_reason,
    public_status,
)
from sabt.core.serials import ALPHABET

TODAY = dt.date(2025, 6, 1)
numbers = st.integers(min_value=1, max_value=10**9 - 1)


def test_the_happy_path_runs_from_application_to_an_active_card():
    status = CardStatus.APPLIED
    for step in (CardStep.ENROL, CardStep.BATCH, CardStep.PRODUCE, CardStep.ISSUE):
        status = next_card_status(status, step)
    assert status == CardStatus.ACTIVE


@pytest.mark.parametrize("status", [CardStatus.APPLIED, CardStatus.ENROLLED, CardStatus.IN_PRODUCTION])
def test_a_card_never_produced_cannot_be_handed_over(status):
    assert next_card_status(status, CardStep.ISSUE) is None


@pytest.mark.parametrize(
    "status", [CardStatus.LOST, CardStatus.STOLEN, CardStatus.DAMAGED, CardStatus.REPLACED, CardStatus.REVOKED]
)
def test_an_ended_card_takes_no_further_step(status):
    assert all(next_card_status(status, step) is None for step in CardStep)


def test_only_an_active_card_is_replaced_or_reported_damaged():
    sources = {source for (source, step) in TRANSITIONS if step in {CardStep.REPLACE, CardStep.REPORT_DAMAGED}}
    assert sources == {CardStatus.ACTIVE}


@given(st.sampled_from(list(CardStatus)), st.sampled_from(list(CardStep)))
def test_a_card_goes_on_the_revocation_list_only_when_it_exists_and_leaves_use(status, step):
    after = next_card_status(status, step)
    if after is None:
        return
    listed = is_revocation(status, after)
    assert listed == (status in {CardStatus.READY, CardStatus.ACTIVE} and after != CardStatus.ACTIVE)
    if status in {CardStatus.APPLIED, CardStatus.ENROLLED, CardStatus.IN_PRODUCTION}:
        assert not listed  # nothing was made that anyone could present


def test_eligibility_starts_on_the_fifteenth_birthday():
    assert eligible_from(dt.date(2010, 6, 1)) == dt.date(2025, 6, 1)
    assert eligible_from(dt.date(2008, 2, 29)) == dt.date(2023, 3, 1)


def test_the_public_sees_active_expired_revoked_or_unknown_and_never_why_a_holder_lost_it():
    assert public_status(CardStatus.ACTIVE, TODAY + dt.timedelta(days=1), TODAY) == "active"
    assert public_status(CardStatus.ACTIVE, TODAY, TODAY) == "expired"
    assert all(public_status(status, None, TODAY) == "unknown" for status in PENDING)
    assert public_status(CardStatus.STOLEN, TODAY, TODAY) == "revoked"
    assert [public_reason(r) for r in ("lost: on the bus", "stolen", "replaced", "deceased", "fraud: case 12")] == [
        "lost",
        "stolen",
        "replaced",
        "revoked",
        "revoked",
    ]


@given(numbers)
def test_a_composed_card_serial_is_well_formed(number):
    serial = compose_card_serial(number)
    assert card_serial_problem(serial) is None and int(serial[1:-1]) == number


@given(numbers, st.integers(min_value=0, max_value=10), st.sampled_from(ALPHABET))
def test_any_single_mistyped_character_of_a_card_serial_is_caught(number, position, replacement):
    serial = compose_card_serial(number)
    changed = serial[:position] + replacement + serial[position + 1 :]
    if changed != serial:
        assert card_serial_problem(changed) is not None


def test_certificate_serials_and_junk_are_not_card_serials():
    assert card_serial_problem("B0000000019") == "format"
    assert card_serial_problem("N12345") == "format"
    assert card_serial_problem("N١٢٣٤٥٦٧٨٩X") == "format"


def test_chip_ids_are_4_7_or_10_byte_uids_in_hex():
    assert chip_id_problem("04A1B2C3D4E5F6") is None and chip_id_problem("DEADBEEF") is None
    assert chip_id_problem("04a1b2") == "format" and chip_id_problem("XYZ12345") == "format"
