from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.core.errors import ACTION_FA, Forbidden, Unauthorized
from sabt.core.permissions import OFFICE_ROLES, PERMISSIONS, STAFF_ROLES, Action, Actor, Role, Scope, authorize

OFFICES = st.integers(min_value=1, max_value=5)


def actor(role: Role, office: int | None = 1, *, stepped_up: bool = True) -> Actor:
    return Actor(
        user_id=1, username="u", role=role, office_id=office if role in OFFICE_ROLES else None, stepped_up=stepped_up
    )


def test_every_action_has_a_rule_and_a_persian_name():
    assert set(PERMISSIONS) == set(Action)
    assert all(action in ACTION_FA for action in Action)


def test_every_staff_role_may_read_and_a_citizen_only_their_own_record():
    assert PERMISSIONS[Action.READ].roles == STAFF_ROLES
    assert {action for action, rule in PERMISSIONS.items() if Role.CITIZEN in rule.roles} == {Action.OWN_RECORD}


def test_national_actions_are_for_national_roles_only():
    for action, rule in PERMISSIONS.items():
        if rule.scope == Scope.NATIONAL:
            assert not rule.roles & OFFICE_ROLES, action


@given(role=st.sampled_from(Role), action=st.sampled_from(Action), own=OFFICES, other=OFFICES)
def test_an_action_is_allowed_exactly_as_its_rule_says(role, action, own, other):
    rule = PERMISSIONS[action]
    expected = role in rule.roles and not (rule.scope == Scope.HOLDING_OFFICE and role in OFFICE_ROLES and own != other)
    try:
        authorize(actor(role, own), action, office_id=other)
    except Forbidden:
        assert not expected
    else:
        assert expected


@given(own=OFFICES, holders=st.frozensets(OFFICES, min_size=1, max_size=3))
def test_a_record_kept_by_several_offices_may_be_changed_by_any_of_them(own, holders):
    head = actor(Role.OFFICE_HEAD, own)
    if own in holders:
        authorize(head, Action.CORRECT, held_by=holders)
    else:
        with pytest.raises(Forbidden):
            authorize(head, Action.CORRECT, held_by=holders)


def allowed(who: Actor, action: Action, office: int) -> bool:
    try:
        authorize(who, action, office_id=office)
    except Forbidden:
        return False
    return True


def test_any_office_may_serve_a_citizen_who_walks_in():
    registrar = actor(Role.REGISTRAR, 1)
    walk_in = (Action.ISSUE_CERTIFICATE, Action.PRINT_CERTIFICATE, Action.CARD_DESK, Action.ENROL_CITIZEN)
    assert all(allowed(registrar, action, 2) for action in walk_in)
    assert not allowed(registrar, Action.REGISTER, 2)  # while another office's declaration is not its to register


def test_sensitive_steps_ask_for_a_recent_second_factor():
    sensitive = {action for action, rule in PERMISSIONS.items() if rule.step_up}
    assert {
        Action.CORRECT,
        Action.REVOKE_CERTIFICATE,
        Action.REVOKE_CARD,
        Action.MANAGE_USERS,
        Action.MANAGE_PARTNERS,
    } <= sensitive
    with pytest.raises(Unauthorized) as raised:
        authorize(actor(Role.OFFICE_HEAD, 1, stepped_up=False), Action.CORRECT, office_id=1)
    assert raised.value.code == "auth.step_up"
    authorize(actor(Role.OFFICE_HEAD, 1, stepped_up=False), Action.APPROVE_LATE, office_id=1)


def test_another_office_is_refused_before_the_second_factor_is_asked():
    with pytest.raises(Forbidden) as raised:
        authorize(actor(Role.OFFICE_HEAD, 1, stepped_up=False), Action.CORRECT, office_id=2)
    assert raised.value.code == "office.forbidden"


def test_the_table_in_the_security_document_is_the_table_in_the_code():
    order = [
        Role.CLERK,
        Role.REGISTRAR,
        Role.OFFICE_HEAD,
        Role.NATIONAL_ADMIN,
        Role.AUDITOR,
        Role.INVESTIGATOR,
        Role.CITIZEN,
    ]
    rows = [
        f"| `{action.value}` | "
        + " | ".join("✓" if role in rule.roles else "" for role in order)
        + f" | {rule.scope.value} | {'yes' if rule.step_up else ''} |"
        for action, rule in PERMISSIONS.items()
    ]
    document = (Path(__file__).parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    assert "\n".join(rows) in document


def test_a_record_no_office_holds_is_for_no_office_role():
    for role in (Role.CLERK, Role.REGISTRAR, Role.OFFICE_HEAD):
        with pytest.raises(Forbidden) as raised:
            authorize(actor(role, 1), Action.RESUBMIT, held_by=frozenset())
        assert raised.value.code == "office.forbidden"
    authorize(actor(Role.AUDITOR), Action.READ_OFFICE_WORK, held_by=frozenset())
    authorize(actor(Role.CLERK, 1), Action.READ, held_by=frozenset())  # reading is for any office
