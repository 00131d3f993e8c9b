"""Input validation shared by the geometry modules.

Every public entry point funnels its arguments through these helpers, so an
invalid input always raises :class:`~unocr.errors.GeometryError` with a message
that says what was expected and what was received.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from unocr.errors import GeometryError
from unocr.limits import MAX_COORDINATE, check_limit, check_limit_argument

__all__ = [
    "FloatArray",
    "as_array",
    "as_coordinate",
    "as_finite_float",
    "as_points",
    "check_mask_pixels",
    "check_range",
    "read_fields",
    "read_key",
]

FloatArray = NDArray[np.float64]


def _describe_shape(shape: tuple[int, ...]) -> str:
    return (
        "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    )


def _expected(tail: tuple[int | None, ...]) -> str:
    parts = ["_" if s is None else str(s) for s in tail]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def as_finite_float(value: Any, name: str) -> float:
    """Convert a scalar coordinate to a finite Python float.

    Args:
        value: A real number (int, float, numpy scalar).
        name: The argument's name, used in the error message.

    Returns:
        The value as a float.

    Raises:
        GeometryError: If the value is not a real number or is NaN/inf.

    Examples:
        >>> as_finite_float(3, "x0")
        3.0
    """
    if isinstance(value, (bool, np.bool_)):
        raise GeometryError(f"{name} must be a real number, got a bool ({value!r})")
    try:
        result = float(value)
    except OverflowError:
        raise GeometryError(
            f"{name} must be a finite number, got an integer too large for a float "
            f"({_short(value)})"
        ) from None
    except (TypeError, ValueError):
        raise GeometryError(
            f"{name} must be a real number, got {type(value).__name__} "
            f"({_short(value)})"
        ) from None
    if not math.isfinite(result):
        raise GeometryError(f"{name} must be finite, got {result!r}")
    return result


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _range_message(name: str, value: float) -> str:
    return (
        f"{name}: expected coordinates within +-{MAX_COORDINATE:.0e} pixels "
        f"(unocr.limits.MAX_COORDINATE), got {value!r}"
    )


def as_coordinate(value: Any, name: str) -> float:
    """Convert a coordinate or size to a float within the coordinate range.

    Args:
        value: A real number, in pixels.
        name: The argument's name, used in the error message.

    Returns:
        The value as a float, ``|value| <= MAX_COORDINATE``.

    Raises:
        GeometryError: If the value is not a real number, is NaN/inf, or lies
            beyond :data:`~unocr.limits.MAX_COORDINATE`.

    Examples:
        >>> as_coordinate(2e9, "x0")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unocr.errors.GeometryError: x0: expected coordinates within +-1e+09 pixels ...
    """
    result = as_finite_float(value, name)
    if abs(result) > MAX_COORDINATE:
        raise GeometryError(_range_message(name, result))
    return result


def check_range(arr: FloatArray, name: str) -> FloatArray:
    """Check that every value of a finite array lies within the coordinate range.

    Args:
        arr: A finite float64 array of coordinates in pixels.
        name: The argument's name, used in the error message.

    Returns:
        ``arr`` itself.

    Raises:
        GeometryError: If a value lies beyond :data:`~unocr.limits.MAX_COORDINATE`
            or is NaN.
    """
    inside = np.abs(arr) <= MAX_COORDINATE  # False for NaN too
    if not inside.all():
        bad = np.argwhere(~inside)[0]
        raise GeometryError(_range_message(name, float(arr[tuple(bad)])))
    return arr


#: Array kinds whose values are not real numbers, as :func:`as_finite_float`
#: refuses their scalars: booleans, complex numbers, dates.
_NOT_REAL = {"b": "booleans", "c": "complex numbers", "M": "dates"}


def _as_float64(value: ArrayLike) -> NDArray[Any]:
    """``value`` as a float64 array, refusing the kinds in :data:`_NOT_REAL`.

    Raises:
        TypeError: For an array of booleans, complex numbers or dates (numpy
            would turn ``True`` into ``1.0`` and drop an imaginary part).
        ValueError: Where numpy cannot convert ``value``.
        OverflowError: For an integer too large for a float.
    """
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    kind = _NOT_REAL.get(arr.dtype.kind)
    if kind is not None:
        raise TypeError(f"expected real numbers, got {kind} ({arr.dtype})")
    return arr.astype(np.float64, copy=False)


def as_array(value: ArrayLike, tail: tuple[int | None, ...], name: str) -> FloatArray:
    """Convert ``value`` to a finite float64 array of shape ``(N, *tail)``.

    Args:
        value: Anything numpy can turn into an array of numbers.
        tail: The expected trailing dimensions; ``None`` accepts any length.
        name: The argument's name, used in error messages.

    Returns:
        A float64 array (a copy only when conversion was needed) with
        ``1 + len(tail)`` dimensions.

    Raises:
        GeometryError: On a wrong number of dimensions, a wrong trailing size,
            non-numeric data (booleans, complex numbers and dates too), or
            NaN/inf.

    Examples:
        >>> as_array([[0, 0, 2, 3]], (4,), "boxes").shape
        (1, 4)
        >>> as_array([[0, 0, 2]], (4,), "boxes")
        Traceback (most recent call last):
        ...
        unocr.errors.GeometryError: boxes: expected shape (_, 4), got (1, 3)
    """
    try:
        arr = _as_float64(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise GeometryError(
            f"{name}: expected an array of numbers of shape (_, "
            f"{', '.join('_' if s is None else str(s) for s in tail)}), "
            f"got {type(value).__name__} ({exc})"
        ) from None
    want = (None, *tail)
    if arr.ndim < len(want) and arr.size == 0 and all(s is not None for s in tail):
        # An empty list ([] or [[]]): give it the right trailing shape.
        return np.zeros((0, *(s for s in tail if s is not None)), dtype=np.float64)
    ok = arr.ndim == len(want) and all(
        w is None or w == s for w, s in zip(want, arr.shape, strict=True)
    )
    if not ok:
        raise GeometryError(
            f"{name}: expected shape {_expected(want)}, "
            f"got {_describe_shape(arr.shape)}"
        )
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        value = float(arr[tuple(bad)])
        raise GeometryError(
            f"{name}: expected finite coordinates, got {value!r} at index "
            f"{tuple(int(i) for i in bad)}"
        )
    return check_range(arr, name)


def as_points(value: ArrayLike, name: str, *, count: int | None = None) -> FloatArray:
    """Convert a point list to a finite ``(K, 2)`` float64 array.

    Args:
        value: Points ``[[x, y], ...]`` in pixels; a flat sequence
            ``[x0, y0, x1, y1, ...]`` is accepted too.
        name: The argument's name, used in error messages.
        count: The exact number of points required, if any.

    Returns:
        A ``(K, 2)`` float64 array.

    Raises:
        GeometryError: On a wrong shape or count, values that are not real
            numbers (booleans, complex numbers, dates: see :func:`as_array`),
            or NaN/inf.

    Examples:
        >>> as_points([0, 0, 4, 0, 4, 2], "points").tolist()
        [[0.0, 0.0], [4.0, 0.0], [4.0, 2.0]]
    """
    try:
        arr = _as_float64(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise GeometryError(
            f"{name}: expected points of shape (_, 2), "
            f"got {type(value).__name__} ({exc})"
        ) from None
    if arr.ndim == 1 and arr.size % 2 == 0 and arr.size > 0:
        arr = arr.reshape(-1, 2)
    pts = as_array(arr, (2,), name)
    if count is not None and pts.shape[0] != count:
        raise GeometryError(
            f"{name}: expected shape ({count}, 2), got {_describe_shape(pts.shape)}"
        )
    return pts


def read_key(d: Mapping[str, Any], kind: str, key: str) -> Any:
    """Fetch ``d[key]`` with a :class:`GeometryError` naming the shape if absent.

    Args:
        d: The mapping being deserialised.
        kind: The shape's ``type`` tag, for the message.
        key: The required key.

    Returns:
        The value.

    Raises:
        GeometryError: If ``d`` is not a mapping or lacks ``key``.
    """
    if not isinstance(d, Mapping):
        raise GeometryError(f"{kind}: expected a dict, got {type(d).__name__}")
    if key not in d:
        raise GeometryError(
            f"{kind}: expected key {key!r}, got keys {sorted(str(k) for k in d)}"
        )
    return d[key]


def read_fields(d: Mapping[str, Any], kind: str, keys: tuple[str, ...]) -> list[Any]:
    """Fetch several required keys in order (see :func:`read_key`).

    Args:
        d: The mapping being deserialised.
        kind: The shape's ``type`` tag, for the message.
        keys: The required keys.

    Returns:
        Their values, in order.
    """
    return [read_key(d, kind, k) for k in keys]


def check_mask_pixels(
    height: int, width: int, max_pixels: int | None, what: str
) -> None:
    """Refuse a ``height x width`` mask over ``max_pixels``, before allocating it.

    Args:
        height: Rows of the mask.
        width: Columns of the mask.
        max_pixels: The limit (``None``: no limit).
        what: What asks for the mask, for the message.

    Raises:
        GeometryError: If ``height * width > max_pixels``; the message names
            ``max_pixels=`` as the way to raise the limit.
    """
    check_limit_argument(max_pixels, "max_pixels", GeometryError)
    check_limit(
        height * width,
        max_pixels,
        what=f"{what} ({height}x{width} mask)",
        unit="pixels",
        argument="max_pixels",
        error=GeometryError,
    )
