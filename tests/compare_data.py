"""Small datasets written for the comparison tests: blank images with ground truth."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from PIL import Image


def write_dataset(
    folder: Path,
    texts: Mapping[str, Sequence[str]],
    boxes: Sequence[tuple[int, int, int, int]],
    kind: str = "icdar2015",
) -> Path:
    """A blank 200 x 40 image per stem of ``texts``, with its ground truth.

    Args:
        folder: Where to write (made if missing).
        texts: Each image's stem and its words, in order.
        boxes: Each word's box (x0, y0, x1, y1), in pixels.
        kind: ``"icdar2015"`` (``gt_<stem>.txt`` with coordinates) or any
            other (``<stem>.txt``, the text only).

    Returns:
        ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for stem, words in texts.items():
        Image.new("RGB", (200, 40), "white").save(folder / f"{stem}.png")
        if kind == "icdar2015":
            lines = [
                f"{x0},{y0},{x1},{y0},{x1},{y1},{x0},{y1},{text}"
                for (x0, y0, x1, y1), text in zip(boxes, words, strict=True)
            ]
            (folder / f"gt_{stem}.txt").write_text("\n".join(lines) + "\n")
        else:
            (folder / f"{stem}.txt").write_text(" ".join(words) + "\n")
    return folder
