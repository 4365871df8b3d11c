"""Certificates as PDF, typeset by Typst: correct Arabic-script shaping and right-to-left layout from a
library wheel with no system dependencies; the Persian font (Noto Sans Arabic) comes from PyPI too."""

import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import fontpkg
import segno
import typst

from ..core.vocabulary import CERTIFICATE_FA
from ..ports import CertificatePage
from .facts import fa, fact_rows


@dataclass(frozen=True)
class PrintedCertificate:
    """Everything on the paper: the facts as signed, what is printed beside them, and the QR's code."""

    serial: str
    kind: str
    facts: dict[str, Any]
    details: dict[str, Any]
    code: str
    issued_on_jalali: str
    office_name: str
    county_names: dict[str, str]
    verify_url: str


@lru_cache(maxsize=1)
def _template() -> bytes:
    return (resources.files("sabt.certificates") / "templates" / "certificate.typ").read_bytes()


@lru_cache(maxsize=1)
def font_dir() -> Path:
    return Path(fontpkg.path("Noto Sans Arabic")).parent


def qr_svg(code: str) -> str:
    buffer = io.BytesIO()
    # Level M recovers 15% of the symbol: enough for a creased or stamped paper, small enough to print.
    segno.make(code, error="m", micro=False).save(buffer, kind="svg", border=4, dark="#000", light="#fff")
    return buffer.getvalue().decode("ascii")


def certificate_page(certificate: PrintedCertificate) -> CertificatePage:
    """The certificate worded for the paper: what any renderer lays out."""
    return CertificatePage(
        title=CERTIFICATE_FA[certificate.kind],
        issuer="سازمان ثبت احوال کشور",
        serial=certificate.serial,
        rows=fact_rows(certificate.facts, certificate.county_names),
        sections=_sections(certificate),
        issued_on=fa(certificate.issued_on_jalali),
        office=certificate.office_name,
        verify_hint=f"اصالت این گواهی را با خواندن کد QR در برنامه تأیید یا در {certificate.verify_url} بررسی کنید.",
        footer=f"{certificate.serial} · {certificate.verify_url}",
        code=certificate.code,
    )


class TypstRenderer:
    """The real renderer: an A5 page typeset by Typst from `templates/certificate.typ`."""

    def render(self, page: CertificatePage) -> bytes:
        data = {
            "title": page.title,
            "issuer_fa": page.issuer,
            "serial": page.serial,
            "rows": page.rows,
            "sections": page.sections,
            "issued_on": page.issued_on,
            "office": page.office,
            "verify_hint": page.verify_hint,
            "footer": page.footer,
        }
        return bytes(
            typst.compile(  # type: ignore[call-overload]  # (its stubs tie font paths to the input type)
                _template(),
                output=None,
                format="pdf",
                font_paths=[str(font_dir())],
                sys_inputs={"data": json.dumps(data, ensure_ascii=False), "qr": qr_svg(page.code)},
            )
        )


def _sections(certificate: PrintedCertificate) -> list[dict[str, object]]:
    if certificate.kind not in ("birth", "extract"):
        return []
    details = certificate.details
    return [
        {
            "title": "ازدواج و طلاق",
            "columns": ["همسر", "کد ملی", "تاریخ ازدواج", "تاریخ پایان"],
            "rows": [[fa(cell) for cell in row] for row in details.get("marriages", [])],
        },
        {
            "title": "فرزندان",
            "columns": ["نام", "کد ملی", "تاریخ تولد"],
            "rows": [[fa(cell) for cell in row] for row in details.get("children", [])],
        },
    ]
