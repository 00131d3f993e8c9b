"""Tesseract TSV -> :class:`~unocr.model.Page`: moved to :mod:`unocr.formats.tsv`.

TSV reading and writing have one home, :mod:`unocr.formats.tsv`; the names
below stay importable from here.
"""

from __future__ import annotations

from unocr.formats.tsv import (
    TSV_COLUMNS,
    TsvRow,
    blocks_from_rows,
    page_from_data,
    page_from_rows,
    page_from_tsv,
    parse_tsv,
    rows_from_data,
)

__all__ = [
    "TSV_COLUMNS",
    "TsvRow",
    "blocks_from_rows",
    "page_from_data",
    "page_from_rows",
    "page_from_tsv",
    "parse_tsv",
    "rows_from_data",
]
