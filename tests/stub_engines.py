"""Small test engines: one that reads one word, one whose model loads on cue.

:class:`OneWordBackend` reads a single word over the whole image, the text its
subclass gives for that image. :class:`SlowBackend` (the ``slow`` fixture of
``conftest.py``) builds until the test lets it, so a test can watch what
reads and what waits while an engine loads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ClassVar

from unocr.backends.base import Backend, Capabilities, Stopwatch
from unocr.geometry import Box
from unocr.image import LoadedImage
from unocr.model import Block, Word
from unocr.model.layout import group_lines, group_words


class OneWordBackend(Backend):
    """Reads one word, confidence 1, whose box is the whole image.

    Subclasses set :attr:`name` and give the word's text in :meth:`text`.
    """

    capabilities: ClassVar[Capabilities] = Capabilities(
        geometry="box", levels=("word",), confidence=True, languages=("en",)
    )

    def text(self, image: LoadedImage) -> str:
        """The word read on ``image``."""
        raise NotImplementedError

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[Block, ...]:
        word = Word(
            text=self.text(image),
            geometry=Box(0, 0, image.width, image.height),
            confidence=1.0,
        )
        return tuple(group_lines(group_words([word])))


class SlowBackend(Backend):
    """An engine whose model loads until the test lets it; ``tag`` tells builds apart.

    Each build of tag ``t`` sets ``started[t]``, then waits (20 s at most) for
    ``release``; ``builds`` lists the tags built, in order. It reads nothing.
    """

    name = "slowbuild"
    capabilities: ClassVar[Capabilities] = Capabilities(
        geometry="box", levels=("line",), confidence=True
    )
    started: ClassVar[dict[str, threading.Event]]
    release: ClassVar[threading.Event]
    builds: ClassVar[list[str]]
    _count = threading.Lock()

    def __init__(self, *, tag: str = "a", **kw: Any) -> None:
        super().__init__(**kw)
        with self._count:
            type(self).builds.append(tag)
        self.started[tag].set()
        self.release.wait(20)

    @classmethod
    def reset(cls) -> None:
        """No build yet: fresh events for the tags ``"a"`` and ``"b"``."""
        cls.started = {tag: threading.Event() for tag in "ab"}
        cls.release = threading.Event()
        cls.builds = []

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[()]:
        return ()


def assert_cached_reads_while_loading(
    slow: type[SlowBackend], read: Callable[[str], object], cached: str
) -> None:
    """A read on the engine ``cached`` does not wait while ``slow`` loads.

    ``read(name)`` reads an image with the engine registered as ``name``. It
    reads once with ``cached`` (building it), starts a read with ``slow`` and,
    while that engine loads, reads with ``cached`` again: that read must end
    within 5 s. The slow load is let go afterwards.
    """
    read(cached)  # built and cached
    loading = threading.Thread(target=read, args=(slow.name,))
    loading.start()
    try:
        assert slow.started["a"].wait(10)
        other = threading.Thread(target=read, args=(cached,))
        other.start()
        other.join(5)
        assert not other.is_alive(), "the cached engine waited for another's load"
    finally:
        slow.release.set()
        loading.join(20)
