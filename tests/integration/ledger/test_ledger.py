"""The ledger on both databases: every evidence row written is a leaf, proofs verify offline against signed
checkpoints, and the audit names every record changed, deleted or added behind the service's back."""

import json
import threading
from dataclasses import replace

import pytest
from sqlalchemy import delete, func, insert, select, update

from sabt.accounts import service as accounts
from sabt.accounts.models import User
from sabt.accounts.schemas import UserIn
from sabt.ledger import service as ledger
from sabt.ledger.audit import audit
from sabt.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from sabt.ledger.models import Checkpoint, LedgerLeaf, LedgerNode, LedgerSalt
from sabt.ledger.note import verify_checkpoint
from sabt.registry import service
from sabt.registry.events.models import Event, EventHistory
from sabt.registry.persons.models import Marriage, Person
from sabt.registry.schemas import PersonCorrection

from ..conftest import behind_the_back
from ..registry.factories import BirthDeclaration, MarriageDeclaration, adult, birth, marriage, register


def registry_audit(ctx, witnessed=()):
    return audit(ctx, witnessed=witnessed)


def problems(report):
    return sorted((finding.problem, finding.record) for finding in report.findings)


def leaves(ctx):
    with ctx.db.snapshot() as session:
        return [json.loads(row) for row in session.scalars(select(LedgerLeaf.leaf).order_by(LedgerLeaf.index))]


def logged_records(ctx, after=0):
    with ctx.db.snapshot() as session:
        rows = session.execute(select(LedgerLeaf.record_type, LedgerLeaf.record_id).where(LedgerLeaf.index >= after))
        return {f"{record_type}/{record_id}" for record_type, record_id in rows}


def test_every_row_a_registration_writes_is_a_leaf(ctx, staff):
    before = ledger_size(ctx)
    event = register(ctx, staff, BirthDeclaration(**birth()))
    person_id = _person_id(ctx, event.subject_national_code)
    logged = logged_records(ctx, after=before)
    assert {
        f"events/{event.id}",
        f"persons/{person_id}",
        f"issued_national_codes/{event.subject_national_code}",
    } <= logged
    assert sum(record.startswith("event_history/") for record in logged) == 3  # declared, validated, registered
    assert sum(record.startswith("person_revisions/") for record in logged) == 1


def ledger_size(ctx):
    with ctx.db.snapshot() as session:
        return ledger.head_size(session)


def test_leaves_hold_no_personal_data_and_link_nothing(ctx, staff):
    event = register(ctx, staff, BirthDeclaration(**birth(first_name="نیلوفر")))
    published = json.dumps(leaves(ctx), ensure_ascii=False)
    assert "نیلوفر" not in published and "2025-05-25" not in published
    assert event.subject_national_code not in published and "persons" not in published
    assert all(set(leaf) == {"v", "at", "commitment"} for leaf in leaves(ctx))
    assert all(leaf["at"].endswith(":00+00:00") for leaf in leaves(ctx))  # to the minute


def test_an_inclusion_proof_verifies_offline_against_a_signed_checkpoint(ctx, staff):
    event = register(ctx, staff, BirthDeclaration(**birth()))
    signed = ledger.sign_checkpoint(ctx)
    person = ledger.record_proof(ctx, record=f"persons/{_person_id(ctx, event.subject_national_code)}")
    assert person.content["national_code"] == event.subject_national_code
    opened = ledger.commitment(bytes.fromhex(person.salt), person.record, person.content)
    assert opened == json.loads(person.leaf)["commitment"]
    checkpoint = verify_checkpoint(signed.note, ledger.public_key(ctx))
    assert checkpoint is not None and checkpoint.size == person.tree_size
    path = [bytes.fromhex(item) for item in person.proof]
    assert verify_inclusion(leaf_hash(person.leaf.encode()), person.index, checkpoint.size, path, checkpoint.root)
    assert not verify_inclusion(leaf_hash(b"forged"), person.index, checkpoint.size, path, checkpoint.root)


def test_consistency_between_two_checkpoints(ctx, staff):
    register(ctx, staff, BirthDeclaration(**birth()))
    old = verify_checkpoint(ledger.sign_checkpoint(ctx).note, ledger.public_key(ctx))
    register(ctx, staff, BirthDeclaration(**birth(first_name="نازنین")))
    new = verify_checkpoint(ledger.sign_checkpoint(ctx).note, ledger.public_key(ctx))
    proof = ledger.consistency(ctx, old_size=old.size, new_size=new.size)
    path = [bytes.fromhex(item) for item in proof.proof]
    assert verify_consistency(old.size, new.size, old.root, new.root, path)


def test_a_rejected_transaction_leaves_no_leaf(ctx, staff):
    before = len(leaves(ctx))
    with pytest.raises(Exception, match="county"):
        service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth(county="9999")))
    assert len(leaves(ctx)) == before


def test_the_audit_of_an_untouched_registry_is_clean(ctx, staff):
    husband, wife = adult(ctx, staff, "male"), adult(ctx, staff, "female")
    register(ctx, staff, MarriageDeclaration(**marriage(husband, wife)))
    service.correct_person(
        ctx, actor=staff["head"], national_code=wife, correction=PersonCorrection(reason="typo", first_name="مهسا")
    )
    ledger.sign_checkpoint(ctx)
    report = registry_audit(ctx)
    assert report.findings == []
    assert report.records_checked > 0 and report.checkpoint_size == report.tree_size


def test_the_audit_finds_a_name_changed_in_the_database(ctx, staff):
    code = adult(ctx, staff, "female")
    ledger.sign_checkpoint(ctx)
    with behind_the_back(ctx) as connection:
        connection.execute(update(Person).where(Person.national_code == code).values(first_name="جعلی"))
        person_id = connection.scalar(select(Person.id).where(Person.national_code == code))
    assert problems(registry_audit(ctx)) == [("changed", f"persons/{person_id}")]


def test_the_audit_finds_a_deleted_marriage(ctx, staff):
    husband, wife = adult(ctx, staff, "male"), adult(ctx, staff, "female")
    register(ctx, staff, MarriageDeclaration(**marriage(husband, wife)))
    with behind_the_back(ctx) as connection:
        marriage_id = connection.scalar(select(Marriage.id))
        connection.execute(delete(Marriage))
    assert problems(registry_audit(ctx)) == [("deleted", f"marriages/{marriage_id}")]


def test_the_audit_finds_a_deleted_event(ctx, staff):
    event = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
    with behind_the_back(ctx) as connection:
        history = list(connection.scalars(select(EventHistory.id)))
        connection.execute(delete(EventHistory))
        connection.execute(delete(Event))
    expected = [("deleted", f"event_history/{row}") for row in history] + [("deleted", f"events/{event.id}")]
    assert problems(registry_audit(ctx)) == sorted(expected)


def test_the_audit_finds_a_truncated_log(ctx, staff):
    adult(ctx, staff, "female")
    ledger.sign_checkpoint(ctx)
    with behind_the_back(ctx) as connection:
        connection.execute(delete(LedgerSalt))
        connection.execute(delete(LedgerNode))
        connection.execute(delete(LedgerLeaf))
    found = {problem for problem, _ in problems(registry_audit(ctx))}
    assert {"tree_altered", "checkpoint_mismatch", "unlogged"} <= found


@pytest.mark.committed  # a server thread of its own signs
def test_the_server_signs_checkpoints_on_its_own_as_the_log_grows(ctx, staff, backend):
    import time

    import uvicorn

    from sabt.api.app import create_app

    from ..conftest import _free_port

    register(ctx, staff, BirthDeclaration(**birth()))
    settings = backend.settings.model_copy(update={"checkpoint_seconds": 1})
    server = uvicorn.Server(
        uvicorn.Config(create_app(replace(ctx, settings=settings)), port=_free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not _checkpoints(ctx) and time.monotonic() < deadline:
            time.sleep(0.2)
        first = ledger_size(ctx)
        assert _checkpoints(ctx) == [first]
        time.sleep(1.5)
        assert _checkpoints(ctx) == [first]  # nothing new was logged, so nothing new was signed
        register(ctx, staff, BirthDeclaration(**birth(first_name="نازنین")))
        deadline = time.monotonic() + 10
        while len(_checkpoints(ctx)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _checkpoints(ctx) == [first, ledger_size(ctx)]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.committed  # another connection writes
def test_server_processes_signing_at_once_sign_the_grown_log_once(ctx, staff):
    """Every server process signs on its own timer; those that sign together make one checkpoint."""
    adult(ctx, staff, "female")
    start = threading.Barrier(6)

    def sign() -> None:
        start.wait()
        ledger.sign_checkpoint(ctx, only_if_grown=True)

    signers = [threading.Thread(target=sign) for _ in range(6)]
    for signer in signers:
        signer.start()
    for signer in signers:
        signer.join()
    with ctx.db.snapshot() as session:
        assert _checkpoints(ctx) == [ledger.head_size(session)]


def _checkpoints(ctx) -> list[int]:
    """The sizes of the signed checkpoints."""
    with ctx.db.snapshot() as session:
        return list(session.scalars(select(Checkpoint.size)))


def test_the_audit_finds_a_person_inserted_behind_the_services_back(ctx, staff):
    code = adult(ctx, staff, "female")
    with behind_the_back(ctx) as connection:
        real = connection.execute(select(Person).where(Person.national_code == code)).mappings().one()
        forged = {name: value for name, value in real.items() if name != "id"} | {"national_code": "0499370899"}
        forged_id = connection.execute(insert(Person).values(forged).returning(Person.id)).scalar_one()
    assert ("unlogged", f"persons/{forged_id}") in problems(registry_audit(ctx))


def test_the_audit_finds_an_event_status_forced_in_the_database(ctx, staff):
    event = service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
    with behind_the_back(ctx) as connection:
        connection.execute(update(Event).values(status="registered"))
    assert problems(registry_audit(ctx)) == [("changed", f"events/{event.id}")]


def test_the_audit_finds_a_password_hash_swapped_in_the_database(ctx):
    user = accounts.create_user(
        ctx, actor=None, user=UserIn(username="swap.target", password="a long password", role="auditor")
    )
    with behind_the_back(ctx) as connection:
        connection.execute(update(User).where(User.id == user.id).values(password_hash="$argon2id$known-to-attacker"))
    assert problems(audit(ctx)) == [("changed", f"users/{user.id}")]


def test_the_audit_finds_a_rewritten_leaf_and_the_broken_checkpoint(ctx, staff):
    adult(ctx, staff, "female")
    ledger.sign_checkpoint(ctx)
    with behind_the_back(ctx) as connection:
        leaf = connection.scalar(select(LedgerLeaf.leaf).where(LedgerLeaf.index == 0))
        altered = leaf.replace('"v":2', '"v":2,"x":1')
        connection.execute(update(LedgerLeaf).where(LedgerLeaf.index == 0).values(leaf=altered))
    assert {problem for problem, _ in problems(registry_audit(ctx))} >= {"leaf_altered"}
    with behind_the_back(ctx) as connection:
        connection.execute(
            update(LedgerNode)
            .where(LedgerNode.level == 0, LedgerNode.index == 0)
            .values(hash=leaf_hash(altered.encode()))
        )
    assert "checkpoint_mismatch" in {problem for problem, _ in problems(registry_audit(ctx))}


def test_a_witnessed_checkpoint_catches_a_log_rolled_back_with_its_checkpoints(ctx, staff):
    adult(ctx, staff, "female")
    witnessed = ledger.sign_checkpoint(ctx).note
    with behind_the_back(ctx) as connection:
        connection.execute(delete(Checkpoint))
    assert registry_audit(ctx, witnessed=[witnessed]).findings == []
    with behind_the_back(ctx) as connection:
        last = connection.scalar(select(func.max(LedgerLeaf.index)))
        connection.execute(delete(LedgerLeaf).where(LedgerLeaf.index == last))
    found = {problem for problem, _ in problems(registry_audit(ctx, witnessed=[witnessed]))}
    assert {"checkpoint_mismatch", "tree_altered"} <= found


@pytest.mark.committed  # another connection writes
def test_concurrent_writers_keep_the_log_consistent(ctx, staff):
    events = [service.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth())) for _ in range(12)]
    errors: list[BaseException] = []

    def validate(ids):
        try:
            for event_id in ids:
                service.validate_event(ctx, actor=staff["registrar"], event_id=event_id)
        except BaseException as error:
            errors.append(error)

    ids = [event.id for event in events]
    threads = [threading.Thread(target=validate, args=(ids[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = registry_audit(ctx)
    assert report.findings == [] and report.tree_size > 24


def test_ledger_endpoints_over_http(api, ctx, staff):
    register(ctx, staff, BirthDeclaration(**birth()))
    key = api.get("/api/ledger/public-key").text
    note = api.get("/api/ledger/checkpoint").text
    assert api.get("/api/ledger/checkpoint").text == note  # the second call reads the stored checkpoint
    assert api.get("/api/ledger/checkpoint.json").json()["note"] == note
    checkpoint = verify_checkpoint(note, key)
    assert checkpoint is not None and checkpoint.size == ledger_size(ctx)
    leaf = api.get("/api/ledger/leaves/2").json()
    path = [bytes.fromhex(item) for item in leaf["proof"]]
    assert verify_inclusion(leaf_hash(leaf["leaf"].encode()), 2, checkpoint.size, path, checkpoint.root)
    register(ctx, staff, BirthDeclaration(**birth(first_name="نازنین")))
    proof = api.get("/api/ledger/consistency", params={"old_size": checkpoint.size}).json()
    assert proof["new_size"] == ledger_size(ctx)
    assert verify_consistency(
        checkpoint.size,
        proof["new_size"],
        checkpoint.root,
        bytes.fromhex(proof["new_root"]),
        [bytes.fromhex(item) for item in proof["proof"]],
    )


def test_ledger_endpoints_refuse_impossible_positions(api, ctx, staff):
    register(ctx, staff, BirthDeclaration(**birth()))
    beyond = ledger_size(ctx) + 1
    assert api.get(f"/api/ledger/leaves/{beyond}").json()["code"] == "ledger.no_leaf"
    assert api.get("/api/ledger/consistency", params={"old_size": beyond}).json()["code"] == "ledger.sizes"
    assert api.get("/api/ledger/consistency", params={"old_size": 0}).status_code == 422


def _person_id(ctx, code):
    with ctx.db.snapshot() as session:
        return session.scalar(select(Person.id).where(Person.national_code == code))
