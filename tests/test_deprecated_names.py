"""Renamed public names keep working for one release, with a DeprecationWarning."""

from __future__ import annotations

import pytest

import unocr
from unocr import geometry
from unocr.backends.base import ItemFailure
from unocr.geometry import Box, Geometry


def test_item_error_is_a_deprecated_name_of_item_failure():
    with pytest.warns(DeprecationWarning, match="ItemFailure"):
        assert unocr.ItemError is ItemFailure
    with pytest.warns(DeprecationWarning, match="ItemFailure"):
        from unocr.backends.base import ItemError
    assert ItemError is ItemFailure
    assert "ItemError" not in unocr.__all__ and "ItemFailure" in unocr.__all__
    assert "ItemError" not in dir(unocr)


def test_shape_is_a_deprecated_name_of_geometry():
    with pytest.warns(DeprecationWarning, match="Geometry"):
        shape = geometry.Shape
    assert isinstance(Box(0, 0, 1, 1), shape)
    assert isinstance(Box(0, 0, 1, 1), Geometry)
    assert "Shape" not in geometry.__all__ and "Geometry" in geometry.__all__


def test_unknown_names_still_raise_attribute_error():
    with pytest.raises(AttributeError):
        geometry.NoSuchShape  # noqa: B018
    with pytest.raises(AttributeError):
        unocr.NoSuchThing  # noqa: B018
