"""Words and boxes from a PDF page's own text layer (PDFium's text page).

PDFium orders the characters as the page draws them and marks line ends with
generated line breaks (CR LF); words are split at whitespace. Each character's box is
its glyph's tight box, or its advance box (the font's ascent to descent)
where the glyph has no ink: spaces, and invisible text such as the OCR layer
of a searchable PDF, mapped from PDF user space to the
rendered page's pixels, so words line up with the rendered image.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from unocr.geometry import Box, enclosing_box
from unocr.model import Line, Symbol, Word

__all__ = ["lines_from_textpage"]

_LINE_BREAKS = frozenset("\r\n\u2028\u2029")


_INVISIBLE = 3  # text render mode 3: neither filled nor stroked (OCR layers)


def _invisible(raw: Any, handle: Any, index: int) -> bool:
    obj = raw.FPDFText_GetTextObject(handle, index)
    return bool(obj) and raw.FPDFTextObj_GetTextRenderMode(obj) == _INVISIBLE


def _char_box(
    textpage: Any,
    index: int,
    to_pixels: Callable[[float, float], tuple[float, float]],
    loose: bool,
) -> Box | None:
    left, bottom, right, top = textpage.get_charbox(index, loose=loose)
    if not (right > left and top > bottom):
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        if not (right > left and top > bottom):
            return None
    x0, y0 = to_pixels(left, bottom)
    x1, y1 = to_pixels(right, top)
    return Box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def lines_from_textpage(
    textpage: Any, to_pixels: Callable[[float, float], tuple[float, float]]
) -> list[Line]:
    """Group a PDFium text page's characters into lines of words.

    Args:
        textpage: A ``pypdfium2.PdfTextPage``.
        to_pixels: Maps PDF user-space points to the page's pixels.

    Returns:
        Lines in the page's text order; words have per-character symbols and
        no confidence (the text is the PDF's own, not a recognition).
    """
    import pypdfium2.raw as raw

    lines: list[Line] = []
    words: list[Word] = []
    symbols: list[Symbol] = []

    def end_word() -> None:
        if symbols:
            geometry = enclosing_box([s.geometry for s in symbols])
            words.append(
                Word(
                    text="".join(s.text for s in symbols),
                    geometry=geometry,
                    symbols=tuple(symbols),
                )
            )
            symbols.clear()

    def end_line() -> None:
        end_word()
        if words:
            lines.append(Line.from_words(words))
            words.clear()

    handle = textpage.raw
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(handle, i)
        char = chr(code) if 0 < code < 0x110000 else ""
        if char in _LINE_BREAKS and char:
            end_line()
            continue
        if not char or char.isspace() or code in (0xFFFE, 0xFFFF, 0x02):
            end_word()
            continue
        # Invisible text (an OCR layer) has no ink: its box is its advance box.
        box = _char_box(textpage, i, to_pixels, _invisible(raw, handle, i))
        if box is None:
            end_word()
            continue
        symbols.append(Symbol(text=char, geometry=box))
    end_line()
    return lines
