"""Certificates, their printings and the signing keys as the ledger audit reads them back."""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Certificate, CertificatePrint, SigningKey


def certificate_content(certificate: Certificate) -> dict[str, Any]:
    """What the ledger commits to for a certificate (the audit recomputes it from the row)."""
    return {"serial": certificate.serial, "kind": certificate.kind, "digest": certificate.digest,
            "code": hashlib.sha256(certificate.code.encode()).hexdigest(), "kid": certificate.kid,
            "status": certificate.status, "superseded_by": certificate.superseded_by,
            "end_reason": certificate.end_reason}  # fmt: skip


def print_content(printed: CertificatePrint, serial: str) -> dict[str, Any]:
    return {
        "serial": serial,
        "copy": printed.copy_number,
        "office": printed.office_id,
        "by": printed.printed_by,
        "at": printed.printed_at.isoformat(),
    }


def key_content(row: SigningKey) -> dict[str, Any]:
    return {
        "kid": row.kid,
        "public_key": row.public_key.hex(),
        "not_before": row.not_before.isoformat(),
        "not_after": row.not_after.isoformat() if row.not_after else None,
    }


@dataclass
class _Records:
    record_type: str
    rows: Callable[[Session], Iterator[tuple[str, dict[str, Any]]]]

    def current(self, session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
        return self.rows(session)


def _certificates(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    for row in session.scalars(select(Certificate).execution_options(yield_per=10_000)):
        yield row.serial, certificate_content(row)


def _prints(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    query = select(CertificatePrint, Certificate.serial).join(Certificate)
    for printed, serial in session.execute(query.execution_options(yield_per=10_000)):
        yield str(printed.id), print_content(printed, serial)


def _keys(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    for row in session.scalars(select(SigningKey)):
        yield row.kid, key_content(row)


RECORD_SOURCES = (
    _Records("certificate", _certificates),
    _Records("certificate_print", _prints),
    _Records("certificate_key", _keys),
)
