"""The key store on a real PKCS#11 token (SoftHSM2): keys made inside it and never written to disk, the ledger
head, checkpoints and certificates signed by it, a dropped session reopened, and a token that cannot be
reached answered 503 with nothing written."""

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select

from sabt.bootstrap import build_context
from sabt.clock import FixedClock
from sabt.config import Settings
from sabt.context import Context
from sabt.core.errors import Unavailable
from sabt.db import open_database
from sabt.keys import Pkcs11KeyStore
from sabt.ledger import service as ledger
from sabt.ledger.audit import audit
from sabt.migrations import upgrade
from sabt.registry import service as registry
from sabt.registry.events.models import Event

from ..conftest import PIN, SOFTHSM_MODULE, TEST_NOW, _add_staff, new_database
from ..registry.factories import BirthDeclaration, birth, register


def test_a_key_made_in_the_token_signs_and_a_dropped_session_is_reopened(softhsm_token):
    store = Pkcs11KeyStore(SOFTHSM_MODULE, softhsm_token, PIN)
    public = store.create("ledger-test")
    Ed25519PublicKey.from_public_bytes(public).verify(store.sign("ledger-test", b"head"), b"head")
    with pytest.raises(FileExistsError):
        store.create("ledger-test")
    store.session.close()  # the HSM restarted, say: the store's session is gone
    Ed25519PublicKey.from_public_bytes(public).verify(store.sign("ledger-test", b"again"), b"again")
    # Another process sees it.
    assert Pkcs11KeyStore(SOFTHSM_MODULE, softhsm_token, PIN).public_key("ledger-test") == public


@pytest.fixture(params=["sqlite", "postgresql"])
def hsm_registry(request, softhsm_token, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """A registry of its own whose ledger was signed by the token from its first leaf."""
    for url in new_database(request.param, tmp_path_factory):
        settings = Settings(
            database_url=url,
            data_dir=tmp_path_factory.mktemp("hsm"),
            key_store="pkcs11",
            pkcs11_token=softhsm_token,
            pkcs11_pin=PIN,
            checkpoint_seconds=0,
            webhook_seconds=0,
        )
        ctx = build_context(open_database(url), settings, FixedClock(TEST_NOW))
        upgrade(ctx)
        yield ctx
        ctx.db.dispose()


def test_a_registry_on_the_token_signs_with_it_and_keeps_no_key_file(hsm_registry):
    ctx = hsm_registry
    register(ctx, _add_staff(ctx), BirthDeclaration(**birth()))
    ledger.sign_checkpoint(ctx)
    report = audit(ctx)
    assert report.findings == [] and report.tree_size > 0 and report.checkpoint_size == report.tree_size
    assert not (ctx.settings.data_dir / "keys").exists()  # nothing was written to disk


def test_a_token_that_cannot_be_reached_is_503_and_nothing_is_written(softhsm_token, backend, staff):
    settings = backend.settings.model_copy(
        update={"key_store": "pkcs11", "pkcs11_token": "no-such-token", "pkcs11_pin": PIN}
    )
    ctx = build_context(open_database(settings.resolved_database_url()), settings, FixedClock(TEST_NOW))
    try:
        with ctx.db.snapshot() as session:
            before = session.scalar(select(func.count()).select_from(Event))
        with pytest.raises(Unavailable) as refused:
            registry.declare(ctx, actor=staff["clerk"], declaration=BirthDeclaration(**birth()))
        assert refused.value.status == 503 and refused.value.code == "keys.unavailable"
        with ctx.db.snapshot() as session:
            assert session.scalar(select(func.count()).select_from(Event)) == before
    finally:
        ctx.db.dispose()
