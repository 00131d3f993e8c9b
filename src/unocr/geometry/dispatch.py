"""Deprecated: the former home of the shape union, deserialisation and enclosing shapes.

Import these names from :mod:`unocr.geometry` instead (their modules are
:mod:`unocr.geometry.types`, :mod:`unocr.geometry.serialize`,
:mod:`unocr.geometry.enclose` and, for ``read_key``/``read_fields``, the
package's validation helpers). This module will be removed in the next release.
"""

from __future__ import annotations

from unocr._lazy import Moved, module_getattr

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


__getattr__ = module_getattr(
    __name__,
    deprecated={
        name: Moved(home, name, f"unocr.geometry.{name}")
        for name, home in _HOMES.items()
    },
)
