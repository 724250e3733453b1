"""Display filters shared by every app's templates: sizes as the interface writes them."""
from django import template

from hromada.core.text import format_file_size

register = template.Library()


@register.filter
def file_size(value) -> str:
    """``{{ doc.size|file_size }}`` → "20 МБ"."""
    try:
        return format_file_size(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def file_kind(content_type: str) -> str:
    """``application/pdf`` → "PDF", ``image/png`` → "PNG": the file's kind, not its MIME code."""
    kind = (content_type or "").rsplit("/", 1)[-1]
    return {"jpeg": "JPEG", "pjpeg": "JPEG", "tiff": "TIFF"}.get(kind, kind.upper())
