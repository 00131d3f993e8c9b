"""Validation shared by the converters of engines that report 4-point boxes."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from unocr.errors import FormatError

__all__ = ["four_points"]


def four_points(value: object, what: str) -> NDArray[np.float64]:
    """Validate an engine's four (x, y) corner points.

    Args:
        value: Anything shaped (4, 2), in pixels.
        what: Names the engine and field in the error, e.g. ``"RapidOCR line box"``.

    Returns:
        A new (4, 2) float64 array of pixel coordinates (x, y).

    Raises:
        FormatError: Not convertible to numbers, not (4, 2), or not finite.
    """
    try:
        pts = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise FormatError(
            f"{what}: expected 4 (x, y) points, shape (4, 2), got {value!r:.200}"
        ) from exc
    if pts.shape != (4, 2) or not np.all(np.isfinite(pts)):
        raise FormatError(
            f"{what}: expected 4 finite (x, y) points, shape (4, 2), "
            f"got shape {pts.shape}"
        )
    return pts
