"""Upload limits on every page and frame; PDFs with scripts or inflating streams refused (issue 16, finding 17)."""
import io
import zlib

import pytest
from django.test import override_settings
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from hromada.applications.services.files import inspect_upload
from hromada.core.errors import ValidationFailed

from .factories import pdf_bytes, upload


def tiff(*sizes) -> bytes:
    frames = [Image.new("L", size, 128) for size in sizes]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def refused(content) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as e:
        inspect_upload(upload(content, "scan.bin"))
    return e.value


def test_tiff_pages_count_against_the_page_limit():
    with override_settings(HROMADA_MAX_PDF_PAGES=2):
        error = refused(tiff((20, 20), (20, 20), (20, 20)))
        assert error.code == "too_many_pages" and error.details == {"pages": 3, "max_pages": 2}
        assert "сторінок" in str(error.message)
        assert inspect_upload(upload(tiff((20, 20), (20, 20)))).pages == 2


def test_every_tiff_frame_is_checked_for_size():
    # A small first page hides a huge second one.
    with override_settings(HROMADA_MAX_IMAGE_PIXELS=5000):
        error = refused(tiff((20, 20), (200, 200)))
        assert error.code == "image_too_large" and error.details == {"width": 200, "height": 200}
        assert inspect_upload(upload(tiff((20, 20), (50, 50)))).pages == 2


def _pdf(mutate) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    mutate(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _script():
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                             NameObject("/JS"): TextStringObject("app.alert('x');")})


def test_pdf_opening_with_javascript_refused():
    def open_action(writer):
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(_script())
    error = refused(_pdf(open_action))
    assert error.code == "pdf_javascript" and "JavaScript" in str(error.message)


def test_pdf_with_javascript_name_tree_refused():
    def names(writer):
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"),
                                                                     writer._add_object(_script())])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    assert refused(_pdf(names)).code == "pdf_javascript"


def test_pdf_opening_at_a_page_is_fine():
    def fit(writer):
        writer._root_object[NameObject("/OpenAction")] = ArrayObject([writer.pages[0].indirect_reference,
                                                                      NameObject("/Fit")])
    assert inspect_upload(upload(_pdf(fit))).pages == 1


def test_pdf_with_page_action_refused():
    def page_action(writer):
        action = writer._add_object(DecodedStreamObject())
        writer.pages[0][NameObject("/AA")] = action
    assert refused(_pdf(page_action)).code == "pdf_javascript"


def test_pdf_with_inflating_stream_refused():
    def bomb(writer):
        stream = StreamObject()
        stream._data = zlib.compress(b"\0" * (4 * 1024 * 1024), 9)
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        stream[NameObject("/Length")] = NumberObject(len(stream._data))
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    content = _pdf(bomb)
    assert len(content) < 20_000
    with override_settings(HROMADA_MAX_PDF_STREAM_BYTES=1024 * 1024):
        error = refused(content)
        assert error.code == "pdf_stream_too_large"
    assert inspect_upload(upload(content)).pages == 1  # within the default limit


def test_ordinary_scan_pdf_still_accepted():
    assert inspect_upload(upload(pdf_bytes(3))).pages == 3
