"""Duplicate and fraud detection on both databases: the model over the registry, the check before a birth
is registered, the rules, the review queue with merges in the ledger, and the evaluation on a labelled file;
through the use cases, real HTTP and the command line."""

import datetime as dt
import time

import httpx
import pytest
from sqlalchemy import select, update

from sabt.certificates import service as certificates
from sabt.certificates.models import CertificateCheck
from sabt.certificates.schemas import CertificateRequest
from sabt.core.errors import Conflict, Forbidden, InvalidInput
from sabt.core.jalali import parse_date, to_jalali
from sabt.core.text import to_persian_digits
from sabt.ledger.audit import audit
from sabt.linkage import service as linkage
from sabt.linkage.models import LinkageCase
from sabt.registry import service as registry
from sabt.registry.persons import service as registry_persons
from sabt.registry.persons.models import Person, PersonRevision
from sabt.synth.service import SynthRequest, generate_nation

from ..conftest import TEST_NOW, behind_the_back
from ..platform.test_api import assert_problem
from ..registry import factories
from ..registry.factories import BirthDeclaration, DeathDeclaration, birth, registered_person

BORN = dt.date(2001, 4, 10)
PARENTS = {
    "father": {"first_name": "حسین", "last_name": "کریمی"},
    "mother": {"first_name": "زهرا", "last_name": "موسوی"},
}


def _person(ctx, staff, first_name="محمدرضا", last_name="کریمی", born=BORN, **changes):
    return registered_person(
        ctx, staff, born=born, sex="male", first_name=first_name, last_name=last_name, **(PARENTS | changes)
    )


def _declared(ctx, staff, **changes):
    """A birth declared today (late) and not registered."""
    data = birth(sex="male", first_name="محمدرضا", last_name="کریمی", birth_date=BORN.isoformat(), **PARENTS)
    data.update(changes)
    return registry.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**data))


def _id(ctx, code):
    with ctx.db.snapshot() as session:
        return session.scalar(select(Person.id).where(Person.national_code == code))


def _cases(ctx, staff, **filters):
    return linkage.list_cases(ctx, actor=staff["investigator"], **filters).cases


def test_a_run_finds_a_second_registration_of_one_person_and_not_a_twin(ctx, staff):
    first = _person(ctx, staff)
    again = _person(ctx, staff, first_name="محمدرزا")  # spelled by ear, registered a second time
    _person(ctx, staff, first_name="علی")  # a twin: same parents, day and place, another name
    _person(
        ctx,
        staff,
        first_name="سارا",
        last_name="رضایی",
        born=dt.date(1985, 1, 1),
        father={"first_name": "احمد", "last_name": "رضایی"},
        mother={"first_name": "نرگس", "last_name": "نوری"},
    )
    run = linkage.run_linkage(ctx, actor=staff["investigator"])
    assert (run.status, run.persons, run.pairs_scored, run.cases_new) == ("finished", 4, 1, 1)
    [case] = _cases(ctx, staff, kind="duplicate")
    assert {case.person.national_code, case.other_person.national_code} == {first, again}
    assert case.match_probability >= ctx.settings.linkage_threshold
    levels = {item.field: item.level for item in case.evidence}
    assert levels["first_name"] == "sounds the same"  # ض and ز are one sound
    assert levels["birth_date"] == "the same"
    again_run = linkage.run_linkage(ctx, actor=staff["investigator"])
    assert (again_run.cases_found, again_run.cases_new) == (1, 0)  # found again, not queued twice


def test_the_check_before_registration_names_the_person_a_birth_duplicates(ctx, staff):
    existing = _person(ctx, staff)
    event = _declared(ctx, staff, first_name="محمد رضا")  # the same name with a space
    [candidate] = linkage.check_birth(ctx, actor=staff["registrar"], event_id=event.id)
    assert candidate.person.national_code == existing
    assert candidate.match_probability >= 0.9 and candidate.match_weight > 0
    assert {item.field for item in candidate.evidence} >= {"first_name", "last_name", "birth_date", "parents"}
    other = _declared(ctx, staff, first_name="سینا", birth_date="2024-01-02")
    assert linkage.check_birth(ctx, actor=staff["registrar"], event_id=other.id) == []
    with pytest.raises(Forbidden):
        linkage.check_birth(ctx, actor=staff["isf_registrar"], event_id=event.id)  # another office's event


def test_a_birth_declared_twice_is_named_before_either_is_registered(ctx, staff):
    """The same child declared at two offices a day apart: each declaration's check names the other, a twin
    is not named, and once one of the two is rejected the other's check names nothing."""
    first = _declared(ctx, staff)
    data = birth(sex="male", first_name="محمد رضا", last_name="کریمی", birth_date="2001-04-11", **PARENTS)
    again = registry.declare(ctx, actor=staff["isf_clerk"], declaration=BirthDeclaration(**data))
    _declared(ctx, staff, first_name="علی")  # a twin: the same parents and day, another name
    [candidate] = linkage.check_birth(ctx, actor=staff["registrar"], event_id=first.id)
    assert candidate.person is None and candidate.declaration is not None
    assert (candidate.declaration.event_id, candidate.declaration.office_code) == (again.id, "ISF")
    assert candidate.declaration.first_name == "محمد رضا"  # as typed
    assert candidate.match_probability >= ctx.settings.linkage_threshold
    [back] = linkage.check_birth(ctx, actor=staff["isf_registrar"], event_id=again.id)
    assert back.declaration is not None and back.declaration.event_id == first.id
    registry.reject_event(ctx, actor=staff["isf_registrar"], event_id=again.id, reason="همان نوزاد، دوباره اعلام شد")
    assert linkage.check_birth(ctx, actor=staff["registrar"], event_id=first.id) == []


def test_the_check_knows_how_persian_names_vary_and_that_twins_are_two(ctx, staff):
    """A dropped سید, a compound name's other part, the Gregorian year are one child; a brother born the same
    day with a name a letter away is a twin, and is not named."""
    existing = _person(ctx, staff, first_name="حسین")
    slipped = f"{BORN.year}/{to_jalali(BORN)[5:]}"  # 1380/01/21 written 2001/01/21
    variants = {"سید حسین": BORN, "سیدحسین": BORN, "امیرحسین": BORN, "حسین": parse_date(slipped)}
    for typed, born in variants.items():
        event = _declared(ctx, staff, first_name=typed, birth_date=born.isoformat())
        [candidate] = linkage.check_birth(ctx, actor=staff["registrar"], event_id=event.id)
        assert candidate.person is not None and candidate.person.national_code == existing, typed
        # the same mother and day, and two names people are given: the registrar is told it may be a twin
        assert candidate.possible_twin == (typed == "امیرحسین"), typed
        registry.reject_event(ctx, actor=staff["registrar"], event_id=event.id, reason="همان نوزاد")
    twin = _declared(ctx, staff, first_name="حسن")
    assert linkage.check_birth(ctx, actor=staff["registrar"], event_id=twin.id) == []
    sister = _declared(ctx, staff, first_name="حسنا", sex="female")  # a letter more, and a girl
    assert linkage.check_birth(ctx, actor=staff["registrar"], event_id=sister.id) == []


def test_deciding_a_duplicate_merges_it_keeping_both_histories_in_the_ledger(ctx, staff):
    first, again = _person(ctx, staff), _person(ctx, staff, first_name="محمدرزا")
    linkage.run_linkage(ctx, actor=staff["investigator"])
    [case] = _cases(ctx, staff)
    with pytest.raises(InvalidInput) as refused:
        linkage.decide(ctx, actor=staff["investigator"], case_id=case.id, decision="duplicate", keep=999)
    assert refused.value.field == "keep"
    decided = linkage.decide(ctx, actor=staff["investigator"], case_id=case.id, decision="duplicate", note="same")
    assert decided.status == "duplicate" and decided.decided_by == "investigator"
    assert decided.other_person.merged_into == first and decided.person.merged_into is None
    with ctx.db.snapshot() as session:
        retired = session.scalar(select(Person).where(Person.national_code == again))
        revisions = session.scalars(select(PersonRevision.reason).where(PersonRevision.person_id == retired.id)).all()
    assert len(revisions) == 2 and f"duplicate of {first}" in revisions[-1]  # the birth's revision is kept
    assert audit(ctx).findings == []
    with pytest.raises(Conflict):
        linkage.decide(ctx, actor=staff["investigator"], case_id=case.id, decision="fraud")
    assert linkage.run_linkage(ctx, actor=staff["investigator"]).pairs_scored == 0  # the merged record is out
    assert registry_persons.get_person(ctx, actor=staff["clerk"], national_code=again).merged_into == first
    with pytest.raises(Conflict) as refused_death:  # a retired record takes no new events
        registry.declare(ctx, actor=staff["clerk"], declaration=DeathDeclaration(**factories.death(again)))
    assert (refused_death.value.code, refused_death.value.field) == ("person.merged", "national_code")
    with ctx.db.latest() as connection:
        assert registry_persons.identity_facts(connection, again) is None  # agencies' checks find nobody
        assert registry_persons.identity_facts(connection, first) is not None


def test_an_edited_decision_is_named_by_the_audit(ctx, staff):
    _person(ctx, staff), _person(ctx, staff, first_name="محمدرزا")
    linkage.run_linkage(ctx, actor=staff["investigator"])
    [case] = _cases(ctx, staff)
    linkage.decide(ctx, actor=staff["investigator"], case_id=case.id, decision="not_duplicate")
    with behind_the_back(ctx) as connection:
        connection.execute(update(LinkageCase).values(status="fraud"))
    findings = audit(ctx).findings
    assert [(f.problem, f.record) for f in findings] == [("changed", f"linkage_cases/{case.id}")]


def test_rules_find_what_cannot_be_true(ctx, staff):
    mother = registered_person(ctx, staff, born=dt.date(1980, 1, 1), first_name="مینا")
    child = registered_person(ctx, staff, born=dt.date(2010, 6, 1), mother={"national_code": mother})
    close = registered_person(ctx, staff, born=dt.date(2010, 9, 1), mother={"national_code": mother})
    registered_person(ctx, staff, born=dt.date(2010, 6, 2), mother={"national_code": mother}, first_name="نازنین")
    registered_person(ctx, staff, born=dt.date(2010, 6, 1), mother={"national_code": mother}, first_name="نگار")
    old = registered_person(ctx, staff, born=dt.date(1990, 1, 1), first_name="فرخ")
    with ctx.db.transaction() as session:  # records as a legacy register handed them over
        session.execute(update(Person).where(Person.national_code == mother).values(died_on=dt.date(2010, 8, 1)))
        session.execute(update(Person).where(Person.national_code == old).values(birth_date=dt.date(1899, 1, 1)))
    late = [
        _declared(
            ctx,
            staff,
            first_name=name,
            birth_date="1999-02-0" + str(day),
            declarant={"relation": "other", "national_code": mother, "first_name": "مینا", "last_name": "رضایی"},
        )
        for day, name in enumerate(["آرش", "بابک", "کاوه", "داریوش", "سهراب"], start=1)
    ]
    for event in late:
        registry.validate_event(ctx, actor=staff["registrar"], event_id=event.id)
        registry.approve_late(ctx, actor=staff["head"], event_id=event.id)
        registry.register_event(ctx, actor=staff["registrar"], event_id=event.id)
    with ctx.db.transaction() as session:
        for place in ("net:10.0.1.0/24", "net:10.0.2.0/24", "office:1"):
            session.add(CertificateCheck(serial="B123456789X", place=place, checked_at=TEST_NOW))
        session.add(CertificateCheck(serial="B000000001Y", place="office:1", checked_at=TEST_NOW))
    linkage.run_linkage(ctx, actor=staff["investigator"])
    found = {(case.kind, case.person.national_code if case.person else None) for case in _cases(ctx, staff, limit=100)}
    assert ("born_after_mothers_death", close) in found and ("born_after_mothers_death", child) not in found
    assert ("older_than_plausible", old) in found
    assert ("adult_as_newborn", None) not in found and sum(kind == "adult_as_newborn" for kind, _ in found) == 5
    serial = [case for case in _cases(ctx, staff, kind="serial_declarant")]
    assert len(serial) == 1 and serial[0].details["late_births"] == 5
    [burst] = _cases(ctx, staff, kind="certificate_many_places")
    assert burst.details["serial"] == "B123456789X" and len(burst.details["places"]) == 3
    [too_close] = _cases(ctx, staff, kind="births_too_close")  # twins, a day apart at most, are allowed
    assert too_close.other_person.national_code == close and too_close.details["days"] == 91


def test_evaluation_on_a_labelled_synthetic_file_reaches_the_aim(ctx, staff, tmp_path):
    generate_nation(SynthRequest(people=4000, years=1, seed=7, end=dt.date(2025, 3, 20), legacy=True), tmp_path)
    scores = linkage.evaluate(
        ctx, actor=staff["investigator"], legacy=tmp_path / "legacy.csv", truth=tmp_path / "legacy_truth.csv"
    )
    assert scores.true_pairs > 50 and scores.f1 >= 0.95, scores
    with pytest.raises(InvalidInput) as refused:
        linkage.evaluate(ctx, actor=staff["investigator"], legacy=tmp_path / "legacy.csv", truth=tmp_path / "x.csv")
    assert refused.value.field == "truth"
    for of in ("x", "999999"):  # a row it copies that is no row: named, not taken for a missing column
        truth = tmp_path / f"of-{of}.csv"
        truth.write_text("row,person,kind,of\n1,a,none,\n2,a,typo," + of + "\n", encoding="utf-8")
        legacy = tmp_path / "two.csv"
        legacy.write_text("".join((tmp_path / "legacy.csv").read_text(encoding="utf-8").splitlines(True)[:3]))
        with pytest.raises(InvalidInput) as refused:
            linkage.evaluate(ctx, actor=staff["investigator"], legacy=legacy, truth=truth)
        assert refused.value.code == "linkage.truth_of" and of in refused.value.message_en


def test_the_queue_and_decisions_over_http(api, ctx, staff):
    _person(ctx, staff), _person(ctx, staff, first_name="محمدرزا")
    assert_problem(api.post("/api/linkage/runs", as_="registrar"), 403, "role.forbidden")
    started = api.post("/api/linkage/runs", as_="investigator")
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while (run := api.get(f"/api/linkage/runs/{started.json()['id']}", as_="investigator").json())[
        "status"
    ] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert run["status"] == "finished" and run["cases_new"] == 1
    assert_problem(api.get("/api/linkage/cases", as_="registrar"), 403, "role.forbidden")
    page = api.get("/api/linkage/cases", as_="investigator").json()
    case_id = page["cases"][0]["id"]
    assert page["total"] == 1 and page["cases"][0]["evidence"]
    bad = api.post(f"/api/linkage/cases/{case_id}/decision", as_="investigator", json={"decision": "maybe"})
    assert bad.status_code == 422 and "decision" in bad.text
    assert_problem(
        api.post("/api/linkage/cases/99999/decision", as_="investigator", json={"decision": "fraud"}),
        404,
        "linkage.no_case",
        "case",
    )
    done = api.post(
        f"/api/linkage/cases/{case_id}/decision",
        as_="investigator",
        json={"decision": "fraud", "note": "forged birth certificate"},
    )
    assert done.status_code == 200 and done.json()["status"] == "fraud"
    assert_problem(
        api.post(f"/api/linkage/cases/{case_id}/decision", as_="investigator", json={"decision": "fraud"}),
        409,
        "linkage.decided",
        "case",
    )
    assert api.get("/api/linkage/cases?status=fraud", as_="auditor").status_code == 403


def test_the_check_over_http_and_refusals(api, ctx, staff):
    existing = _person(ctx, staff)
    event = _declared(ctx, staff)
    found = api.get(f"/api/events/{event.id}/duplicates", as_="registrar")
    assert found.status_code == 200 and [c["person"]["national_code"] for c in found.json()] == [existing]
    death = registry.declare(ctx, actor=staff["clerk"], declaration=DeathDeclaration(**factories.death(existing)))
    assert_problem(api.get(f"/api/events/{death.id}/duplicates", as_="registrar"), 422, "linkage.not_birth", "event_id")
    assert api.get("/api/events/99999999999/duplicates", as_="registrar").status_code == 422


def test_the_command_line(sabt, ctx, staff):
    _person(ctx, staff), _person(ctx, staff, first_name="محمدرزا")
    ran = sabt("linkage", "run", "--as", "investigator")
    assert ran.exit_code == 0 and "1 new in the queue" in ran.output
    listed = sabt("linkage", "queue", "--as", "investigator")
    case_id = int(listed.output.split("#")[1].split()[0])
    assert sabt("linkage", "decide", str(case_id), "perhaps", "--as", "investigator").exit_code != 0
    refused = sabt("linkage", "decide", str(case_id), "not_duplicate", "--as", "registrar")
    assert refused.exit_code != 0 and "may not investigate" in refused.output
    decided = sabt("linkage", "decide", str(case_id), "not_duplicate", "--as", "investigator")
    assert decided.exit_code == 0 and "not_duplicate" in decided.output


def test_the_registrar_sees_the_warning_and_the_investigator_decides_on_the_pages(server, ctx, staff):
    from ..platform.test_pages_http import csrf_of, sign_in

    existing = _person(ctx, staff)
    event = _declared(ctx, staff)
    with httpx.Client(base_url=server, follow_redirects=False) as browser:
        sign_in(browser, "registrar")
        warning = browser.get(f"/office/events/{event.id}").text
        assert "ممکن است تکرار ثبت شخص دیگری یا اعلام دیگری باشد" in warning
        assert to_persian_digits(existing) in warning
        assert browser.get("/office/linkage").status_code == 403
    _person(ctx, staff, first_name="محمدرزا")
    with httpx.Client(base_url=server, follow_redirects=False) as browser:
        sign_in(browser, "investigator")
        queue = browser.get("/office/linkage")
        started = browser.post("/office/linkage/runs", data={"csrf": csrf_of(queue.text)})
        assert started.status_code == 303
        deadline = time.monotonic() + 60
        while not (cases := _cases(ctx, staff)):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        page = browser.get(f"/office/linkage/cases/{cases[0].id}")
        assert page.status_code == 200 and "هم‌آوا" in page.text and to_persian_digits(existing) in page.text
        token = csrf_of(page.text)
        assert browser.post(f"/office/linkage/cases/{cases[0].id}", data={"csrf": token}).status_code == 422
        assert browser.post(f"/office/linkage/cases/{cases[0].id}", data={"decision": "fraud"}).status_code == 403
        done = browser.post(f"/office/linkage/cases/{cases[0].id}", data={"csrf": token, "decision": "duplicate"})
        assert done.status_code == 303
    assert _cases(ctx, staff, status="duplicate")[0].other_person.merged_into == existing


def test_an_online_verification_records_where_it_came_from_not_the_address(api, ctx, staff):
    person = _person(ctx, staff)
    issued = certificates.issue_certificate(
        ctx, actor=staff["registrar"], request=CertificateRequest(kind="birth", national_code=person)
    )
    assert api.post("/api/certificates/verify", json={"code": issued.code}).json()["verdict"] == "genuine"
    assert api.post("/api/certificates/verify", as_="clerk", json={"code": issued.code}).status_code == 200
    deadline = time.monotonic() + 10  # the server writes them in batches, without holding the answer
    while len(checks := _certificate_checks(ctx)) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert sorted(checks) == [(issued.serial, "net:127.0.0.0/24"), (issued.serial, "office:1")]


def _certificate_checks(ctx):
    with ctx.db.snapshot() as session:
        return session.execute(select(CertificateCheck.serial, CertificateCheck.place)).all()
