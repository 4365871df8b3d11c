"""The registry's use cases, called as the API and CLI call them, on both databases."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from sabt.core.errors import Conflict, Forbidden, InvalidInput
from sabt.core.national_code import national_code_problem
from sabt.registry import service
from sabt.registry import service as persons
from sabt.registry.events.models import Event
from sabt.registry.persons.models import Person
from sabt.registry.schemas import PersonCorrection

from .factories import (
    BirthDeclaration,
    DeathDeclaration,
    DivorceDeclaration,
    MarriageDeclaration,
    adult,
    birth,
    death,
    divorce,
    marriage,
    register,
)


def count(ctx, model):
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_registered_birth_creates_a_person_with_a_new_national_code(ctx, staff):
    event = register(ctx, staff, BirthDeclaration(**birth(first_name="علي", last_name="كاظمی", sex="male")))
    assert event.status == "registered"
    code = event.subject_national_code
    assert national_code_problem(code) is None
    assert code[:3] == "001"  # the Tehran office's prefix
    person = persons.get_person(ctx, actor=staff["auditor"], national_code=code)
    assert (person.first_name, person.last_name) == ("علی", "کاظمی")  # normalized
    assert (person.first_name_typed, person.last_name_typed) == ("علي", "كاظمی")  # as typed
    assert person.birth_date.jalali == "1404/03/04"
    assert person.birth_county_name_fa == "تهران"
    assert person.alive and person.revision == 1


def test_the_event_history_records_every_step_and_actor(ctx, staff):
    event = register(ctx, staff, BirthDeclaration(**birth()))
    steps = service.event_history(ctx, actor=staff["auditor"], event_id=event.id)
    assert [(step.action, step.status, step.actor) for step in steps] == [
        ("declare", "declared", "clerk"),
        ("validate", "validated", "registrar"),
        ("register", "registered", "registrar"),
    ]
    assert steps[0].data["first_name"] == "سارا"


def test_each_birth_of_twins_gets_its_own_record_and_code(ctx, staff):
    first = register(ctx, staff, BirthDeclaration(**birth(first_name="حسن", sex="male", birth_order=1)))
    second = register(
        ctx, staff, BirthDeclaration(**birth(first_name="حسین", sex="male", birth_order=2, birth_time="10:34"))
    )
    assert first.subject_national_code != second.subject_national_code


def test_parents_in_the_registry_are_linked_and_see_their_child(ctx, staff):
    father, mother = adult(ctx, staff, "male"), adult(ctx, staff, "female")
    child = register(
        ctx, staff, BirthDeclaration(**birth(father={"national_code": father}, mother={"national_code": mother}))
    )
    record = persons.get_person(ctx, actor=staff["clerk"], national_code=child.subject_national_code)
    assert record.father.national_code == father and record.mother.national_code == mother
    mothers_record = persons.get_person(ctx, actor=staff["clerk"], national_code=mother)
    assert [c.national_code for c in mothers_record.children] == [child.subject_national_code]


def test_a_late_birth_needs_the_office_heads_approval(ctx, staff):
    event = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(birth_date="2025-04-01")))
    assert event.late and event.days_late > 0 and event.deadline is not None
    service.validate_event(ctx, actor=staff["registrar"], event_id=event.id)
    with pytest.raises(Conflict) as refused:
        service.register_event(ctx, actor=staff["registrar"], event_id=event.id)
    assert refused.value.code == "event.late_unapproved"
    with pytest.raises(Forbidden):
        service.approve_late(ctx, actor=staff["registrar"], event_id=event.id)
    service.approve_late(ctx, actor=staff["head"], event_id=event.id, note="hospital records checked")
    assert service.register_event(ctx, actor=staff["registrar"], event_id=event.id).status == "registered"


def test_an_on_time_birth_needs_no_approval(ctx, staff):
    event = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
    assert not event.late
    with pytest.raises(Conflict) as refused:
        service.approve_late(ctx, actor=staff["head"], event_id=event.id)
    assert refused.value.code == "event.not_late"


def test_a_rejected_declaration_is_resubmitted_as_a_new_revision(ctx, staff):
    event = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(first_name="سار")))
    rejected = service.reject_event(ctx, actor=staff["registrar"], event_id=event.id, reason="name misspelt")
    assert rejected.status == "rejected" and rejected.rejection_reason == "name misspelt"
    with pytest.raises(Conflict):
        service.validate_event(ctx, actor=staff["registrar"], event_id=event.id)
    again = service.resubmit(
        ctx, actor=staff["clerk"], event_id=event.id, declaration=BirthDeclaration(**birth(first_name="سارا"))
    )
    assert (again.status, again.revision, again.data["first_name"]) == ("declared", 2, "سارا")
    steps = service.event_history(ctx, actor=staff["auditor"], event_id=event.id)
    assert [step.data["first_name"] for step in steps if step.data] == ["سار", "سارا"]


def test_a_death_marks_the_person_deceased_and_ends_their_marriages(ctx, staff):
    husband, wife = adult(ctx, staff, "male"), adult(ctx, staff, "female")
    register(ctx, staff, MarriageDeclaration(**marriage(husband, wife)))
    register(ctx, staff, DeathDeclaration(**death(husband)))
    record = persons.get_person(ctx, actor=staff["auditor"], national_code=husband)
    assert not record.alive and record.died_on.gregorian == dt.date(2025, 5, 28)
    widow = persons.get_person(ctx, actor=staff["auditor"], national_code=wife)
    assert widow.marriages[0].end_reason == "death"
    history = persons.person_history(ctx, actor=staff["auditor"], national_code=husband)
    assert [revision.reason for revision in history] == ["birth registered", "death registered"]
    assert history[0].snapshot["died_on"] is None and history[1].snapshot["died_on"] == "2025-05-28"


def test_marriage_and_divorce_appear_on_both_records(ctx, staff):
    husband, wife = adult(ctx, staff, "male"), adult(ctx, staff, "female")
    register(ctx, staff, MarriageDeclaration(**marriage(husband, wife)))
    for code, spouse in ((husband, wife), (wife, husband)):
        record = persons.get_person(ctx, actor=staff["auditor"], national_code=code)
        assert [(m.spouse_national_code, m.ended_on) for m in record.marriages] == [(spouse, None)]
    register(ctx, staff, DivorceDeclaration(**divorce(husband, wife)))
    for code in (husband, wife):
        record = persons.get_person(ctx, actor=staff["auditor"], national_code=code)
        assert record.marriages[0].end_reason == "divorce"
        assert record.marriages[0].ended_on.jalali == "1404/03/09"


def test_a_man_may_marry_again_with_a_court_permission(ctx, staff):
    husband, first, second = adult(ctx, staff, "male"), adult(ctx, staff, "female"), adult(ctx, staff, "female")
    register(ctx, staff, MarriageDeclaration(**marriage(husband, first)))
    event = register(ctx, staff, MarriageDeclaration(**marriage(husband, second, court_permission="court 14/3321")))
    assert event.status == "registered"


def test_a_widow_may_marry_again(ctx, staff):
    husband, wife, other = adult(ctx, staff, "male"), adult(ctx, staff, "female"), adult(ctx, staff, "male")
    register(ctx, staff, MarriageDeclaration(**marriage(husband, wife, marriage_date="2020-01-01")))
    register(ctx, staff, DeathDeclaration(**death(husband, death_date="2025-01-01")))
    assert register(ctx, staff, MarriageDeclaration(**marriage(other, wife))).status == "registered"


def test_a_correction_is_a_new_revision_and_history_keeps_the_old_one(ctx, staff):
    code = adult(ctx, staff, "female", first_name="زهره")
    corrected = service.correct_person(
        ctx,
        actor=staff["head"],
        national_code=code,
        correction=PersonCorrection(reason="commission decision 1404/112", first_name="زهرا", birth_date="1368/12/10"),
    )
    assert (corrected.first_name, corrected.revision, corrected.birth_date.jalali) == ("زهرا", 2, "1368/12/10")
    history = persons.person_history(ctx, actor=staff["auditor"], national_code=code)
    assert [(r.revision, r.snapshot["first_name"], r.actor) for r in history] == [
        (1, "زهره", "registrar"),
        (2, "زهرا", "head"),
    ]
    assert history[1].reason == "commission decision 1404/112"


def test_only_an_office_head_corrects_and_a_correction_must_change_something(ctx, staff):
    code = adult(ctx, staff, "female", first_name="زهره")
    with pytest.raises(Forbidden):
        service.correct_person(
            ctx,
            actor=staff["registrar"],
            national_code=code,
            correction=PersonCorrection(reason="typo fix", first_name="زهرا"),
        )
    with pytest.raises(InvalidInput) as refused:
        service.correct_person(
            ctx,
            actor=staff["head"],
            national_code=code,
            correction=PersonCorrection(reason="typo fix", first_name="زهره"),
        )
    assert refused.value.code == "person.no_correction"


def test_search_by_normalized_name_birth_year_and_fathers_name(ctx, staff):
    adult(ctx, staff, "male", year=1990, first_name="علی", father={"first_name": "حسن", "last_name": "رضایی"})
    adult(ctx, staff, "male", year=1991, first_name="علی", father={"first_name": "رضا", "last_name": "رضایی"})
    found = persons.search_persons(ctx, actor=staff["clerk"], name="علي", last_name="رضايی")
    assert len(found) == 2
    assert len(persons.search_persons(ctx, actor=staff["clerk"], name="علی", birth_year=1990)) == 1
    assert len(persons.search_persons(ctx, actor=staff["clerk"], name="علی", birth_year=1368)) == 1  # Jalali
    only = persons.search_persons(ctx, actor=staff["clerk"], name="علی", father_name="رضا")
    assert [p.birth_date.gregorian.year for p in only] == [1991]


def test_staff_of_another_office_cannot_move_this_offices_events(ctx, staff):
    event = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
    with pytest.raises(Forbidden) as refused:
        service.validate_event(ctx, actor=staff["isf_registrar"], event_id=event.id)
    assert refused.value.code == "office.forbidden"


def test_the_work_queue_lists_an_offices_pending_events(ctx, staff):
    service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
    assert len(service.list_events(ctx, actor=staff["registrar"], status="declared")) == 1
    assert service.list_events(ctx, actor=staff["isf_registrar"], status="declared") == []


def test_the_queues_page_through_an_office_s_work_and_count_each_queue(ctx, staff):
    declared = [
        service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(first_name=name)))
        for name in ("آوا", "سارا", "مینا")
    ]
    late = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(birth_date="2025-01-01")))
    service.validate_event(ctx, actor=staff["registrar"], event_id=late.id)
    first, second = (
        service.list_events(ctx, actor=staff["registrar"], status="declared", limit=2, offset=offset)
        for offset in (0, 2)
    )
    assert [e.id for e in first + second] == [e.id for e in declared]  # oldest first, page after page
    waiting = service.list_events(ctx, actor=staff["head"], late_unapproved=True)
    assert [e.id for e in waiting] == [late.id]
    counts = service.queue_counts(ctx, actor=staff["registrar"])
    assert (counts.declared, counts.validated, counts.late_unapproved, counts.rejected) == (3, 1, 1, 0)
    assert service.queue_counts(ctx, actor=staff["isf_registrar"]).declared == 0


def test_a_pending_event_is_taken_as_one_s_own_work_and_handed_back(ctx, staff):
    event = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
    assert service.assign_event(ctx, actor=staff["registrar"], event_id=event.id).assigned_to == "registrar"
    assert service.get_event(ctx, actor=staff["clerk"], event_id=event.id).assigned_to == "registrar"
    assert [e.id for e in service.list_events(ctx, actor=staff["registrar"], mine=True)] == [event.id]
    assert service.list_events(ctx, actor=staff["clerk"], mine=True) == []
    assert service.queue_counts(ctx, actor=staff["registrar"]).mine == 1
    with pytest.raises(Conflict) as taken:  # a colleague cannot take it from its holder, nor hand it back
        service.assign_event(ctx, actor=staff["clerk"], event_id=event.id)
    assert taken.value.code == "event.assigned" and "registrar" in taken.value.message_fa
    with pytest.raises(Conflict):
        service.release_event(ctx, actor=staff["clerk"], event_id=event.id)
    with pytest.raises(Forbidden):  # nor can another office
        service.assign_event(ctx, actor=staff["isf_registrar"], event_id=event.id)
    assert service.assign_event(ctx, actor=staff["head"], event_id=event.id).assigned_to == "head"  # shares work
    with pytest.raises(Conflict) as held:  # a step on it is its holder's to take
        service.validate_event(ctx, actor=staff["registrar"], event_id=event.id)
    assert held.value.code == "event.assigned" and "head" in held.value.message_fa
    assert service.release_event(ctx, actor=staff["head"], event_id=event.id).assigned_to is None
    service.assign_event(ctx, actor=staff["registrar"], event_id=event.id)
    service.validate_event(ctx, actor=staff["registrar"], event_id=event.id)
    registered = service.register_event(ctx, actor=staff["registrar"], event_id=event.id)
    assert registered.assigned_to is None  # done: it is nobody's work any more
    for hold in (service.assign_event, service.release_event):
        with pytest.raises(Conflict) as finished:
            hold(ctx, actor=staff["registrar"], event_id=event.id)
        assert finished.value.code == "event.transition"


def test_a_failure_while_registering_leaves_nothing_half_written(ctx, staff):
    """If the last step of a registration fails (here: the prefix has no codes left), the event stays
    validated, no person exists, and no history step or code was recorded."""
    from sabt.core.national_code import SERIAL_LIMIT
    from sabt.registry.events.models import EventHistory
    from sabt.registry.national_codes.models import IssuedNationalCode, NationalCodeCounter

    event = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
    service.validate_event(ctx, actor=staff["registrar"], event_id=event.id)
    with ctx.db.transaction() as session:
        session.merge(NationalCodeCounter(prefix="001", next_serial=SERIAL_LIMIT))
    with pytest.raises(Conflict) as refused:
        service.register_event(ctx, actor=staff["registrar"], event_id=event.id)
    assert refused.value.code == "national_code.exhausted"
    assert service.get_event(ctx, actor=staff["auditor"], event_id=event.id).status == "validated"
    assert (count(ctx, Person), count(ctx, EventHistory), count(ctx, IssuedNationalCode)) == (0, 2, 0)


def test_a_serial_already_taken_by_an_imported_code_is_skipped(ctx, staff):
    from sabt.core.national_code import compose_national_code
    from sabt.registry.national_codes.models import IssuedNationalCode

    taken = compose_national_code("001", 0)
    with ctx.db.transaction() as session:
        session.add(IssuedNationalCode(code=taken, source="imported", issued_at=ctx.now()))
    event = register(ctx, staff, BirthDeclaration(**birth()))
    assert event.subject_national_code == compose_national_code("001", 1)
    assert service.next_national_code(ctx, prefix="001") == compose_national_code("001", 2)


def test_events_are_counted_once(ctx, staff):
    register(ctx, staff, BirthDeclaration(**birth()))
    assert count(ctx, Event) == 1 and count(ctx, Person) == 1
