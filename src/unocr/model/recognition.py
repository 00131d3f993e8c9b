"""What a recognizer read in one region: :class:`Recognition`."""

from __future__ import annotations

from dataclasses import dataclass

from unocr.errors import ModelError
from unocr.model.elements import check_confidence

__all__ = ["Recognition"]


@dataclass(frozen=True, slots=True)
class Recognition:
    """The text an engine read in one region (see :meth:`unocr.Backend.recognize`).

    Attributes:
        text: The text read; ``""`` where the region is empty or unreadable.
        confidence: Engine confidence in [0, 1], or ``None`` where the engine
            gives none (and for an empty region).

    Examples:
        >>> Recognition("Hello", 0.93)
        Recognition(text='Hello', confidence=0.93)
        >>> bool(Recognition("", None))
        False
    """

    text: str
    confidence: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise ModelError(f"text must be a str, got {type(self.text).__name__}")
        conf = self.confidence
        if conf is not None and not (type(conf) is float and 0.0 <= conf <= 1.0):
            object.__setattr__(self, "confidence", check_confidence(conf))

    def __bool__(self) -> bool:
        return bool(self.text)
