"""Certificates: verifications per second against raw Ed25519 verification of the same signed bytes, and
PDFs rendered per second against Typst compiling a one-line page with the same font.

Offline verification is Base45 + zlib + CBOR + COSE_Sign1 + key look-up + signature; the online check adds
the registry's record of the serial (one indexed read) on SQLite and on PostgreSQL.
"""

import statistics
import time
from pathlib import Path
from typing import Any

import typst

from sabt.certificates import service as certificates
from sabt.certificates import verification
from sabt.certificates.render import font_dir
from sabt.certificates.schemas import CertificateRequest
from sabt.certificates.signed_code import decode_code
from sabt.synth.service import SynthRequest, generate_nation

from .common import fresh_registry, office_head, postgres_version, report, write_result
from .loading import timed_import
from .reading import sample_codes

REPEATS = 5
PDFS = 50
MINIMAL_PAGE = '#set text(font: "Noto Sans Arabic", lang: "fa", dir: rtl)\n#set page(paper: "a5")\nشناسنامه'.encode()


def run_certificates(people: int, count: int, workdir: Path) -> None:
    folder = workdir / "certificates-nation"
    generate_nation(SynthRequest(people=people, years=1, seed=4), folder)
    result: dict[str, Any] = {
        "people": people,
        "certificates": count,
        "repeats": REPEATS,
        "postgres": postgres_version(),
    }
    for backend in ("sqlite", "postgresql"):
        with fresh_registry(backend, workdir) as ctx:
            head = office_head(ctx)
            timed_import(ctx, head, folder / "persons.csv")
            issued = _issue(ctx, head, sample_codes(ctx, count))
            codes = [certificate.code for certificate in issued]
            if backend == "sqlite":
                result["offline"] = _offline(ctx, codes)
                result["render"] = _render(ctx, head, [certificate.serial for certificate in issued[:PDFS]])
            result[backend] = _online(ctx, codes)
    write_result("certificates", result)


def _issue(ctx: Any, head: Any, national_codes: list[str]) -> list[Any]:
    requests = [CertificateRequest(kind="birth", national_code=code) for code in national_codes]
    return [certificates.issue_certificate(ctx, actor=head, request=request) for request in requests]


def _median_rate(action: Any, count: int) -> float:
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return count / statistics.median(timings)


def _raw_rate(ctx: Any, codes: list[str]) -> float:
    """The floor: Ed25519 verification alone, of the very bytes and signatures the codes carry."""
    keys = certificates.public_keys(ctx)
    signed = [(keys.keys[0].public, code.signature, code.signed_bytes()) for code in map(decode_code, codes)]
    return _median_rate(lambda: [public.verify(signature, data) for public, signature, data in signed], len(codes))


def _offline(ctx: Any, codes: list[str]) -> dict[str, Any]:
    keys, now = certificates.public_keys(ctx), ctx.now()
    rate = _median_rate(lambda: [verification.verify_offline(code, keys, now=now) for code in codes], len(codes))
    raw = _raw_rate(ctx, codes)
    report("certificates (offline verify)", f"{rate:,.0f} codes/s", rate / raw, "raw Ed25519 verification")
    return {"per_second": round(rate), "raw_signature_per_second": round(raw), "ratio": round(rate / raw, 3)}


def _online(ctx: Any, codes: list[str]) -> dict[str, Any]:
    checks = verification.check_log(ctx)  # where each check came from, written as the server writes it

    def verify_all() -> None:
        for code in codes:
            assert verification.verify_online(ctx, text=code, channel="api", checks=checks).verdict == "genuine"

    rate, raw = _median_rate(verify_all, len(codes)), _raw_rate(ctx, codes)
    backend = "sqlite" if ctx.db.is_sqlite else "postgresql"
    report(f"certificates (online verify, {backend})", f"{rate:,.0f} codes/s", rate / raw, "raw Ed25519 verification")
    return {"online_per_second": round(rate), "raw_signature_per_second": round(raw), "ratio": round(rate / raw, 3)}


def _render(ctx: Any, head: Any, serials: list[str]) -> dict[str, Any]:
    """Printing: the certificate PDF (facts, tables, QR) through the service, which also records each copy."""

    def print_all() -> None:
        for serial in serials:
            certificates.print_certificate(ctx, actor=head, serial=serial)

    def minimal_pages() -> None:
        for _ in serials:
            typst.compile(MINIMAL_PAGE, format="pdf", font_paths=[str(font_dir())])

    rate, floor = _median_rate(print_all, len(serials)), _median_rate(minimal_pages, len(serials))
    report("certificates (print PDF)", f"{rate:,.0f} PDFs/s", rate / floor, "Typst compiling a one-line page")
    return {
        "pdfs_per_second": round(rate, 1),
        "minimal_pages_per_second": round(floor, 1),
        "ratio": round(rate / floor, 3),
        "pdfs": len(serials),
    }
