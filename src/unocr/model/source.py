"""Where a page came from: :class:`Source` (file, page index, how it was read)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal

from unocr.errors import ModelError

__all__ = ["READ_METHODS", "Source"]

#: How a page's text was obtained: by an OCR engine, or from the PDF's own
#: text layer (no engine involved).
READ_METHODS: tuple[str, ...] = ("ocr", "text-layer")

Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True, slots=True)
class Source:
    """The provenance of a page: which file, which page of it, and how.

    Attributes:
        name: The input as given: a path, or ``"<bytes>"``, ``"<file
            object>"``, ``"<PIL image>"``, ``"<array HxWxC>"`` for in-memory
            inputs.
        index: Zero-based page (PDF) or frame (TIFF) index in that file; 0
            for single images.
        method: ``"ocr"`` (an engine read the pixels) or ``"text-layer"``
            (words and boxes taken from the PDF itself).
        dpi: Resolution a PDF page was rendered at (pixels per inch); ``None``
            for images.
        page_size: Size of the PDF page as displayed (after its ``/Rotate``),
            in PDF points (1/72 inch), as (width, height); ``None`` for images.
        to_pdf: Affine map from the page's pixel coordinates to PDF user space
            (points, origin at the bottom left of the unrotated page), as the
            row-major (2, 3) matrix ``(a, b, c, d, e, f)``:
            ``x_pdf = a*x + b*y + c``, ``y_pdf = d*x + e*y + f``. Pass
            ``page.transform(source.to_pdf)`` to carry a page into PDF space.
            ``None`` for images.

    Examples:
        >>> s = Source("doc.pdf", index=2, dpi=72.0, page_size=(612.0, 792.0),
        ...            to_pdf=(1.0, 0.0, 0.0, 0.0, -1.0, 792.0))
        >>> s.number, s.pdf_point(0, 0)
        (3, (0.0, 792.0))
    """

    name: str
    index: int = 0
    method: Literal["ocr", "text-layer"] = "ocr"
    dpi: float | None = None
    page_size: tuple[float, float] | None = None
    to_pdf: Matrix | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ModelError(f"source name must be a string, got {self.name!r}")
        if isinstance(self.index, bool) or not isinstance(self.index, int):
            raise ModelError(f"source index must be an int, got {self.index!r}")
        if self.index < 0:
            raise ModelError(f"source index must be >= 0, got {self.index}")
        if self.method not in READ_METHODS:
            raise ModelError(
                f"source method must be one of {READ_METHODS}, got {self.method!r}"
            )
        if self.page_size is not None:
            object.__setattr__(
                self, "page_size", _floats(self.page_size, 2, "page_size")
            )
        if self.to_pdf is not None:
            object.__setattr__(self, "to_pdf", _floats(self.to_pdf, 6, "to_pdf"))
        if self.dpi is not None:
            object.__setattr__(self, "dpi", _floats((self.dpi,), 1, "dpi")[0])

    @property
    def number(self) -> int:
        """One-based page number (``index + 1``), as PDF viewers count."""
        return self.index + 1

    def pdf_point(self, x: float, y: float) -> tuple[float, float]:
        """Map a pixel position to PDF user space (points).

        Args:
            x: Pixel column (may be fractional).
            y: Pixel row.

        Returns:
            (x, y) in PDF points.

        Raises:
            unocr.errors.ModelError: The page did not come from a PDF (no
                ``to_pdf``).
        """
        if self.to_pdf is None:
            raise ModelError(f"{self.name}: not a PDF page; it has no PDF coordinates")
        a, b, c, d, e, f = self.to_pdf
        return (a * x + b * y + c, d * x + e * y + f)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (the ``source`` object of ``unocr.page/1``).

        Every field, its tuples (``page_size``, ``to_pdf``) as lists.
        """
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}

    @classmethod
    def from_dict(cls, data: Any) -> Source:
        """Rebuild from :meth:`to_dict` output.

        Raises:
            unocr.errors.ModelError: Not a dictionary, fields of the wrong
                type or out-of-range values.
            KeyError: ``name`` missing.
        """
        if not isinstance(data, dict):
            raise ModelError(f"expected an object, got {type(data).__name__}")
        size = data.get("page_size")
        matrix = data.get("to_pdf")
        return cls(
            name=data["name"],
            index=data.get("index", 0),
            method=data.get("method", "ocr"),
            dpi=data.get("dpi"),
            page_size=None if size is None else tuple(size),
            to_pdf=None if matrix is None else tuple(matrix),
        )


def _floats(values: Any, n: int, what: str) -> Any:
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ModelError(f"source {what} must be {n} numbers, got {values!r}") from None
    if len(out) != n or not all(math.isfinite(v) for v in out):
        raise ModelError(f"source {what} must be {n} finite numbers, got {values!r}")
    return out
