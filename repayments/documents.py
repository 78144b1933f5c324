"""The scans sent with a written prepayment application (DOMAIN.md §5): images or PDF only,
the type judged by the content (never by the name or the declared type), size- and
pixel-limited, images re-encoded (their metadata and anything hidden in them dropped),
PDFs checked with pypdf (no encryption, no JavaScript or other active content, a sane
number of pages), then stored encrypted in the private file store."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject, IndirectObject

from common.exceptions import InvalidInput
from common.images import ImageLimits, ImageRefused, image_check

PDF_MAGIC = b"%PDF-"
# Names whose presence anywhere in a PDF means active content we do not open (an opening
# or additional action is refused through the kind of action, `/S`, it names).
_ACTIVE_NAMES = (
    "/JavaScript",
    "/JS",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/SubmitForm",
    "/ImportData",
)


class DocumentRefused(InvalidInput):
    default_code = "document_refused"


@dataclass(frozen=True)
class CleanDocument:
    data: bytes
    content_type: str
    sha256: str


def _limits() -> dict[str, int]:
    limits: dict[str, int] = settings.UPLOADS["DOCUMENTS"]
    return limits


def document_clean(data: bytes) -> CleanDocument:
    """The document as it will be stored, or `DocumentRefused` saying what is wrong."""
    limits = _limits()
    if not data:
        raise DocumentRefused("The file is empty.", code="document_empty")
    if len(data) > limits["max_bytes"]:
        raise DocumentRefused(
            f"The file is larger than {limits['max_bytes'] // 1_000_000} MB.",
            code="document_too_large",
        )
    if data.startswith(PDF_MAGIC):
        return _pdf(data, max_pages=limits["max_pages"])
    return _image(data)


def _image(data: bytes) -> CleanDocument:
    try:
        info = image_check(data, ImageLimits.from_settings("document"), decode=True)
    except ImageRefused as exc:
        code = "document_not_image_or_pdf" if exc.code == "unsupported_format" else exc.code
        message = (
            "Send a photo (JPEG or PNG) or a PDF of the document."
            if exc.code == "unsupported_format"
            else exc.message
        )
        raise DocumentRefused(message, code=code) from exc
    with Image.open(io.BytesIO(data), formats=[info.format]) as image:
        clean = image.convert("RGB")
        out = io.BytesIO()
        # Re-encoded: EXIF (location, device), comments and trailing data are dropped.
        clean.save(out, format="JPEG", quality=90, optimize=True)
    encoded = out.getvalue()
    return CleanDocument(encoded, "image/jpeg", hashlib.sha256(encoded).hexdigest())


def _walk(value: object, seen: set[int], depth: int = 0) -> str | None:
    """The first active-content name found in a parsed object tree."""
    if depth > 60:
        return "deeply nested objects"
    if isinstance(value, IndirectObject):
        if value.idnum in seen:
            return None
        seen.add(value.idnum)
        try:
            value = value.get_object()
        except (PdfReadError, ValueError, KeyError, RecursionError):
            return "an unreadable object"
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            if key in _ACTIVE_NAMES:
                return str(key)
            if key == "/S" and item in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
                return str(item)
            found = _walk(item, seen, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _walk(item, seen, depth + 1)
            if found:
                return found
    return None


def _pdf(data: bytes, *, max_pages: int) -> CleanDocument:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DocumentRefused(
                "The PDF is encrypted or password-protected: send it without a password.",
                code="pdf_encrypted",
            )
        pages = len(reader.pages)
        if pages == 0 or pages > max_pages:
            raise DocumentRefused(
                f"The PDF must have between 1 and {max_pages} pages.", code="pdf_pages"
            )
        found = _walk(reader.trailer, set())
    except DocumentRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, OSError) as exc:
        raise DocumentRefused("The PDF could not be read.", code="pdf_unreadable") from exc
    if found:
        raise DocumentRefused(
            f"The PDF holds active content ({found}); send a plain scan.", code="pdf_active_content"
        )
    return CleanDocument(data, "application/pdf", hashlib.sha256(data).hexdigest())
