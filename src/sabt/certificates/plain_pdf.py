"""The PDF renderer's fake: one A5 page written directly, with no typesetting and no embedded font. It draws
the serial and the verification address in a standard PDF font (Latin text, which every reader has) and the
QR code as black squares, and no Persian. It is for tests that print certificates but do not look at the
paper, and for timing the rest of printing without Typst; the conformance test holds it to the real
renderer's contract: one page whose text carries the serial and whose QR code reads back."""

import segno

from ..ports import CertificatePage

A5 = (420, 595)  # points
QR_WIDTH = 200  # points: larger than the real paper's, since nothing else competes for the page


class PlainPdfRenderer:
    def render(self, page: CertificatePage) -> bytes:
        content = _text(page) + _squares(page.code)
        width, height = A5
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] " % (width, height)
            + b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        ]
        return write_pdf(objects)


def _text(page: CertificatePage) -> bytes:
    lines = [(14, 540, page.serial), (8, 40, page.footer)]
    return b"".join(b"BT /F1 %d Tf 40 %d Td (%s) Tj ET\n" % (size, y, _literal(text)) for size, y, text in lines)


def _squares(code: str) -> bytes:
    """Each dark module of the QR symbol as a filled square, with the quiet zone the symbol needs left white."""
    symbol = segno.make(code, error="m", micro=False)
    modules = symbol.matrix
    size = QR_WIDTH / len(modules)
    left, top = (A5[0] - QR_WIDTH) / 2, 480
    squares = [
        b"%.3f %.3f %.3f %.3f re\n" % (left + column * size, top - (row + 1) * size, size, size)
        for row, line in enumerate(modules)
        for column, dark in enumerate(line)
        if dark
    ]
    return b"0 g\n" + b"".join(squares) + b"f\n"


def _literal(text: str) -> bytes:
    """A PDF string literal's bytes in WinAnsi (cp1252), with its delimiters escaped; what it cannot show
    becomes a question mark."""
    encoded = text.encode("cp1252", "replace")
    return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def write_pdf(objects: list[bytes]) -> bytes:
    """A PDF file of these objects, numbered from 1 (the first is the catalogue), with its cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table)
    return bytes(out)
