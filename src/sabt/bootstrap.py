"""The composition root: the one place that knows every feature. It builds the context use cases run in, with
each port (clock, key store, PDF renderer, webhook sender) chosen by settings, and wires the features that
react to another's registrations."""

import datetime as dt
import logging
import os

from .cards import service as cards
from .certificates import service as certificates
from .clock import Clock, FixedClock, SystemClock
from .config import Settings
from .context import Context, Reactions
from .db import Database, open_database
from .keys import Signer, open_key_store
from .ledger.service import LEDGER_KEY, LedgerWriter, install
from .ports import PdfRenderer, WebhookSender
from .verification import service as verification

log = logging.getLogger("sabt.bootstrap")

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
    return build_context(database, settings, clock)


def build_context(database: Database, settings: Settings, clock: Clock | None = None) -> Context:
    """The context over `database`; a clock given here (a test's, a seeding's) takes the place of the set one."""
    clock = clock or settings_clock(settings)
    for fake in chosen_fakes(settings):
        log.warning("%s is a fake for tests: a registry in service must not run on it", fake)
    keys = open_key_store(settings)
    # Every write transaction appends its evidence rows to the ledger and signs the new head with this key.
    install(database, LedgerWriter(Signer(keys, LEDGER_KEY), settings.ledger_origin, clock))
    return Context(database, settings, clock, REACTIONS, keys, pdf_renderer(settings), webhook_sender(settings))


def chosen_fakes(settings: Settings) -> list[str]:
    chosen = [
        ("SABT_KEY_STORE=memory", settings.key_store == "memory"),
        ("SABT_PDF_RENDERER=plain", settings.pdf_renderer == "plain"),
        ("SABT_WEBHOOK_SENDER=recording", settings.webhook_sender == "recording"),
        ("SABT_CLOCK", settings.clock != "system"),
    ]
    return [name for name, is_chosen in chosen if is_chosen]


def settings_clock(settings: Settings) -> Clock:
    return FixedClock(settings.clock) if isinstance(settings.clock, dt.datetime) else SystemClock()


def pdf_renderer(settings: Settings) -> PdfRenderer:
    return certificates.PlainPdfRenderer() if settings.pdf_renderer == "plain" else certificates.TypstRenderer()


def webhook_sender(settings: Settings) -> WebhookSender:
    return verification.RecordingSender() if settings.webhook_sender == "recording" else verification.HttpSender()
