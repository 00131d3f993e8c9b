"""SROIE ground truth reads in reading order, not in its file's order.

SROIE box files list a receipt's segments roughly top to bottom, but often a
column of prices after all their labels, or a line out of place. The truth's
reading order is synthesised from the segments' geometry (as for FUNSD and
ICDAR 2015); the file's order is kept for the official matching.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from unocr.datasets import load_sroie
from unocr.geometry import Box
from unocr.metrics import score_page
from unocr.model import Line, Page

from .test_datasets_audit3 import exif_store

_W, _H = 400, 300
# A receipt as displayed: rows of a label and a price, then a footer.
_ROWS = [  # one receipt row a line
    ((20, 20, 120, 40), "TEA"), ((300, 20, 380, 40), "3.00"),
    ((20, 60, 120, 80), "CAKE"), ((300, 60, 380, 80), "4.50"),
    ((20, 100, 140, 120), "TOTAL"), ((300, 100, 380, 120), "7.50"),
    ((20, 200, 260, 220), "THANK YOU COME AGAIN"),
]  # fmt: skip
# The file lists the labels, the footer, then the column of prices.
_FILE_ORDER = [0, 2, 4, 6, 1, 3, 5]


def _receipt(root: Path, orientation: int = 1) -> Path:
    """An SROIE folder of one receipt, its image stored with ``orientation``."""
    transpose, point = exif_store(orientation, _W, _H)
    root.mkdir(parents=True)
    exif = Image.Exif()
    exif[0x0112] = orientation
    image = Image.new("RGB", (_W, _H), "white")
    if transpose is not None:
        image = image.transpose(transpose)
    image.save(root / "X1.jpg", exif=exif.tobytes())
    rows = []
    for i in _FILE_ORDER:
        (x0, y0, x1, y1), text = _ROWS[i]
        corners = [point(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        rows.append(",".join(f"{v:g}" for c in corners for v in c) + f",{text}\n")
    (root / "X1.txt").write_text("".join(rows), encoding="utf-8")
    return root


def _perfect_read() -> Page:
    lines = [Line(text=t, geometry=Box(*b)) for b, t in reversed(_ROWS)]
    return Page.from_lines(lines, width=_W, height=_H)


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_sroie_truth_reads_row_by_row_and_a_perfect_read_scores_zero(
    tmp_path: Path, orientation: int
) -> None:
    (sample,) = load_sroie(_receipt(tmp_path / "sroie", orientation))
    text = sample.truth.text
    positions = [text.index(t) for _, t in _ROWS]
    assert positions == sorted(positions), text
    assert (sample.truth.width, sample.truth.height) == (_W, _H)
    # the file's order is kept for the official matching
    assert [r.text for r in sample.regions()] == [_ROWS[i][1] for i in _FILE_ORDER]
    scores = score_page(
        sample.truth,
        _perfect_read(),
        ignore=sample.ignore,
        level=sample.level,
        truth_elements=sample.regions(),
    )
    assert (scores.cer, scores.wer, scores.hmean) == (0.0, 0.0, 1.0)
