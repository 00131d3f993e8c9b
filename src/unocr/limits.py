"""The limits unocr enforces on untrusted input, and the one check that applies them.

Every limit is checked **before** memory is spent on the thing it bounds, and
each can be raised (or switched off with ``None``) by the keyword argument of
the same name on the function that reads the input:

=====================  ===============  ============================================
limit                  default          argument (where)
=====================  ===============  ============================================
decoded pixels         100,000,000      ``max_pixels=`` (``load_image``,
                                        ``iter_frames``, ``read``, ``to_mask``,
                                        ``Mask.from_dict``, ``formats.load``)
bytes read             256 MiB          ``max_bytes=`` (``formats.load``/``loads``)
elements per document  1,000,000        ``max_elements=`` (``formats.load``/``loads``)
nesting depth          200              ``max_depth=`` (``formats.load``/``loads``)
=====================  ===============  ============================================

Coordinates have a fixed range instead: every coordinate and size a shape is
built from must lie within ``[-MAX_COORDINATE, MAX_COORDINATE]`` pixels
(10^9), so that no area, centroid or IoU computed from them can overflow to
infinity or NaN.

Exceeding a limit raises the caller's typed error (:class:`~unocr.errors.ImageError`,
:class:`~unocr.errors.FormatError` or :class:`~unocr.errors.GeometryError`)
whose message names the limit, the value found and the argument that raises it.
"""

from __future__ import annotations

from dataclasses import dataclass

from unocr.errors import UnocrError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_ELEMENTS",
    "DEFAULT_MAX_PIXELS",
    "MAX_COORDINATE",
    "ReadLimits",
    "check_limit",
    "check_limit_argument",
]

#: Default pixel limit (width x height) for decoding and rasterising: 100 megapixels.
DEFAULT_MAX_PIXELS = 100_000_000
#: Default number of bytes :func:`unocr.formats.load` reads: 256 MiB.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: Default number of elements (XML elements, JSON objects, TSV rows) per document.
DEFAULT_MAX_ELEMENTS = 1_000_000
#: Default element nesting depth of a document (real OCR files nest about 10 deep).
DEFAULT_MAX_DEPTH = 200
#: Largest absolute coordinate or size accepted by the shapes, in pixels.
MAX_COORDINATE = 1e9


def check_limit_argument(value: object, argument: str, error: type[UnocrError]) -> None:
    """Check a limit argument itself: a positive int, or ``None`` for no limit.

    Args:
        value: The value passed as ``argument``.
        argument: The keyword's name, e.g. ``"max_pixels"``.
        error: The error class to raise.

    Raises:
        UnocrError: ``error`` when the value is not a positive int or ``None``.

    Examples:
        >>> from unocr.errors import FormatError
        >>> check_limit_argument(0, "max_bytes", FormatError)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unocr.errors.FormatError: max_bytes must be a positive int, or None ...; got 0
    """
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise error(
            f"{argument} must be a positive int, or None for no limit; got {value!r}"
        )


def check_limit(
    value: int,
    limit: int | None,
    *,
    what: str,
    unit: str,
    argument: str,
    error: type[UnocrError],
    item: object = None,
) -> None:
    """Raise ``error`` when ``value`` exceeds ``limit``, naming how to raise it.

    Args:
        value: The amount the input asks for (pixels, bytes, elements, levels).
        limit: The limit in force; ``None`` means no limit.
        what: What is being measured, for the message (e.g. ``"scan.png"``).
        unit: The unit, plural (``"pixels"``, ``"bytes"``, ``"elements"``...).
        argument: The keyword argument that sets this limit.
        error: The typed error to raise.
        item: The input, stored as the error's ``.item``.

    Raises:
        UnocrError: ``error`` when ``value > limit``.

    Examples:
        >>> from unocr.errors import ImageError
        >>> check_limit(12, 10, what="mask", unit="pixels", argument="max_pixels",
        ...             error=ImageError)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unocr.errors.ImageError: mask: 12 pixels, over the limit of 10 pixels; pass ...
    """
    if limit is not None and value > limit:
        raise error(
            f"{what}: {value:,} {unit}, over the limit of {limit:,} {unit}; pass "
            f"{argument}={value} (or larger) to allow it, or {argument}=None to "
            "disable the check",
            item=item,
        )


@dataclass(frozen=True)
class ReadLimits:
    """The limits a format reader enforces on one document.

    Attributes:
        max_bytes: Largest document in bytes (``None``: no limit).
        max_elements: Most elements (XML elements, JSON objects, TSV rows).
        max_depth: Deepest nesting of elements (XML) or containers (JSON).
        max_pixels: Largest mask a document may ask to rasterise (height x width).
    """

    max_bytes: int | None = DEFAULT_MAX_BYTES
    max_elements: int | None = DEFAULT_MAX_ELEMENTS
    max_depth: int | None = DEFAULT_MAX_DEPTH
    max_pixels: int | None = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        from unocr.errors import FormatError

        for name in ("max_bytes", "max_elements", "max_depth", "max_pixels"):
            check_limit_argument(getattr(self, name), name, FormatError)
