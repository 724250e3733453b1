"""Test data for the applications app: persons, scans of every kind, a ready-to-submit case."""
from __future__ import annotations

import io
import itertools
import struct
import zlib
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from hromada.catalog.models import Timing
from hromada.persons.models import IdDocumentType, Person, Sex
from hromada.territory.models import Unit

_seq = itertools.count(1)


def make_person(hromada: Unit, **fields) -> Person:
    n = next(_seq)
    defaults = dict(last_name="Петренко", first_name="Марія", patronymic="Іванівна", birth_date=date(1990, 5, 17),
                    sex=Sex.FEMALE, rnokpp=f"{3300000000 + n * 7919 % 99999999:010d}",
                    id_document_type=IdDocumentType.ID_CARD, id_document_number=f"{100000000 + n * 7:09d}",
                    street="вул. Соборна", house="5", flat="3", phone="+380671234567",
                    registered_hromada=hromada, name_key=f"петренко марія іванівна {n}")
    defaults.update(fields)
    return Person.objects.create(**defaults)


def pdf_bytes(pages: int = 1, *, password: str | None = None, seed: int = 0) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595 + seed, height=842)
    if password:
        writer.encrypt(password)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def png_bytes(size=(40, 30), color=(200, 10, 10)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def bomb_png(width: int = 60000, height: int = 60000) -> bytes:
    """A tiny PNG whose header claims billions of pixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def upload(content: bytes, name: str = "scan.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def fill_required(app, actor, *, timing=Timing.BEFORE_SUBMIT):
    """Attach a distinct one-page PDF to every checklist item of ``timing``."""
    from hromada.applications.services.documents import attach_document

    for i, req in enumerate(app.service.documents.filter(timing=timing)):
        attach_document(actor=actor, application_id=app.pk, document_code=req.code,
                        uploaded_file=upload(pdf_bytes(seed=i + 1 + 100 * app.pk), f"{req.code}.pdf"))
