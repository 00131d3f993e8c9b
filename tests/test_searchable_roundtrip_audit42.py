"""``save_pdf``'s text layer read back by ``read(..., text_layer=True)``, box for box.

Every word's box must come back as written, whatever its letters: a reader
that substitutes a font of its own for the text layer's would give letters
with descenders or overhangs ("g", "j", "p", "2") that font's ink, below
and beside the word's box. A slanted word's quad (a parallelogram) is
filled by its glyphs, so its bounds come back too.
"""

from __future__ import annotations

import pikepdf
import pytest
from PIL import Image

import unocr
from unocr.documents.searchable import save_pdf
from unocr.geometry import Box, Quad
from unocr.model import Page, Word

# words with descenders, overhangs and neither, and their boxes as Tesseract gives them
_WORDS = {
    "The": Box(27, 145, 68, 164),
    "quick": Box(77, 145, 133, 168),
    "dog": Box(216, 145, 255, 169),
    "jumped": Box(262, 145, 343, 169),
    "lazy": Box(352, 145, 393, 169),
    "12": Box(27, 200, 50, 218),
    "to": Box(60, 200, 80, 218),
    "Typography,": Box(90, 196, 240, 224),
    "fjord": Box(250, 196, 310, 220),
}


def _page() -> Page:
    words = [Word(text=t, geometry=b, confidence=0.9) for t, b in _WORDS.items()]
    # a word turned a quarter, on a line of its own
    turned = Quad.from_points([(440, 100), (460, 100), (460, 200), (440, 200)])
    words.append(Word(text="gauge", geometry=turned, confidence=0.9))
    # a slanted word: its quad a parallelogram, its left side leaning right
    slanted = Quad.from_points([(330, 240), (420, 240), (410, 270), (320, 270)])
    words.append(Word(text="slanted", geometry=slanted, confidence=0.9))
    return Page.from_words(words, width=480, height=300)


def test_every_word_reads_back_with_its_box(tmp_path):
    page = _page()
    out = tmp_path / "layer.pdf"
    save_pdf([page], out, images=[Image.new("RGB", (480, 300), "white")])
    # the image has no resolution: 300 dpi, so the page reads back at its size
    back = unocr.read(out, text_layer=True, dpi=300)
    assert (back.width, back.height) == (480, 300)
    got = {w.text: w.geometry.bounds for w in back.words}
    assert sorted(got) == sorted(w.text for w in page.words)
    for word in page.words:
        written = word.geometry.bounds
        read = got[word.text]
        assert written.iou(read) > 0.99, (word.text, written, read)
        assert (read.x0, read.y0, read.x1, read.y1) == pytest.approx(
            (written.x0, written.y0, written.x1, written.y1), abs=0.1
        ), word.text


def test_the_glyphless_font_is_embedded(tmp_path):
    out = tmp_path / "layer.pdf"
    save_pdf([_page()], out, images=[Image.new("RGB", (480, 300), "white")])
    with pikepdf.open(out) as pdf:
        fonts = pdf.pages[0].Resources.Font
        for key in fonts:
            (cid_font,) = fonts[key].DescendantFonts
            program = cid_font.FontDescriptor.FontFile2
            data = program.read_bytes()
            assert data[:4] == b"\0\1\0\0"  # a TrueType font
            assert int(program.Length1) == len(data)
            # every character code is drawn with glyph 1, which has no ink
            gids = cid_font.CIDToGIDMap.read_bytes()
            assert gids == b"\0\1" * 0x10000
