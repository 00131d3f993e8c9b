"""Small datasets for the comparison tests, and an engine that reads them.

The datasets are blank images with ground truth; :class:`StemBackend` reads on
each image the words its subclass gives for the image's file stem.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from PIL import Image

from unocr.backends.base import Backend, Capabilities, Stopwatch
from unocr.errors import RecognitionError
from unocr.geometry import Box
from unocr.image import LoadedImage
from unocr.model import Block, Word
from unocr.model.layout import group_lines, group_words

#: A word's box (x0, y0, x1, y1) in pixels, and its text.
BoxedWord = tuple[tuple[int, int, int, int], str]


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


class StemBackend(Backend):
    """Reads the words :meth:`words` gives for each image's stem (``img_1.png``: ``img_1``).

    An image whose stem is in :attr:`fail` raises :class:`RecognitionError`
    ("simulated failure on <stem>"). Words carry no confidence.
    """

    capabilities: ClassVar[Capabilities] = Capabilities(
        geometry="box", levels=("word",), confidence=False, languages=("en",)
    )
    #: The stems of the images the engine fails on.
    fail: Collection[str] = frozenset()

    def words(self, stem: str) -> Iterable[BoxedWord]:
        """The words read on the image of ``stem``, boxes in pixels."""
        raise NotImplementedError

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[Block, ...]:
        stem = Path(image.name).stem
        if stem in self.fail:
            raise RecognitionError(f"simulated failure on {stem}")
        words = [Word(text=t, geometry=Box(*box)) for box, t in self.words(stem)]
        return tuple(group_lines(group_words(words))) if words else ()
