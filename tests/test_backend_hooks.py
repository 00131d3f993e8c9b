"""The base class's hooks: a call hook before every public read, and a scope
around the engine calls of a ``read_many`` batch (engines split the cores
there instead of re-declaring ``read_many``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from unocr.backends.base import (
    Backend,
    Clocks,
    Languages,
    LoadedImages,
    Stopwatch,
)
from unocr.image import LoadedImage, load_image
from unocr.model import Block, Page

from .ink_engine import InkBackend, bars


class HookedInk(InkBackend):
    """Records its hooks and whether each engine call ran inside the scope."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self.before = 0
        self.scopes: list[int] = []
        self.inside = threading.local()
        self.calls_inside: list[bool] = []

    def _before_call(self) -> None:
        self.before += 1

    @contextmanager
    def _workers_scope(self, workers: int) -> Iterator[None]:
        self.scopes.append(workers)
        self.active = True
        try:
            yield
        finally:
            self.active = False

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        self.calls_inside.append(getattr(self, "active", False))
        return super()._recognize(image, languages, clock)


def test_every_public_read_calls_the_hook_once() -> None:
    b = HookedInk()
    b.read(bars())
    assert b.before == 1
    b.read_loaded(load_image(bars()))
    assert (b.before, b.scopes) == (2, [])  # single reads open no batch scope
    b.read_many([bars(), bars()])
    assert (b.before, b.scopes) == (3, [1])


def test_batch_engine_calls_run_inside_the_workers_scope() -> None:
    b = HookedInk()
    pages = b.read_many([bars((10 + i, 30)) for i in range(5)], workers=3)
    assert all(isinstance(p, Page) for p in pages)
    assert b.scopes == [3]
    assert b.calls_inside == [True] * 5
    assert getattr(b, "active", None) is False  # closed after the batch


def test_scope_gets_the_threads_that_really_run() -> None:
    b = HookedInk()
    b.read_many([bars()], workers=4)  # one item: one thread, all cores
    b.read_many([bars(), bars()], workers=1)
    b.min_workers = 3
    b.read_many([bars()] * 5, workers=1)  # at least min_workers threads
    assert b.scopes == [1, 1, 3]


def test_default_hooks_change_nothing() -> None:
    pages = InkBackend().read_many([bars((20, 40))] * 3, workers=2)
    assert [p.text for p in pages if isinstance(p, Page)] == ["w20 w40"] * 3


def test_an_engine_without_either_read_hook_cannot_be_built() -> None:
    """A single read of an engine with only the batch hook is a batch of one
    (the isolated backend's reads in ``test_isolation.py`` go that way), so
    one of the two hooks is required."""

    class NoHook(Backend):
        name = "no-hook"
        capabilities = InkBackend.capabilities

    with pytest.raises(TypeError, match="_recognize or _recognize_batch"):
        NoHook()


class SevenInk(InkBackend):
    """An engine whose output makes no valid element: a confidence of 7."""

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        from unocr.geometry import Box
        from unocr.model import Word

        Word(text="x", geometry=Box(0, 0, 1, 1), confidence=7)
        raise AssertionError("unreachable")


def test_an_engine_output_the_model_refuses_is_the_engines_failure() -> None:
    from unocr.errors import ModelError, RecognitionError

    with pytest.raises(
        RecognitionError, match=r"ink failed on .*ModelError: confidence"
    ) as caught:
        SevenInk().read(bars())
    assert isinstance(caught.value.__cause__, ModelError)
    assert caught.value.backend == "ink"
    out = SevenInk().read_many([bars(), bars()], errors="return")
    assert [type(f.error) for f in out] == [RecognitionError, RecognitionError]


class WrongInk(InkBackend):
    """Hooks that return a string where blocks belong."""

    def _detect(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        return "blocks"  # type: ignore[return-value]


class WrongBatchInk(InkBackend):
    """A batch hook whose results are strings for images wider than 100 pixels."""

    batch_size = 2

    def _recognize_batch(
        self, images: LoadedImages, languages: Languages, clocks: Clocks
    ) -> list[object]:
        return [
            "blocks" if image.width > 100 else self._recognize(image, languages, clock)
            for image, clock in zip(images, clocks, strict=True)
        ]


def test_a_wrong_result_names_the_hook_that_gave_it() -> None:
    from unocr.errors import RecognitionError

    with pytest.raises(RecognitionError, match=r"WrongInk\._detect returned str"):
        WrongInk().detect(bars())
    wide = np.full((40, 160, 3), 255, np.uint8)
    good, bad = WrongBatchInk().read_many([bars(), wide], errors="return")
    assert isinstance(good, Page)
    assert isinstance(bad.error, RecognitionError)
    assert "WrongBatchInk._recognize_batch[1] returned str" in str(bad.error)
