import datetime as dt

from pydantic import BaseModel, Field


class RegistryCopy(BaseModel):
    """A registry file as a backup or a restore left it, and what its ledger holds."""

    path: str = Field(description="The file written: the backup, or the registry restored")
    ledger_size: int = Field(description="How many changes its ledger holds")
    checkpoint_size: int | None = Field(description="The size of its last signed checkpoint; null when it has none")
    checkpoint_at: dt.datetime | None = Field(description="When that checkpoint was signed")
