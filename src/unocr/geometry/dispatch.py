"""Deprecated: the former home of the shape union, deserialisation and enclosing shapes.

Import these names from :mod:`unocr.geometry` instead (their modules are
:mod:`unocr.geometry.types`, :mod:`unocr.geometry.serialize`,
:mod:`unocr.geometry.enclose` and, for ``read_key``/``read_fields``, the
package's validation helpers). This module will be removed in the next release.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

# No __all__: every name is served, with a warning, by __getattr__ below.
_HOMES = {
    "GEOMETRY_TYPES": "unocr.geometry.types",
    "Geometry": "unocr.geometry.types",
    "enclosing_box": "unocr.geometry.enclose",
    "enclosing_quad": "unocr.geometry.enclose",
    "enclosing_quads": "unocr.geometry.enclose",
    "geometry_from_dict": "unocr.geometry.serialize",
    "read_fields": "unocr.geometry._validate",
    "read_key": "unocr.geometry._validate",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"unocr.geometry.dispatch.{name} is deprecated; import it from "
        "unocr.geometry instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(home), name)
