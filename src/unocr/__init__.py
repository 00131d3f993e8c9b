"""unocr: one API for every OCR engine.

>>> import unocr
>>> page = unocr.read("invoice.jpg", backend="tesseract")  # doctest: +SKIP
>>> for word in page.words:  # doctest: +SKIP
...     print(word.text, word.confidence, word.geometry.to_box())

Public names are imported on first use, so ``import unocr`` stays fast and
never imports an engine.
"""

from __future__ import annotations

import typing as _typing
from importlib import metadata as _metadata

from unocr import errors
from unocr._lazy import Moved as _Moved
from unocr._lazy import module_getattr as _module_getattr

try:  # written once, in pyproject.toml
    __version__: str = _metadata.version("unocr")
except _metadata.PackageNotFoundError:  # source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "Backend",
    "BackendInfo",
    "Block",
    "Box",
    "Capabilities",
    "ItemFailure",
    "Line",
    "Mask",
    "Page",
    "Polygon",
    "Provenance",
    "Quad",
    "Recognition",
    "RotatedBox",
    "Source",
    "Symbol",
    "Timings",
    "Word",
    "__version__",
    "aread",
    "aread_many",
    "available_backends",
    "clear_cache",
    "compare",
    "errors",
    "get_backend",
    "load",
    "read",
    "read_many",
    "read_pages",
    "register_backend",
    "save_pdf",
]

_LAZY: dict[str, str] = {
    "Backend": "unocr.backends.base",
    "BackendInfo": "unocr.registry",
    "Block": "unocr.model",
    "Box": "unocr.geometry",
    "Capabilities": "unocr.backends.catalog",
    "ItemFailure": "unocr.backends.base",
    "Line": "unocr.model",
    "Mask": "unocr.geometry",
    "Page": "unocr.model",
    "Polygon": "unocr.geometry",
    "Provenance": "unocr.model",
    "Quad": "unocr.geometry",
    "Recognition": "unocr.model",
    "RotatedBox": "unocr.geometry",
    "Source": "unocr.model",
    "Symbol": "unocr.model",
    "Timings": "unocr.model",
    "Word": "unocr.model",
    "aread": "unocr._async",
    "aread_many": "unocr._async",
    "available_backends": "unocr.registry",
    "clear_cache": "unocr._api",
    "compare": "unocr.comparison",
    "get_backend": "unocr._api",
    "load": "unocr.formats",
    "read": "unocr._api",
    "read_many": "unocr._api",
    "read_pages": "unocr._api",
    "register_backend": "unocr.registry",
    "save_pdf": "unocr.documents.searchable",
}

if _typing.TYPE_CHECKING:
    from unocr._api import clear_cache, get_backend, read, read_many, read_pages
    from unocr._async import aread, aread_many
    from unocr.backends.base import Backend, Capabilities, ItemFailure
    from unocr.comparison import compare
    from unocr.documents.searchable import save_pdf
    from unocr.formats import load
    from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox
    from unocr.model import (
        Block,
        Line,
        Page,
        Provenance,
        Recognition,
        Source,
        Symbol,
        Timings,
        Word,
    )
    from unocr.registry import BackendInfo, available_backends, register_backend


#: Renamed public names: old name -> (module, new name, why), kept for one release.
_DEPRECATED: dict[str, tuple[str, str, str]] = {
    "ItemError": (
        "unocr.backends.base",
        "ItemFailure",
        " (it is a record, not an exception)",
    ),
}


__getattr__ = _module_getattr(
    __name__,
    lazy=_LAZY,
    deprecated={
        old: _Moved(home, new, f"unocr.{new}", why)
        for old, (home, new, why) in _DEPRECATED.items()
    },
    namespace=globals(),
)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
