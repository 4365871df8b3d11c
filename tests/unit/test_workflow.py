import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.core.errors import Forbidden
from sabt.core.people import age_in_years, marriage_capacity_problem
from sabt.core.permissions import Action, Actor, Role, authorize
from sabt.core.workflow import EventStatus, next_status


def actor(role: Role, office: int | None = 1) -> Actor:
    return Actor(user_id=1, username="u", role=role, office_id=office)


def test_the_happy_path_is_declared_validated_registered():
    assert next_status(EventStatus.DECLARED, Action.VALIDATE) == EventStatus.VALIDATED
    assert next_status(EventStatus.VALIDATED, Action.REGISTER) == EventStatus.REGISTERED


def test_registration_cannot_skip_validation_and_is_final():
    assert next_status(EventStatus.DECLARED, Action.REGISTER) is None
    assert all(next_status(EventStatus.REGISTERED, action) is None for action in Action)


def test_rejected_events_can_only_be_resubmitted():
    allowed = {action for action in Action if next_status(EventStatus.REJECTED, action)}
    assert allowed == {Action.RESUBMIT}


def test_a_refusal_names_the_role_and_action_in_both_languages():
    with pytest.raises(Forbidden) as raised:
        authorize(actor(Role.CLERK), Action.VALIDATE)
    assert raised.value.message_en == "The role clerk may not validate."
    assert "متصدی" in raised.value.message_fa and "بررسی" in raised.value.message_fa


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2050, 1, 1)), st.integers(0, 100))
def test_age_increases_on_the_birthday(born, years):
    try:
        birthday = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year
        birthday = dt.date(born.year + years, 3, 1)
    assert age_in_years(born, birthday) == years
    assert age_in_years(born, birthday - dt.timedelta(days=1)) == years - 1


def test_marriage_capacity():
    assert marriage_capacity_problem(sex="female", active_marriages=0, court_permission=False, max_wives=4) is None
    assert (
        marriage_capacity_problem(sex="female", active_marriages=1, court_permission=True, max_wives=4)
        == "marriage.wife_married"
    )
    assert (
        marriage_capacity_problem(sex="male", active_marriages=1, court_permission=False, max_wives=4)
        == "marriage.needs_court_permission"
    )
    assert marriage_capacity_problem(sex="male", active_marriages=1, court_permission=True, max_wives=4) is None
    assert (
        marriage_capacity_problem(sex="male", active_marriages=4, court_permission=True, max_wives=4)
        == "marriage.limit"
    )
