"""Settings, read once from SABT_* environment variables when an app or command starts."""

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SABT_", frozen=True)

    data_dir: Path = Path("var")
    # Empty means the SQLite file registry.db in data_dir.
    database_url: str = ""
    # A PostgreSQL read replica for read-only use cases (look-ups, search, proofs); empty: the primary.
    read_database_url: str = ""
    timezone: str = "Asia/Tehran"
    # Civil Code art. 1041: marriage of a girl under 13 or a boy under 15 (solar years) needs a court's
    # permission that this registry does not model, so these are the floors it enforces.
    min_marriage_age_female: int = Field(13, ge=0)
    min_marriage_age_male: int = Field(15, ge=0)
    # Family Protection Law 1391 art. 16: a further permanent marriage needs a court's permission.
    max_wives: int = Field(4, ge=1)
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    token_hours: int = Field(12, ge=1)
    # Staff sign in with a password and a second factor (an authenticator app's code or a passkey); only the
    # demo turns this off. Sensitive steps ask for the factor again once it is older than step_up_minutes.
    second_factor: bool = True
    step_up_minutes: int = Field(5, ge=1, le=60)
    earliest_date: str = "1900-01-01"
    # The ledger's name in its signed checkpoints; give each deployment its own (e.g. its host name).
    ledger_origin: str = "sabt.localhost/ledger"
    # The checkpoint signing key; empty means keys/ledger-ed25519.pem in data_dir, created on first use.
    ledger_key_path: str = ""
    # How often the server signs a checkpoint when the log has grown; 0 signs only on demand.
    checkpoint_seconds: int = Field(60, ge=0)
    # Where the signing keys live: key files in the data directory, or a PKCS#11 token (an HSM) that keeps
    # them inside; `memory` keeps them in the process only, for tests (what it signed cannot be verified once
    # the process ends). The PIN comes from SABT_PKCS11_PIN_FILE (a file readable by the registry's user only) or
    # SABT_PKCS11_PIN; it never goes in a command line.
    key_store: Literal["file", "pkcs11", "memory"] = "file"
    pkcs11_module: str = "/usr/lib/softhsm/libsofthsm2.so"
    pkcs11_token: str = "sabt"  # noqa: S105 - the token's label, not a secret
    pkcs11_pin: str = Field("", repr=False)
    pkcs11_pin_file: str = ""
    # The witnesses that cosign the ledger's checkpoints, one `name+keyid+base64key=URL` each, separated by
    # spaces (a verifier key, then the witness's submission prefix); and how many must cosign a checkpoint
    # for it to count as witnessed (0: all of them).
    witnesses: str = ""
    witness_quorum: int = Field(0, ge=0)

    # Who signs certificates (the `iss` of every certificate code); one per organization.
    certificate_issuer: str = "sabt.localhost"
    # Certificate signing keys: private keys as files here; empty means keys/certificates in data_dir.
    certificate_key_dir: str = ""
    # How long a new signing key signs before it must be rotated.
    certificate_key_days: int = Field(365, ge=1)
    # The `iss` of identity QRs (ID Claim 169): an https URL of the registry, where verifiers find its key set
    # (`/.well-known/jwks.json` under it).
    credential_issuer: str = Field("https://sabt.localhost", pattern=r"^https://[^\s/?#]+(/[^\s?#]*)?$")
    # The address printed under each QR for online verification.
    public_url: str = "http://127.0.0.1:8000"
    # How many server processes serve partners: each admits its share of a partner's rate limit.
    # `sabt serve --workers N` sets it for its processes; behind a load balancer, the processes of all hosts.
    server_processes: int = Field(1, ge=1)
    # The server's log lines: one JSON object each, with the request's id (for a log collector), or uvicorn's
    # own text (for a person at a terminal).
    log_format: Literal["json", "text"] = "json"
    # How often the server relays registrations to partners' webhooks; 0: only `sabt webhooks deliver`.
    webhook_seconds: int = Field(5, ge=0)
    # How long a smart national card is valid from its production (printed on the card and in its chip).
    card_valid_years: int = Field(7, ge=1, le=20)
    # What the public dashboard's rates are per person of: the 1395 census, or the persons alive in the
    # registry (for a registry that holds the whole population, and for the demo's small synthetic one).
    stats_base: Literal["census", "registry"] = "census"
    # The crude birth rate (births a year per 1,000 people) an office's completeness expects of its counties'
    # populations: 12.2 is 1.1 million births a year in a nation of 90 million.
    expected_birth_rate: float = Field(12.2, gt=0, le=100)
    # The crude death rate the statistics' completeness expects: 5.0 is 450 thousand deaths a year in 90 million.
    expected_death_rate: float = Field(5.0, gt=0, le=100)
    # How long the dashboard's figures are reused before they are computed again; 0 computes every time.
    stats_cache_seconds: int = Field(300, ge=0)
    # The match probability from which the model puts a pair in the review queue and warns a registrar.
    linkage_threshold: float = Field(0.9, gt=0, lt=1)
    # Uploads of photos, scans and PDFs of certificates may be larger than JSON bodies.
    max_upload_bytes: int = Field(5 * 1024 * 1024, ge=1024)

    # The parts the bootstrap builds (bootstrap.py), each real by default. The others are fakes for tests:
    # `plain` prints a certificate's serial and QR code without typesetting it, `recording` keeps webhook
    # bodies in memory instead of sending them, and an instant with its zone (2026-03-21T08:00:00+03:30)
    # stops the clock there.
    pdf_renderer: Literal["typst", "plain"] = "typst"
    webhook_sender: Literal["http", "recording"] = "http"
    clock: Literal["system"] | AwareDatetime = "system"

    @field_validator("clock", mode="before")
    @classmethod
    def _instant_in_utc(cls, value: object) -> object:
        """An instant is written out with its zone (a bare number would be read as seconds since 1970), and
        the clock tells it in UTC, as every clock does."""
        if value == "system":
            return value
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                raise ValueError("the clock is `system` or an ISO 8601 instant with its zone") from None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError("the clock is `system` or an ISO 8601 instant with its zone")
        return value.astimezone(dt.UTC)

    def certificate_keys_dir(self) -> Path:
        return Path(self.certificate_key_dir) if self.certificate_key_dir else self.data_dir / "keys" / "certificates"

    def secret_file(self, name: str) -> Path:
        """A secret key of the server's own (created on first use, 0600): `partner-tokens` behind partner
        tokens, `forms` behind the sign-in form's token, `second-factors` sealing TOTP secrets."""
        return self.data_dir / "keys" / f"{name}.key"

    def ledger_key_file(self) -> Path:
        return Path(self.ledger_key_path) if self.ledger_key_path else self.data_dir / "keys" / "ledger-ed25519.pem"

    def key_file(self, label: str) -> Path:
        """Where the file key store keeps the key of `label` (`ledger`, `certificate-<key id>`)."""
        if label == "ledger":
            return self.ledger_key_file()
        kind, _, name = label.partition("-")
        if kind != "certificate" or not name.isalnum():
            raise ValueError(f"no key file for label {label!r}")
        return self.certificate_keys_dir() / f"{name}.pem"

    def pkcs11_pin_value(self) -> str:
        if self.pkcs11_pin_file:
            return Path(self.pkcs11_pin_file).read_text(encoding="utf-8").strip()
        return self.pkcs11_pin

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'registry.db'}"
