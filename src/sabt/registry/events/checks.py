"""The rules a declaration must meet against the registry as it stands.

Each `check_*` reads what it needs, raises a `SabtError` naming the field at fault, and returns the
declaration's values parsed and normalized. They run when an event is declared, validated and
registered, because the registry may change in between (a parent dies, a spouse marries elsewhere).
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from ...core import causes
from ...core.errors import (
    DateBeforeBirth,
    DateBeforeMarriage,
    refusal,
)
from ...core.jalali import to_jalali
from ...core.people import age_in_years, marriage_capacity_problem
from ...core.text import normalize_name
from ...core.workflow import EventKind, EventStatus
from ...geo.schemas import CountyOut
from ..errors import (
    EventPending,
    EvidenceIncomplete,
    EvidenceKind,
    EvidenceWitnesses,
    MarriageExists,
    MarriageNone,
    MarriageUnderAge,
    PersonBornAfterChild,
    PersonDeceased,
    PersonDeclarant,
    PersonSame,
    PersonSex,
)
from ..persons.models import Marriage, Person
from ..persons.rules import NameValue, Rules
from .models import Event
from .schemas import (
    BirthDeclaration,
    CauseLine,
    CauseOfDeath,
    DeathDeclaration,
    Declarant,
    DivorceDeclaration,
    Evidence,
    MarriageDeclaration,
    NotifiedBirth,
    NotifiedDeath,
    PersonRef,
)

# A father may die before his child is born; a pregnancy lasts at most about 300 days.
_LONGEST_PREGNANCY = dt.timedelta(days=300)


PENDING = (EventStatus.DECLARED, EventStatus.VALIDATED)


@dataclass(frozen=True)
class Parent:
    person_id: int | None
    national_code: str | None
    first_name: NameValue
    last_name: NameValue


@dataclass(frozen=True)
class CheckedBirth:
    first_name: NameValue
    last_name: NameValue
    sex: str
    event_date: dt.date
    birth_time: str | None
    county: CountyOut
    place: str
    birth_order: int
    father: Parent
    mother: Parent
    period_starts: dt.date | None
    subject_id: None = None
    partner_id: None = None


@dataclass(frozen=True)
class CheckedDeath:
    person: Person
    event_date: dt.date
    period_starts: dt.date | None

    @property
    def subject_id(self) -> int:
        return self.person.id

    partner_id: None = None


@dataclass(frozen=True)
class CheckedCouple:
    """A marriage or divorce: the two spouses and, for a divorce, the marriage it ends."""

    husband: Person
    wife: Person
    event_date: dt.date
    marriage: Marriage | None
    period_starts: None = None

    @property
    def subject_id(self) -> int:
        return self.husband.id

    @property
    def partner_id(self) -> int:
        return self.wife.id


Checked = CheckedBirth | CheckedDeath | CheckedCouple


def refuse_pending(
    rules: Rules, kind: EventKind, *, subject_id: int, partner_id: int | None, exclude: int | None
) -> None:
    """One pending declaration of an event at a time: a second would be registered twice."""
    query = select(Event.id).where(Event.kind == kind, Event.status.in_(PENDING), Event.subject_id == subject_id)
    if partner_id is not None:
        query = query.where(Event.partner_id == partner_id)
    if exclude is not None:
        query = query.where(Event.id != exclude)
    pending = rules.session.scalar(query.limit(1))
    if pending is not None:
        raise EventPending(kind=kind, id=pending)


def check_birth(rules: Rules, declaration: BirthDeclaration) -> CheckedBirth:
    born = rules.date(declaration.birth_date, field="birth_date")
    birth = CheckedBirth(
        first_name=rules.name(declaration.first_name, field="first_name"),
        last_name=rules.name(declaration.last_name, field="last_name"),
        sex=declaration.sex,
        event_date=born,
        birth_time=rules.time(declaration.birth_time, field="birth_time"),
        county=rules.county(declaration.county),
        place=normalize_name(declaration.place),
        birth_order=declaration.birth_order,
        father=_parent(rules, declaration.father, field="father", sex="male", child_born=born),
        mother=_parent(rules, declaration.mother, field="mother", sex="female", child_born=born),
        period_starts=rules.optional_date(declaration.arrival_date, field="arrival_date", not_before=born),
    )
    _check_declarant(rules, declaration.declarant)
    _check_evidence(rules, declaration.evidence, event=EventKind.BIRTH)
    return birth


def _parent(rules: Rules, ref: PersonRef, *, field: str, sex: str, child_born: dt.date) -> Parent:
    if ref.national_code is None:
        return Parent(
            None,
            None,
            rules.name(ref.first_name, field=f"{field}.first_name"),
            rules.name(ref.last_name, field=f"{field}.last_name"),
        )
    code_field = f"{field}.national_code"
    person = rules.person(ref.national_code, field=code_field)
    if person.sex != sex:
        raise PersonSex(field=code_field, code=person.national_code, sex=sex)
    if person.birth_date >= child_born:
        raise PersonBornAfterChild(field=code_field, code=person.national_code)
    latest_death = child_born if sex == "female" else child_born - _LONGEST_PREGNANCY
    if person.died_on is not None and person.died_on < latest_death:
        raise PersonDeceased(field=code_field, code=person.national_code)
    return Parent(
        person.id,
        person.national_code,
        NameValue(person.first_name, person.first_name_typed),
        NameValue(person.last_name, person.last_name_typed),
    )


def _check_declarant(rules: Rules, declarant: Declarant) -> None:
    if declarant.national_code is not None:
        rules.code(declarant.national_code, field="declarant.national_code")
    if declarant.relation not in ("father", "mother") and not (declarant.first_name and declarant.last_name):
        raise PersonDeclarant(field="declarant.first_name")  # a parent is named as a parent already
    for part in ("first_name", "last_name"):
        typed = getattr(declarant, part)
        if typed is not None:  # whoever declares, a name given is a name
            rules.name(typed, field=f"declarant.{part}")


_EVIDENCE_FOR = {
    EventKind.BIRTH: {"medical_certificate", "witnesses"},
    EventKind.DEATH: {"medical_certificate", "witnesses", "burial_permit", "court_order"},
}


def _check_evidence(rules: Rules, evidence: Evidence, *, event: EventKind) -> None:
    if evidence.kind not in _EVIDENCE_FOR[event]:
        raise EvidenceKind(field="evidence.kind", event=event, kind=evidence.kind)
    if evidence.kind != "witnesses":
        if not evidence.issuer or not evidence.document_number:
            raise EvidenceIncomplete(field="evidence.document_number" if evidence.issuer else "evidence.issuer")
        return
    if len(evidence.witnesses) != 2:
        raise EvidenceWitnesses(field="evidence.witnesses")
    seen = set()
    for index, witness in enumerate(evidence.witnesses):
        prefix = f"evidence.witnesses.{index}"  # as the form and the API name the field
        first = rules.name(witness.first_name, field=f"{prefix}.first_name")
        last = rules.name(witness.last_name, field=f"{prefix}.last_name")
        code = rules.code(witness.national_code, field=f"{prefix}.national_code") if witness.national_code else None
        seen.add(code or (first.normalized, last.normalized))
    if len(seen) != 2:
        raise EvidenceWitnesses(field="evidence.witnesses")


def check_death(rules: Rules, declaration: DeathDeclaration, *, exclude: int | None = None) -> CheckedDeath:
    person, died = check_notified_death(rules, declaration)
    learned = rules.optional_date(declaration.learned_on, field="learned_on", not_before=died)
    arrived = rules.optional_date(declaration.arrival_date, field="arrival_date", not_before=died)
    _check_declarant(rules, declaration.declarant)
    _check_evidence(rules, declaration.evidence, event=EventKind.DEATH)
    refuse_pending(rules, EventKind.DEATH, subject_id=person.id, partner_id=None, exclude=exclude)
    later_start = max((day for day in (learned, arrived) if day is not None), default=None)
    return CheckedDeath(person=person, event_date=died, period_starts=later_start)


def check_notified_death(rules: Rules, death: DeathDeclaration | NotifiedDeath) -> tuple[Person, dt.date]:
    """The facts of a death that whoever reports it must get right: the person, the day, the place, the cause."""
    person = rules.living_person(death.national_code, field="national_code")
    died = rules.date(death.death_date, field="death_date")
    if died < person.birth_date:
        raise DateBeforeBirth(field="death_date", birth_date=to_jalali(person.birth_date))
    rules.time(death.death_time, field="death_time")
    rules.county(death.county)
    if death.cause_of_death is not None:
        _check_cause(death.cause_of_death, sex=person.sex, age=age_in_years(person.birth_date, died))
    return person, died


def check_notified_birth(rules: Rules, birth: NotifiedBirth) -> Parent:
    """The facts of a birth a facility reports: the day, the place, and a mother in the registry who could
    have given birth on that day. Returns the mother."""
    born = rules.date(birth.birth_date, field="birth_date")
    rules.time(birth.birth_time, field="birth_time")
    rules.county(birth.county)
    mother = PersonRef(national_code=birth.mother.national_code)
    return _parent(rules, mother, field="mother", sex="female", child_born=born)


def _check_cause(certificate: CauseOfDeath, *, sex: str, age: int) -> None:
    stated = causes.Certificate(
        part1=[_condition(line) for line in certificate.part1],
        part2=[_condition(line) for line in certificate.part2],
        underlying=certificate.underlying,
        manner=certificate.manner,
        pregnancy=certificate.pregnancy,
    )
    broken = causes.problem(stated, sex=sex, age=age)
    if broken is not None:
        field, code, icd_code = broken
        raise refusal(code, field=f"cause_of_death.{field}", code=icd_code)


def _condition(line: CauseLine) -> causes.Condition:
    interval = line.interval
    minutes = None if interval is None else causes.interval_minutes(interval.amount, interval.unit)
    return causes.Condition(code=line.icd10, minutes=minutes)


def _couple(rules: Rules, husband_code: str, wife_code: str, *, living: bool) -> tuple[Person, Person]:
    find = rules.living_person if living else rules.person
    husband = find(husband_code, field="husband_national_code")
    wife = find(wife_code, field="wife_national_code")
    if husband.id == wife.id:
        raise PersonSame(field="wife_national_code")
    for person, sex, field in ((husband, "male", "husband_national_code"), (wife, "female", "wife_national_code")):
        if person.sex != sex:
            raise PersonSex(field=field, code=person.national_code, sex=sex)
    return husband, wife


def _active_marriages(rules: Rules, person: Person) -> list[Marriage]:
    column = Marriage.husband_id if person.sex == "male" else Marriage.wife_id
    return list(rules.session.scalars(select(Marriage).where(column == person.id, Marriage.ended_on.is_(None))))


def check_marriage(rules: Rules, declaration: MarriageDeclaration, *, exclude: int | None = None) -> CheckedCouple:
    husband, wife = _couple(rules, declaration.husband_national_code, declaration.wife_national_code, living=True)
    married = rules.date(declaration.marriage_date, field="marriage_date")
    rules.county(declaration.county)
    floors = {"male": rules.settings.min_marriage_age_male, "female": rules.settings.min_marriage_age_female}
    for person, field in ((husband, "husband_national_code"), (wife, "wife_national_code")):
        if person.birth_date > married:
            raise DateBeforeBirth(field="marriage_date", birth_date=to_jalali(person.birth_date))
        if age_in_years(person.birth_date, married) < floors[person.sex]:
            raise MarriageUnderAge(field=field, code=person.national_code, age=floors[person.sex])
    husbands_marriages = _active_marriages(rules, husband)
    if any(marriage.wife_id == wife.id for marriage in husbands_marriages):
        raise MarriageExists(field="wife_national_code")
    for person, active, field in (
        (wife, len(_active_marriages(rules, wife)), "wife_national_code"),
        (husband, len(husbands_marriages), "husband_national_code"),
    ):
        problem = marriage_capacity_problem(
            sex=person.sex,
            active_marriages=active,
            court_permission=bool(declaration.court_permission),
            max_wives=rules.settings.max_wives,
        )
        if problem:
            raise refusal(problem, field=field, code=person.national_code)
    refuse_pending(rules, EventKind.MARRIAGE, subject_id=husband.id, partner_id=wife.id, exclude=exclude)
    return CheckedCouple(husband=husband, wife=wife, event_date=married, marriage=None)


def check_divorce(rules: Rules, declaration: DivorceDeclaration, *, exclude: int | None = None) -> CheckedCouple:
    husband, wife = _couple(rules, declaration.husband_national_code, declaration.wife_national_code, living=True)
    divorced = rules.date(declaration.divorce_date, field="divorce_date")
    rules.county(declaration.county)
    marriage = rules.session.scalar(
        select(Marriage)
        .where(Marriage.husband_id == husband.id, Marriage.wife_id == wife.id, Marriage.ended_on.is_(None))
        .order_by(Marriage.married_on.desc())
    )
    if marriage is None:
        raise MarriageNone(field="wife_national_code")
    if divorced < marriage.married_on:
        raise DateBeforeMarriage(field="divorce_date", married_on=to_jalali(marriage.married_on))
    refuse_pending(rules, EventKind.DIVORCE, subject_id=husband.id, partner_id=wife.id, exclude=exclude)
    return CheckedCouple(husband=husband, wife=wife, event_date=divorced, marriage=marriage)
