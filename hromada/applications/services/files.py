"""Checking an uploaded scan before it is stored: type from the content, size, pages, integrity.

The extension and the browser's content type are ignored: a ".pdf" that is really an executable is
refused. Only PDF, JPEG, PNG and TIFF are accepted (what scanners produce and the back office can view).
"""
from __future__ import annotations

import hashlib
import io
import struct
import warnings
import zlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import File
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from hromada.core.errors import ValidationFailed
from hromada.core.text import format_file_size

ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
}
# Decompression-bomb guard: a scanned A4 page at 600 dpi is ~35 Mpx; anything far beyond is refused.
DEFAULT_MAX_IMAGE_PIXELS = 90_000_000
# A PDF stream inflating beyond this is a decompression bomb (a 600 dpi colour A4 page is ~100 MB raw).
DEFAULT_MAX_PDF_STREAM_BYTES = 256 * 1024 * 1024
# Walking a PDF's objects stops here (a scan has hundreds; millions are an attack on the checker itself).
MAX_PDF_OBJECTS = 200_000
# Keys that carry or trigger scripts: document/page actions, JavaScript name trees, form field actions.
_SCRIPT_KEYS = {"/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch"}


@dataclass(frozen=True)
class InspectedFile:
    content_type: str
    extension: str
    size: int
    sha256: str
    pages: int


def _read_all(uploaded: File) -> bytes:
    uploaded.seek(0)
    chunks = [chunk for chunk in uploaded.chunks()] if hasattr(uploaded, "chunks") else [uploaded.read()]
    uploaded.seek(0)
    return b"".join(chunks)


def inspect_upload(uploaded: File) -> InspectedFile:
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
        _("Файл завеликий: максимум %(size)s. Відскануйте документ з меншою роздільністю.") % {
            "size": format_file_size(limit)},
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
            _pdf_objects_safe(reader)
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


def _pdf_objects_safe(reader: PdfReader) -> None:
    """Walk every object reachable from the trailer: refuse scripts (a scan has none) and streams or images
    that would inflate beyond the limits when the back office opens the file."""
    max_stream = getattr(settings, "HROMADA_MAX_PDF_STREAM_BYTES", DEFAULT_MAX_PDF_STREAM_BYTES)
    max_pixels = getattr(settings, "HROMADA_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    seen: set[tuple[int, int]] = set()
    todo = [reader.trailer]
    walked = 0
    while todo:
        obj = todo.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            raise ValidationFailed(_("PDF-файл містить завелику кількість об’єктів."), code="pdf_too_complex")
        if isinstance(obj, DictionaryObject):
            if _runs_script(obj):
                raise _pdf_script()
            if isinstance(obj, StreamObject):
                _stream_safe(obj, max_stream, max_pixels)
            todo.extend(v for k, v in obj.items() if k != "/Parent")
        elif isinstance(obj, ArrayObject):
            todo.extend(obj)


def _runs_script(obj: DictionaryObject) -> bool:
    """/OpenAction alone may just open a page ([page /Fit]); it is a script only when it runs one."""
    if (_SCRIPT_KEYS - {"/OpenAction"}) & set(obj.keys()) or obj.get("/S") in ("/JavaScript", "/Launch"):
        return True
    action = obj.get("/OpenAction")
    action = action.get_object() if isinstance(action, IndirectObject) else action
    return isinstance(action, DictionaryObject) and action.get("/S") in ("/JavaScript", "/Launch")


def _pdf_script() -> ValidationFailed:
    return ValidationFailed(
        _("PDF-файл містить вбудовані сценарії (JavaScript або запуск програм). Скан такого не містить: "
          "відскануйте документ ще раз або збережіть його як зображення."), code="pdf_javascript")


def _stream_safe(stream: StreamObject, max_stream: int, max_pixels: int) -> None:
    width, height = stream.get("/Width"), stream.get("/Height")
    if stream.get("/Subtype") == "/Image" and isinstance(width, int) and isinstance(height, int) \
            and width * height > max_pixels:
        raise _image_too_large(width, height)
    raw = stream._data if isinstance(stream._data, bytes) else b""
    if len(raw) > max_stream:
        raise _stream_too_large(max_stream)
    filters = stream.get("/Filter")
    filters = [filters] if isinstance(filters, NameObject) else list(filters or [])
    if filters[:1] == ["/FlateDecode"]:
        # Inflate in bounded steps: the size is known without ever holding a bomb in memory.
        inflater, size, chunk = zlib.decompressobj(), 0, raw
        try:
            while chunk:
                size += len(inflater.decompress(chunk, 1024 * 1024))
                if size > max_stream:
                    raise _stream_too_large(max_stream)
                chunk = inflater.unconsumed_tail
        except zlib.error:
            return  # a damaged stream is the viewer's problem, not a bomb


def _stream_too_large(limit: int) -> ValidationFailed:
    return ValidationFailed(
        _("PDF-файл містить надто великий стиснутий фрагмент (понад %(mb)s МБ після розпакування). "
          "Відскануйте документ звичайним способом.") % {"mb": round(limit / 1024 / 1024)},
        code="pdf_stream_too_large", details={"max_bytes": limit})


def _image_pages(data: bytes) -> int:
    max_pixels = getattr(settings, "HROMADA_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                # The headers alone give the sizes: refuse bombs before decoding any pixel, in every frame
                # (a multi-page TIFF hides a huge page behind a small first one).
                frames = getattr(img, "n_frames", 1) or 1
                max_pages = settings.HROMADA_MAX_PDF_PAGES
                if frames > max_pages:
                    raise ValidationFailed(
                        _("У файлі %(pages)s сторінок, дозволено не більше %(max)s.") % {"pages": frames, "max": max_pages},
                        code="too_many_pages", details={"pages": frames, "max_pages": max_pages})
                for frame in range(frames):
                    img.seek(frame)
                    width, height = img.size
                    if width * height > max_pixels:
                        raise _image_too_large(width, height)
                img.seek(0)
                img.verify()
            # verify() does not decode; a full load of every frame catches truncated scans.
            with Image.open(io.BytesIO(data)) as img:
                for frame in range(frames):
                    img.seek(frame)
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
