"""Checking an uploaded scan before it is stored: type from the content, size, pages, integrity.

The extension and the browser's content type are ignored: a ".pdf" that is really an executable is
refused. Only PDF, JPEG, PNG and TIFF are accepted (what scanners produce and the back office can view).
"""
from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from hromada.core.errors import ValidationFailed

ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
}
# Decompression-bomb guard: a scanned A4 page at 600 dpi is ~35 Mpx; anything far beyond is refused.
DEFAULT_MAX_IMAGE_PIXELS = 90_000_000


@dataclass(frozen=True)
class InspectedFile:
    content_type: str
    extension: str
    size: int
    sha256: str
    pages: int


def _read_all(uploaded) -> bytes:
    uploaded.seek(0)
    chunks = [chunk for chunk in uploaded.chunks()] if hasattr(uploaded, "chunks") else [uploaded.read()]
    uploaded.seek(0)
    return b"".join(chunks)


def inspect_upload(uploaded) -> InspectedFile:
    """Validate ``uploaded`` (a Django UploadedFile or File); raise ValidationFailed with a code otherwise."""
    limit = settings.HROMADA_MAX_UPLOAD_BYTES
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    data = _read_all(uploaded)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise ValidationFailed(_("Файл порожній."), code="empty_file")
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationFailed(
            _("Непідтримуваний тип файлу. Приймаються скани у форматах PDF, JPEG, PNG або TIFF "
            "(тип визначається за вмістом файлу, а не за розширенням)."),
            code="unsupported_file_type", details={"detected": kind.mime if kind else None})
    pages = _pdf_pages(data) if kind.mime == "application/pdf" else _image_pages(data)
    return InspectedFile(content_type=kind.mime, extension=ALLOWED[kind.mime], size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), pages=pages)


def _too_large(limit: int) -> ValidationFailed:
    return ValidationFailed(
        _("Файл завеликий: максимум %(mb)s МБ. Відскануйте документ з меншою роздільністю.") % {
            "mb": round(limit / 1024 / 1024, 1)},
        code="file_too_large", details={"max_bytes": limit})


def _pdf_pages(data: bytes) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise ValidationFailed(
                    _("PDF-файл захищений паролем (зашифрований). Завантажте незахищену копію."), code="encrypted_pdf")
            pages = len(reader.pages)
    except ValidationFailed:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise ValidationFailed(_("PDF-файл пошкоджений і не читається. Відскануйте документ ще раз."),
                               code="malformed_pdf") from None
    if pages < 1:
        raise ValidationFailed(_("PDF-файл не містить жодної сторінки."), code="malformed_pdf")
    max_pages = settings.HROMADA_MAX_PDF_PAGES
    if pages > max_pages:
        raise ValidationFailed(
            _("У PDF-файлі %(pages)s сторінок, дозволено не більше %(max)s.") % {"pages": pages, "max": max_pages},
            code="too_many_pages", details={"pages": pages, "max_pages": max_pages})
    return pages


def _image_pages(data: bytes) -> int:
    max_pixels = getattr(settings, "HROMADA_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                # The header alone gives the size: refuse bombs before decoding any pixel.
                width, height = img.size
                if width * height > max_pixels:
                    raise _image_too_large(width, height)
                frames = getattr(img, "n_frames", 1) or 1
                img.verify()
            # verify() does not decode; a full load catches truncated scans.
            with Image.open(io.BytesIO(data)) as img:
                img.load()
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(_("Зображення завелике (забагато пікселів)."), code="image_too_large") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
        raise ValidationFailed(_("Файл зображення пошкоджений і не читається. Відскануйте документ ще раз."),
                               code="malformed_image") from None
    return frames


def _image_too_large(width: int, height: int) -> ValidationFailed:
    return ValidationFailed(
        _("Зображення завелике: %(w)s×%(h)s пікселів. Відскануйте з меншою роздільністю.") % {"w": width, "h": height},
        code="image_too_large", details={"width": width, "height": height})
