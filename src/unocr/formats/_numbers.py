"""Numbers as the text formats write and read them: pixels, confidences, sizes."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from unocr.errors import FormatError
from unocr.limits import MAX_COORDINATE

if TYPE_CHECKING:
    from unocr.geometry import Geometry

__all__ = [
    "box_ints",
    "finite_number",
    "fmt_num",
    "page_size",
    "percent_to_confidence",
    "whole_number",
]

# The most digits :func:`whole_number` reads: up to 999,999,999.
_MAX_DIGITS = 9


def fmt_num(value: float, digits: int = 2) -> str:
    """Format a number compactly: at most ``digits`` decimals, no trailing zeros.

    Args:
        value: A finite float.
        digits: Decimal places kept.

    Returns:
        E.g. ``"12"``, ``"12.5"``, ``"-0.25"``.
    """
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _round(value: float) -> int:
    return math.floor(value + 0.5)


def box_ints(geometry: Geometry, *, clamp: bool = False) -> tuple[int, int, int, int]:
    """Axis-aligned bounds of a shape rounded to whole pixels.

    Args:
        geometry: Any shape.
        clamp: Clamp negative coordinates to 0 (formats with unsigned ints).

    Returns:
        ``(x0, y0, x1, y1)`` integers, ``x1 >= x0`` and ``y1 >= y0``.
    """
    b = geometry.bounds
    x0, y0, x1, y1 = _round(b.x0), _round(b.y0), _round(b.x1), _round(b.y1)
    if clamp:
        x0, y0, x1, y1 = max(0, x0), max(0, y0), max(0, x1), max(0, y1)
    return x0, y0, max(x0, x1), max(y0, y1)


def finite_number(text: str, what: str) -> float:
    """Parse a number written in a file, refusing NaN and infinity.

    Args:
        text: The number as written (``"12.5"``, ``"1e3"``).
        what: What it is, for the message (e.g. ``"ALTO String WC"``).

    Returns:
        The value.

    Raises:
        FormatError: Not a number, or not finite (``nan``, ``inf``, ``1e999``).

    Examples:
        >>> finite_number("96.5", "x_wconf")
        96.5
    """
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise FormatError(f"{what}: expected a number, got {text!r:.40}") from None
    if not math.isfinite(value):
        raise FormatError(f"{what}: expected a finite number, got {text!r:.40}")
    return value


def whole_number(text: str, what: str) -> int:
    """Parse a count or index written in a file: ASCII digits only.

    ``str.isdigit`` and ``int`` accept more (``"²"``, ``"٣"``, thousands of
    digits); a file's number is its ASCII digits, nine at most.

    Args:
        text: The number as written; surrounding whitespace is ignored.
        what: What it is, for the message (e.g. ``"hOCR ppageno"``).

    Returns:
        The value, from 0 to 999,999,999.

    Raises:
        FormatError: Anything else (a sign, a decimal point, other digits,
            too many digits).

    Examples:
        >>> whole_number(" 007", "ppageno")
        7
    """
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        raise FormatError(
            f"{what}: expected a whole number (the digits 0-9), got {text!r:.40}"
        )
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        raise FormatError(
            f"{what}: expected a whole number of at most {_MAX_DIGITS} digits, got "
            f"{len(digits.lstrip('0')):,} digits"
        )
    return int(digits)


def page_size(width: float, height: float, what: str) -> tuple[int, int]:
    """A page's size as whole pixels, checked.

    Args:
        width: The width the file gives, in pixels.
        height: The height the file gives, in pixels.
        what: The format's name, for the message.

    Returns:
        ``(width, height)`` rounded to whole pixels.

    Raises:
        FormatError: A size that is negative, not finite or beyond the
            coordinate range (:data:`unocr.limits.MAX_COORDINATE`).
    """
    for name, value in (("width", width), ("height", height)):
        finite = isinstance(value, int) or math.isfinite(value)  # ints never overflow
        if not (finite and 0 <= value <= MAX_COORDINATE):
            raise FormatError(
                f"{what} page {name} must be a number of pixels from 0 to "
                f"{MAX_COORDINATE:.0e}, got {value!r}"
            )
    return round(width), round(height)


def percent_to_confidence(value: float) -> float | None:
    """Map a 0-100 engine score to [0, 1]; negative (Tesseract's -1) to ``None``.

    Args:
        value: The score.

    Returns:
        The confidence in [0, 1], or ``None``.
    """
    if not math.isfinite(value) or value < 0:
        return None
    return min(1.0, value / 100.0)
