"""``load_dataset("kind:PATH")``: pick the loader by name."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path

from unocr.backends.options import check_count
from unocr.datasets.funsd import load_funsd
from unocr.datasets.icdar2015 import load_icdar2015
from unocr.datasets.layout_xml import load_alto, load_page_xml
from unocr.datasets.linegt import load_linegt
from unocr.datasets.pdf import load_pdf_dataset
from unocr.datasets.sample import Dataset
from unocr.datasets.sroie import load_sroie
from unocr.datasets.text import load_text
from unocr.datasets.unocr_json import load_unocr_json
from unocr.errors import DatasetError

__all__ = ["DATASET_KINDS", "load_dataset", "parse_dataset_spec"]

Loader = Callable[..., Dataset]

#: Loader per dataset kind (the part before the colon in ``kind:PATH``).
DATASET_KINDS: dict[str, Loader] = {
    "icdar2015": load_icdar2015,
    "sroie": load_sroie,
    "funsd": load_funsd,
    "text": load_text,
    "linegt": load_linegt,
    "json": load_unocr_json,
    "page-xml": load_page_xml,
    "alto": load_alto,
    "pdf": load_pdf_dataset,
}

_ALIASES = {
    "ic15": "icdar2015",
    "icdar15": "icdar2015",
    "ocrd": "linegt",
    "gt.txt": "linegt",
    "txt": "text",
    "unocr": "json",
    "page": "page-xml",
    "pagexml": "page-xml",
    "page_xml": "page-xml",
}


def parse_dataset_spec(spec: str) -> tuple[str, Path]:
    """Split ``"kind:PATH"`` into the canonical kind and the path.

    Args:
        spec: E.g. ``"icdar2015:data/ch4_test"``; the path may itself contain
            colons (only the first colon separates).

    Returns:
        ``(kind, path)`` with aliases resolved (``ocrd`` -> ``linegt``, ...).

    Raises:
        DatasetError: No colon, or an unknown kind (the closest is suggested).
    """
    kind, sep, path = spec.partition(":")
    kind = kind.strip().lower()
    if not sep or not path or not kind:
        raise DatasetError(
            f"dataset {spec!r} must be KIND:PATH, e.g. icdar2015:path/to/folder; "
            f"kinds: {', '.join(DATASET_KINDS)}",
            item=spec,
        )
    kind = _ALIASES.get(kind, kind)
    if kind not in DATASET_KINDS:
        close = difflib.get_close_matches(kind, [*DATASET_KINDS, *_ALIASES], n=1)
        hint = f" Did you mean {_ALIASES.get(close[0], close[0])!r}?" if close else ""
        raise DatasetError(
            f"unknown dataset kind {kind!r}.{hint} Known kinds: "
            f"{', '.join(DATASET_KINDS)}.",
            item=spec,
        )
    return kind, Path(path)


def load_dataset(
    spec: str | tuple[str, str | os.PathLike[str]], *, limit: int | None = None
) -> Dataset:
    """Load a dataset named ``"kind:PATH"``.

    Kinds: ``icdar2015``, ``sroie``, ``funsd``, ``text`` (page ``.txt`` beside
    each image), ``linegt`` (OCR-D ``.gt.txt`` single lines), ``json`` (unocr
    JSON pages beside each image), ``page-xml`` and ``alto`` (OCR-D ground
    truth, reading order included).
    ``pdf``: unocr JSON Lines beside each PDF, one sample per labelled page.

    Args:
        spec: ``"kind:PATH"``, or a ``(kind, path)`` pair.
        limit: Load at most this many samples (the first in natural order);
            a whole number >= 1, or ``None`` for all.

    Returns:
        The loaded dataset.

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1 (nor ``None``).
        DatasetError: ``spec`` is neither form (a bare path, a tuple of
            another length), unknown kind, missing folder, no samples, a
            malformed ground-truth file, or two ground-truth files equally
            near one image.

    Examples:
        >>> from unocr.datasets import load_dataset
        >>> ds = load_dataset("icdar2015:data/icdar2015")  # doctest: +SKIP
        >>> len(ds), ds.samples[0].id                       # doctest: +SKIP
        (25, 'img_19')
    """
    kind, path = parse_dataset_spec(_spec_text(spec))
    check_count(limit, "limit", none=True)
    return DATASET_KINDS[kind](path, limit=limit)


def _spec_text(spec: object) -> str:
    """``spec`` as ``"kind:PATH"``, checked to be one of the accepted forms.

    Raises:
        DatasetError: ``spec`` is not a ``str`` nor a ``(kind, path)`` pair of
            a ``str`` and a ``str`` or path.
    """
    if isinstance(spec, str):
        return spec
    if (
        isinstance(spec, tuple)
        and len(spec) == 2
        and isinstance(spec[0], str)
        and isinstance(spec[1], (str, os.PathLike))
    ):
        path = os.fspath(spec[1])
        if isinstance(path, str):
            return f"{spec[0]}:{path}"
    hint = (
        f" (a path has no kind: e.g. 'text:{os.fspath(spec)}')"
        if isinstance(spec, os.PathLike)
        else ""
    )
    raise DatasetError(
        f"dataset must be 'KIND:PATH' (a str, e.g. 'icdar2015:path/to/folder') "
        f"or a (kind, path) pair, got {spec!r}{hint}; "
        f"kinds: {', '.join(DATASET_KINDS)}",
        item=repr(spec),
    )
