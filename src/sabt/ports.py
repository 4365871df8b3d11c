"""The registry's pluggable parts that are not the database: what each must do, as a Protocol. The bootstrap
(`bootstrap.py`) builds one implementation of each, chosen by settings; each has a fake beside its real
implementation, and `tests/integration/platform/test_ports.py` runs one conformance test against both.

The clock (`clock.Clock`) and the key store (`keys.KeyStore`) are ports too; they sit with their
implementations because the plumbing below the features uses them."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CertificatePage:
    """What a printed certificate shows, already worded in Persian: the renderer only lays it out."""

    title: str
    issuer: str
    serial: str
    rows: list[tuple[str, str]]  # label, value
    sections: list[dict[str, object]]  # title, columns, rows: a certified list (marriages, children)
    issued_on: str
    office: str
    verify_hint: str
    footer: str
    code: str  # what the QR code holds: the signed certificate code


class PdfRenderer(Protocol):
    def render(self, page: CertificatePage) -> bytes:
        """One page of PDF whose text carries the serial and whose QR code reads back as `page.code`."""
        ...


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, headers: dict[str, str]) -> str | None:
        """POST `body` to `url`: None when the receiver answered 2xx, otherwise what went wrong."""
        ...
