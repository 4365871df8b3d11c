"""Finding the certificate code in what a verifier has: the text itself, a photo or scan, or the PDF."""

import io
import warnings
from collections.abc import Iterable, Iterator

import pypdfium2
import zxingcpp
from PIL import Image

from .errors import UploadFormat, UploadNoQr, UploadUnreadable

PDF_DPI = 200
MAX_PDF_PAGES = 4
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; anything larger is refused before it is decoded
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def code_from_bytes(data: bytes) -> str:
    """The text of the first QR code in a PNG, JPEG or PDF file; otherwise the bytes as text."""
    if data.startswith(b"%PDF-"):
        return _first_code(_pdf_pages(data))
    if data.startswith(_IMAGE_MAGIC):
        return _first_code([_image(data)])
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise UploadFormat(field="file") from None


def _image(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise UploadUnreadable(field="file", kind="an image this large")
            image.load()
            return image
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadUnreadable(field="file", kind="an image") from None


def _pdf_pages(data: bytes) -> Iterator[Image.Image]:
    """The first pages (a certificate's QR is on them) as images, rendered one at a time as they are read."""
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise UploadUnreadable(field="file", kind="a PDF") from None
    try:
        for index in range(min(len(document), MAX_PDF_PAGES)):
            yield _rendered(document[index])
    finally:
        document.close()


def _rendered(page: pypdfium2.PdfPage) -> Image.Image:
    """A page at PDF_DPI, or smaller where that would pass MAX_PIXELS: a tiny file can declare a page of
    metres, which at full resolution takes gigabytes to render."""
    width, height = page.get_size()  # points
    scale = PDF_DPI / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / max(width * height, 1.0)) ** 0.5
    try:
        image: Image.Image = page.render(scale=scale).to_pil()
    except pypdfium2.PdfiumError:
        raise UploadUnreadable(field="file", kind="a PDF") from None
    return image


def _first_code(images: Iterable[Image.Image]) -> str:
    for image in images:
        for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
            if found.text:
                return str(found.text)
    raise UploadNoQr(field="file")
