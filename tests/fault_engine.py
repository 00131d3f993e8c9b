"""A test engine that misbehaves on demand, to prove the isolation's fault handling.

The red value of an image's top-left pixel says what it does:

====  =====================================================================
red   action
====  =====================================================================
0     reads: one word ``"ok<green>"`` covering the image
1     writes a line to stderr, then dereferences a null pointer (SIGSEGV)
2     writes a line to stderr, then hangs (sleeps an hour)
3     allocates and touches ``green`` x 16 MiB, then sleeps 30 s
4     ``os._exit(3)``
5     raises a RecognitionError naming the image
6     raises a plain ValueError (becomes a RecognitionError)
7     prints a line to standard output (must not corrupt the protocol)
8     allocates and keeps ``green`` x 16 MiB (a leak), then reads
9     reads ``"scope<n>"``: the workers of the ``read_many`` scope it runs in
====  =====================================================================
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import ClassVar

import numpy as np
from PIL import Image

from unocr.backends import base
from unocr.errors import LanguageUnavailableError, RecognitionError
from unocr.geometry import Box
from unocr.image import LoadedImage
from unocr.model import Block, Word
from unocr.model.layout import group_lines, group_words

from .ink_engine import ENGLISH_WORDS

OK, SEGFAULT, HANG, ALLOCATE, EXIT, RAISE, VALUE_ERROR, PRINT, LEAK, SCOPE = range(10)
_LEAKED: list[np.ndarray] = []


def image(action: int, arg: int = 0, size: tuple[int, int] = (16, 8)) -> Image.Image:
    """An image asking the engine for ``action`` (with ``arg`` in green)."""
    img = Image.new("RGB", size, (255, 255, 255))
    img.putpixel((0, 0), (action, arg, 0))
    return img


def covering_word(
    text: str, image: LoadedImage, confidence: float = 1.0
) -> tuple[Block, ...]:
    """One word covering the whole image, in its line and block.

    Args:
        text: The word's text.
        image: The image; the word's box is (0, 0, width, height) in its pixels.
        confidence: The word's confidence, in [0, 1].

    Returns:
        The one block holding the word.
    """
    word = Word(
        text=text, geometry=Box(0, 0, image.width, image.height), confidence=confidence
    )
    return tuple(group_lines(group_words([word])))


class FaultBackend(base.Backend):
    name = "fault"
    capabilities: ClassVar[base.Capabilities] = ENGLISH_WORDS

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = None,
        greeting: str = "",
    ) -> None:
        super().__init__(languages=languages, max_pixels=max_pixels)
        for lang in self.languages:
            if lang != "en":
                raise LanguageUnavailableError(
                    f"the fault engine reads English only, not {lang!r}",
                    language=lang,
                    backend=self.name,
                    fix="use languages='en'",
                )
        self.greeting = greeting
        self.pid = os.getpid()
        self.scope = 0

    @contextmanager
    def _workers_scope(self, workers: int) -> Iterator[None]:
        self.scope = workers
        try:
            yield
        finally:
            self.scope = 0

    def _recognize(
        self, image: LoadedImage, languages: base.Languages, clock: base.Stopwatch
    ) -> tuple[Block, ...]:
        action, arg, _ = image.image.getpixel((0, 0))  # type: ignore[misc]
        if action == SEGFAULT:
            print(f"fault engine: about to crash on {image.name}", file=sys.stderr)
            sys.stderr.flush()
            ctypes.string_at(0)
        elif action == HANG:
            print("fault engine: hanging", file=sys.stderr, flush=True)
            time.sleep(3600)
        elif action == ALLOCATE:
            block = np.ones(arg * 16 * 2**20, dtype=np.uint8)
            time.sleep(30)
            del block
        elif action == EXIT:
            os._exit(3)
        elif action == RAISE:
            raise RecognitionError(f"the fault engine refuses {image.name}")
        elif action == VALUE_ERROR:
            raise ValueError("bad value inside the engine")
        elif action == LEAK:
            _LEAKED.append(np.ones(arg * 16 * 2**20, dtype=np.uint8))
        elif action == PRINT:
            print("fault engine: chatter on standard output", flush=True)
        text = f"scope{self.scope}" if action == SCOPE else f"ok{arg}{self.greeting}"
        with clock.time("engine"):
            return covering_word(text, image, confidence=0.5)


class BatchingFaultBackend(FaultBackend):
    """Reads up to three images per engine call; each word says the batch size."""

    name = "batching-fault"
    batch_size: ClassVar[int] = 3
    #: Seconds each image of a batch takes in the engine.
    seconds: float = 0.0

    def _recognize_batch(
        self, images: base.LoadedImages, languages: base.Languages, clocks: base.Clocks
    ) -> base.BatchResults:
        out: base.BatchResults = []
        for image, clock in zip(images, clocks, strict=True):
            with clock.time("engine"):
                time.sleep(self.seconds)
                out.append(covering_word(f"batch{len(images)}", image, confidence=0.5))
        return out


class StagedFaultBackend(FaultBackend):
    """Has both stages: detection finds the image's non-white columns as one
    word each; recognition reads a crop as ``"<width>x<height>"`` (a crop whose
    top-left pixel asks for a crash crashes, as :meth:`_recognize` does)."""

    name = "staged-fault"

    def _detect(
        self, image: LoadedImage, languages: base.Languages, clock: base.Stopwatch
    ) -> tuple[Block, ...]:
        with clock.time("engine"):
            ink = (np.asarray(image.image.convert("L")) < 128).any(axis=0)
            cols = np.flatnonzero(ink).tolist()
        with clock.time("convert"):
            words = [
                Word(text="?", geometry=Box(x, 0, x + 1, image.height), confidence=1.0)
                for x in cols
            ]
            return tuple(group_lines(group_words(words)))

    def _recognize_crops(
        self, crops: base.Crops, languages: base.Languages, clock: base.Stopwatch
    ) -> base.Readings:
        with clock.time("engine"):
            if any(c.getpixel((0, 0))[0] == SEGFAULT for c in crops):  # type: ignore[index]
                ctypes.string_at(0)
            return [(f"{c.width}x{c.height}{self.greeting}", 0.25) for c in crops]
