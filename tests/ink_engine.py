"""A tiny engine defined by the tests, to exercise the registry and the API.

It finds runs of dark pixel columns (ink separated by at least ``gap`` white
columns) on each band of dark rows and reports each as a word whose text is
its width in pixels, e.g. ``"w37"``. Deterministic, fast, no model.
"""

from __future__ import annotations

import threading
from typing import ClassVar

import numpy as np
from PIL import Image

from unocr.backends.base import Backend, Capabilities, Languages, Stopwatch
from unocr.errors import RecognitionError
from unocr.geometry import Box
from unocr.image import LoadedImage
from unocr.model import Block, Line, Word
from unocr.model.layout import group_lines, group_words


def _runs(mask: np.ndarray, gap: int) -> list[tuple[int, int]]:
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    runs = []
    start = prev = int(idx[0])
    for i in idx[1:].tolist():
        if i - prev - 1 > gap:
            runs.append((start, prev + 1))
            start = i
        prev = i
    runs.append((start, prev + 1))
    return runs


def bars(widths=(20, 40), h=10, gap=10) -> Image.Image:
    """White image with black bars of the given widths on one row."""
    w = sum(widths) + gap * (len(widths) + 1)
    arr = np.full((h + 20, w), 255, np.uint8)
    x = gap
    for width in widths:
        arr[10 : 10 + h, x : x + width] = 0
        x += width + gap
    return Image.fromarray(arr).convert("RGB")


#: What the tests' small engines report: English words as boxes, with confidences.
ENGLISH_WORDS = Capabilities(
    geometry="box", levels=("word",), confidence=True, languages=("en",)
)


class InkBackend(Backend):
    name = "ink"
    capabilities: ClassVar[Capabilities] = ENGLISH_WORDS
    instances: ClassVar[int] = 0
    calls: ClassVar[int] = 0
    _count_lock = threading.Lock()

    def __init__(self, *, gap: int = 3, fail_on_width: int | None = None, **kw):
        super().__init__(**kw)
        self.gap = gap
        self.fail_on_width = fail_on_width
        with self._count_lock:
            type(self).instances += 1

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        with self._count_lock:
            type(self).calls += 1
        if languages and any(lang not in ("en",) for lang in languages):
            raise RecognitionError(f"ink reads only 'en', not {languages}")
        with clock.time("engine"):
            if self.fail_on_width is not None and image.width == self.fail_on_width:
                raise ZeroDivisionError("simulated engine crash")
            gray = np.asarray(image.image.convert("L"))
            ink = gray < 128
            words = []
            for y0, y1 in _runs(ink.any(axis=1), 0):
                band = ink[y0:y1]
                for x0, x1 in _runs(band.any(axis=0), self.gap):
                    words.append((x0, y0, x1, y1))
        with clock.time("convert"):
            ws = [
                Word(text=f"w{x1 - x0}", geometry=Box(x0, y0, x1, y1), confidence=1.0)
                for x0, y0, x1, y1 in words
            ]
            return tuple(group_lines(group_words(ws)))


class NoConfidence(Backend):
    """Another engine's page without any confidence (as keras-ocr reports)."""

    name: ClassVar[str] = "no-confidence"
    capabilities = InkBackend.capabilities

    def __init__(self, inner: Backend) -> None:
        super().__init__()
        self.inner = inner

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> list[Block]:
        page = self.inner.read_loaded(image)
        return [
            Block.from_lines(
                [
                    Line.from_words(
                        [w.replace(confidence=None) for w in line.words],
                        native=True,
                    )
                    for line in block.lines
                ]
            )
            for block in page.blocks
        ]
