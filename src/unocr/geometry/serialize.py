"""Deserialisation: any shape from the mapping its ``to_dict()`` wrote."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unocr.errors import GeometryError
from unocr.geometry._validate import read_key
from unocr.geometry.mask import Mask
from unocr.geometry.types import GEOMETRY_TYPES, Geometry
from unocr.limits import DEFAULT_MAX_PIXELS

__all__ = ["geometry_from_dict"]


def geometry_from_dict(
    d: Mapping[str, Any], *, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> Geometry:
    """Deserialise any shape written by ``to_dict()``, dispatching on ``"type"``.

    Args:
        d: A mapping with ``"type"`` one of ``box``, ``rotated_box``, ``quad``,
            ``polygon``, ``mask``.
        max_pixels: Largest mask accepted (height x width), checked before the
            mask is allocated; ``None`` disables the check.

    Returns:
        The shape.

    Raises:
        GeometryError: On an unknown or missing type, or invalid fields.

    Examples:
        >>> geometry_from_dict({"type": "box", "x0": 0, "y0": 0, "x1": 2, "y1": 1})
        Box(x0=0.0, y0=0.0, x1=2.0, y1=1.0)
    """
    kind = read_key(d, "geometry", "type")
    cls = GEOMETRY_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise GeometryError(
            f"geometry: expected 'type' to be one of {', '.join(GEOMETRY_TYPES)}, "
            f"got {kind!r}"
        )
    if cls is Mask:
        return Mask.from_dict(dict(d), max_pixels=max_pixels)
    shape: Geometry = cls.from_dict(dict(d))
    return shape
