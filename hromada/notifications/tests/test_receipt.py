"""The receipt prints the check code and a QR code that decodes to the case's status URL."""
from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import pytest
from pypdf import PdfReader

from hromada.applications import checkcode
from hromada.applications.services.receipts import store_receipt
from hromada.backoffice.tests.factories import submitted_case
from hromada.core.tests.reading import needs_pdftoppm, qr_codes_in

pytestmark = pytest.mark.django_db


@needs_pdftoppm
def test_receipt_has_the_code_and_a_qr_to_the_status_page(demo, settings, client, tmp_path):
    settings.HROMADA_PUBLIC_URL = "https://hromada.example.gov.ua"
    app = submitted_case()
    receipt = store_receipt(application_id=app.pk)
    pdf = receipt.file.read()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert checkcode.display(app.check_code) in text and app.number in text
    assert "https://hromada.example.gov.ua/status/" in text
    (found,) = qr_codes_in(pdf, tmp_path)
    url = urlparse(found)
    assert (url.scheme, url.netloc, url.path) == ("https", "hromada.example.gov.ua", "/status/")
    assert parse_qs(url.query) == {"number": [app.number], "code": [app.check_code]}
    # The URL really opens the case's status.
    assert client.get(url.path, parse_qs(url.query)).status_code == 200
