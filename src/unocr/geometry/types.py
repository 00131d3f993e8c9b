"""The five shape types as one: their union and their ``"type"`` tags."""

from __future__ import annotations

from typing import TypeAlias, Union

from unocr.geometry.box import Box
from unocr.geometry.mask import Mask
from unocr.geometry.polygon import Polygon
from unocr.geometry.quad import Quad
from unocr.geometry.rotated_box import RotatedBox

__all__ = ["GEOMETRY_TYPES", "Geometry"]

#: Any of the five shapes.
Geometry: TypeAlias = Union[Box, RotatedBox, Quad, Polygon, Mask]  # noqa: UP007

#: The ``"type"`` tag of each shape, as written by ``to_dict()``.
GEOMETRY_TYPES: dict[str, type[Box | RotatedBox | Quad | Polygon | Mask]] = {
    "box": Box,
    "rotated_box": RotatedBox,
    "quad": Quad,
    "polygon": Polygon,
    "mask": Mask,
}
