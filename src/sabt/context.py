"""What every use case needs besides its arguments: the database, the settings, the ports (the clock, the key
store, the PDF renderer, the webhook sender) and what other features do when a registration happens (the
reactions). The bootstrap (`bootstrap.py`) builds it."""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from .clock import Clock, local_date
from .config import Settings
from .core.permissions import Actor
from .db import Database
from .keys import KeyStore
from .ports import PdfRenderer, WebhookSender

# A feature's step taken in the same transaction as another feature's registration or correction: revoking a
# deceased person's card, reissuing a corrected person's certificates. It is called with the context, the
# notice's payload (for a registration, as sent to partners), who did it and when, and returns what it changed
# as data for the caller to report (the certificates it reissued), or nothing.
Reaction = Callable[["Context", Session, Mapping[str, Any], Actor, dt.datetime], Sequence[Mapping[str, Any]] | None]
Reactions = Mapping[str, Sequence[Reaction]]


@dataclass(frozen=True)
class Context:
    db: Database
    settings: Settings
    clock: Clock
    reactions: Reactions
    keys: KeyStore
    pdf: PdfRenderer
    webhooks: WebhookSender

    def today(self) -> dt.date:
        return local_date(self.clock, self.settings.timezone)

    def now(self) -> dt.datetime:
        return self.clock.now()
