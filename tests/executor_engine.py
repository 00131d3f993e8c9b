"""A test engine for executors: each word names the process and the build that read it.

It misbehaves like :mod:`fault_engine` (the image's top-left pixel picks the
action, e.g. ``EXIT`` ends the process), and otherwise reads one word
``"<pid>:<build>"``: the id of the process that ran the engine and how many
backends that process had built when it built this one, so a test sees
whether each worker process loaded the engine once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from unocr.backends.base import Stopwatch
from unocr.geometry import Box
from unocr.image import LoadedImage
from unocr.model import Block, Word
from unocr.model.layout import group_lines, group_words

from .fault_engine import FaultBackend

BUILDS = 0


class CountingBackend(FaultBackend):
    name = "counting"

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = None,
        greeting: str = "",
        hook: Callable[[str], str] | None = None,
    ) -> None:
        global BUILDS
        super().__init__(languages=languages, max_pixels=max_pixels, greeting=greeting)
        BUILDS += 1
        self.build = BUILDS
        self.hook = hook

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[Block, ...]:
        super()._recognize(image, languages, clock)  # the faults
        text = f"{os.getpid()}:{self.build}{self.greeting}"
        if self.hook is not None:
            text = self.hook(text)
        word = Word(
            text=text, geometry=Box(0, 0, image.width, image.height), confidence=0.5
        )
        return tuple(group_lines(group_words([word])))
