"""Reading what the engines that report 4-point boxes give: corners, scores.

Shared by their converters (EasyOCR, RapidOCR, keras-ocr).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from unocr.errors import FormatError

__all__ = ["clip_points", "four_points", "probability"]


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


def clip_points(
    points: NDArray[np.float64], width: float, height: float
) -> NDArray[np.float64]:
    """Clamp corner points into a ``width`` x ``height`` image, in place.

    Each point is moved to the nearest place of the image rectangle, so a
    quad stays a quad (a slanted one cut by the border changes its shape a
    little, as the engines' own clipping does).

    Args:
        points: (N, 2) float64 pixel coordinates (x, y); changed in place.
        width: Image width in pixels.
        height: Image height in pixels.

    Returns:
        ``points``, x in [0, width] and y in [0, height].

    Examples:
        >>> clip_points(np.array([[-4.0, 2.0], [120.0, 60.0]]), 100, 50).tolist()
        [[0.0, 2.0], [100.0, 50.0]]
    """
    np.clip(points, 0.0, np.array([width, height], dtype=np.float64), out=points)
    return points


def probability(value: object) -> float | None:
    """An engine's score as a confidence in [0, 1].

    Args:
        value: The score the engine gave (a number, or anything else).

    Returns:
        The score clamped to [0, 1]; ``None`` for NaN or for anything that is
        not a number.

    Examples:
        >>> probability(0.97), probability(1.2), probability("x"), probability(None)
        (0.97, 1.0, None, None)
    """
    try:
        conf = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(conf) else min(1.0, max(0.0, conf))
