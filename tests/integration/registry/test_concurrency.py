"""Concurrent writers: never the same national code twice, never two current certificates for one record."""

import threading

import pytest
from sqlalchemy import func, select

from sabt.certificates import service as certificates
from sabt.certificates.models import Certificate
from sabt.certificates.schemas import CertificateRequest
from sabt.core.national_code import national_code_problem
from sabt.registry import service
from sabt.registry.national_codes.models import IssuedNationalCode
from sabt.registry.persons.models import Person

from .factories import BirthDeclaration, adult, birth

# Each writer is a thread with its own connection: what they write is committed.
pytestmark = pytest.mark.committed

WRITERS = 8
BIRTHS_EACH = 6


def test_concurrent_registrations_never_share_a_national_code(ctx, staff):
    events = [
        service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(birth_order=1)))
        for _ in range(WRITERS * BIRTHS_EACH)
    ]
    for event in events:
        service.validate_event(ctx, actor=staff["registrar"], event_id=event.id)
    codes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(mine: list[int]) -> None:
        start.wait()  # every writer begins at the same moment
        try:
            for event_id in mine:
                registered = service.register_event(ctx, actor=staff["registrar"], event_id=event_id)
                codes.append(registered.subject_national_code)
        except BaseException as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)

    ids = [event.id for event in events]
    threads = [threading.Thread(target=writer, args=(ids[i::WRITERS],)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(codes) == WRITERS * BIRTHS_EACH
    assert len(set(codes)) == len(codes)
    assert all(national_code_problem(code) is None and code.startswith("001") for code in codes)
    with ctx.db.snapshot() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == len(codes)
        assert session.scalar(select(func.count()).select_from(IssuedNationalCode)) == len(codes)


def test_one_event_registered_by_two_registrars_at_once_registers_once(ctx, staff):
    event = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
    service.validate_event(ctx, actor=staff["registrar"], event_id=event.id)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def register(actor_name: str) -> None:
        start.wait()
        try:
            service.register_event(ctx, actor=staff[actor_name], event_id=event.id)
            outcomes.append("registered")
        except Exception as error:
            outcomes.append(getattr(error, "code", repr(error)))

    threads = [threading.Thread(target=register, args=(name,)) for name in ("registrar", "head")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["event.transition", "registered"]
    with ctx.db.snapshot() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_two_offices_issuing_one_certificate_at_once_issue_it_once(ctx, staff):
    code = adult(ctx, staff, "female")
    outcomes: list[str] = []
    start = threading.Barrier(WRITERS)

    def issue(actor_name: str) -> None:
        start.wait()
        try:
            request = CertificateRequest(kind="birth", national_code=code)
            outcomes.append(certificates.issue_certificate(ctx, actor=staff[actor_name], request=request).serial)
        except Exception as error:
            outcomes.append(getattr(error, "code", repr(error)))

    names = ["registrar", "head", "isf_registrar"] * WRITERS
    threads = [threading.Thread(target=issue, args=(name,)) for name in names[:WRITERS]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    serials = [outcome for outcome in outcomes if outcome.startswith("B")]
    assert len(serials) == 1 and sorted(set(outcomes) - set(serials)) == ["certificate.exists"]
    with ctx.db.snapshot() as session:
        assert session.scalar(select(func.count()).select_from(Certificate)) == 1
