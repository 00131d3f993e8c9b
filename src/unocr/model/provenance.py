"""Which engine produced an element's geometry and which its text."""

from __future__ import annotations

from dataclasses import dataclass

from unocr.errors import ModelError

__all__ = ["Provenance"]


@dataclass(frozen=True, slots=True)
class Provenance:
    """The engines behind one element, where they differ from the page's.

    An element read by one engine has none (``Element.provenance is None``:
    the page's :attr:`~unocr.Page.backend` produced it). An element of a
    composed engine (a pipeline such as ``"rapidocr+tesseract"``, a cascade)
    names the engine that found its geometry and the one that read its text.

    Attributes:
        geometry: Registered name of the engine that found the region.
        text: Registered name of the engine that read the text.

    Examples:
        >>> Provenance(geometry="rapidocr", text="tesseract")
        Provenance(geometry='rapidocr', text='tesseract')
    """

    geometry: str | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        for name in ("geometry", "text"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ModelError(
                    f"Provenance.{name} must be an engine name (str) or None, "
                    f"got {type(value).__name__}"
                )
