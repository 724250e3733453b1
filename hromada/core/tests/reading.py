"""Reading printed documents back in tests: the QR codes a PDF shows, as a phone would read them from paper."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                    reason="poppler-utils (pdftoppm) is not installed")


def qr_codes_in(pdf: bytes, folder: Path) -> list[str]:
    """The text of every QR code on the PDF's pages, rendered at 150 dpi (pdftoppm) and decoded (zxing-cpp)."""
    (folder / "document.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(folder / "document.pdf"), str(folder / "page")], check=True)
    return [code.text for png in sorted(folder.glob("page*.png")) for code in zxingcpp.read_barcodes(Image.open(png))
            if code.format == zxingcpp.BarcodeFormat.QRCode]
