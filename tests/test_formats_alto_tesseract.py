"""ALTO from Tesseract: its word confidences read as the percent it means.

Tesseract up to 5.5.2 writes ``WC`` as "0." followed by the whole percent
(tesseract-ocr/tesseract#4615): 4 % is ``WC="0.4"`` and 100 % ``WC="0.100"``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from unocr.formats import load, loads

from .needs import needs_tesseract

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "phototest.png"


def _alto(software: str, wc: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Description>
<MeasurementUnit>pixel</MeasurementUnit><OCRProcessing ID="OCR_0">
<ocrProcessingStep><processingSoftware>{software}</processingSoftware>
</ocrProcessingStep></OCRProcessing></Description><Layout>
<Page WIDTH="100" HEIGHT="50" PHYSICAL_IMG_NR="0"><PrintSpace><TextBlock><TextLine>
<String HPOS="1" VPOS="1" WIDTH="20" HEIGHT="10" CONTENT="word" WC="{wc}"/>
</TextLine></TextBlock></PrintSpace></Page></Layout></alto>"""


@pytest.mark.parametrize(
    ("software", "wc", "confidence"),
    [
        ("<softwareName>tesseract 5.3.0</softwareName>", "0.4", 0.04),
        ("<softwareName>tesseract 5.3.0</softwareName>", "0.100", 1.0),
        ("<softwareName>tesseract 5.3.0</softwareName>", "0.95", 0.95),
        ("<softwareName>tesseract 4.1.1</softwareName>", "0.0", 0.0),
        ("<softwareName>tesseract v5.5.2</softwareName>", "0.9", 0.09),
        # releases after the fix, other writers, or no release: as written
        ("<softwareName>tesseract 5.5.3</softwareName>", "0.4", 0.4),
        (
            "<softwareName>tesseract</softwareName>"
            "<softwareVersion>6.0.0</softwareVersion>",
            "0.4",
            0.4,
        ),
        ("<softwareName>tesseract</softwareName>", "0.4", 0.4),
        ("<softwareName>ABBYY FineReader 11</softwareName>", "0.4", 0.4),
    ],
)
def test_tesseract_wc_is_read_as_the_percent_it_means(software, wc, confidence):
    (word,) = loads(_alto(software, wc)).words
    assert word.confidence == pytest.approx(confidence)


@needs_tesseract
def test_tesseracts_alto_and_hocr_give_the_same_confidences(tmp_path):
    # Upside down, read without orientation detection: many words score
    # under 10 %, the confidences ALTO wrote ten times too high.
    image = tmp_path / "upside_down.png"
    Image.open(SAMPLE).rotate(180).save(image)
    subprocess.run(
        ["tesseract", str(image), str(tmp_path / "out"), "--psm", "6", "alto", "hocr"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    alto, hocr = load(tmp_path / "out.xml"), load(tmp_path / "out.hocr")
    expected = [w.confidence for w in hocr.words]
    assert any(c is not None and 0 < c < 0.1 for c in expected)
    assert [w.confidence for w in alto.words] == pytest.approx(expected)
