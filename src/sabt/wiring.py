"""The composition root: the one place that knows every feature, builds the context use cases run in, and
wires the features that react to another's registrations."""

import os

from .cards import service as cards
from .certificates import service as certificates
from .clock import Clock, SystemClock
from .config import Settings
from .context import Context, Reactions
from .db import Database, open_database
from .keystore import Signer, open_key_store
from .ledger.service import LEDGER_KEY, LedgerWriter, install

# What other features do, in the same transaction, when the registry registers a death or corrects a record.
REACTIONS: Reactions = {
    "death.registered": (cards.revoke_for_death,),
    "person.corrected": (certificates.reissue_after_correction,),
}


def open_context(settings: Settings, clock: Clock | None = None) -> Context:
    # Whatever a registry's process creates (the database and its journal, keys, printed certificates,
    # exports) holds personal data or secrets: readable by its own user only, folders 0700 and files 0600.
    os.umask(0o077)
    database = open_database(settings.resolved_database_url(), read_url=settings.read_database_url or None)
    return build_context(database, settings, clock or SystemClock())


def build_context(database: Database, settings: Settings, clock: Clock) -> Context:
    keys = open_key_store(settings)
    # Every write transaction appends its evidence rows to the ledger and signs the new head with this key.
    install(database, LedgerWriter(Signer(keys, LEDGER_KEY), settings.ledger_origin, clock))
    return Context(database, settings, clock, REACTIONS, keys)
