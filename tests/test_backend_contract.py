"""The Backend base class owns the plumbing: stamping, timings, languages, workers."""

from __future__ import annotations

import io
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import unocr
from unocr.backends import base
from unocr.backends.base import Backend, ItemFailure, Stopwatch
from unocr.errors import ImageError, RecognitionError
from unocr.geometry import Box
from unocr.model import Block, Line, Page, Timings, Word
from unocr.model import page as page_module

from .ink_engine import InkBackend
from .ink_engine import bars as _bars


def test_the_base_stamps_name_languages_and_all_three_timings():
    with InkBackend(languages="EN") as ink:
        page = ink.read(_bars())
    assert page.backend == "ink"
    assert page.languages == ("en",)
    assert (page.width, page.height) == _bars().size
    assert [w.text for w in page.words] == ["w20", "w40"]
    assert page.timings.decode > 0.0
    assert page.timings.engine > 0.0
    assert page.timings.convert > 0.0


def test_one_page_object_per_read_and_languages_normalised_once(monkeypatch):
    pages = []
    calls = []
    real_post_init = Page.__post_init__
    real_normalize = base.normalize_languages

    def counting_post_init(self):
        pages.append(self)
        real_post_init(self)

    def counting_normalize(value, **options):
        calls.append(value)
        return real_normalize(value, **options)

    with InkBackend() as ink:
        image = _bars()
        monkeypatch.setattr(page_module.Page, "__post_init__", counting_post_init)
        monkeypatch.setattr(base, "normalize_languages", counting_normalize)
        page = ink.read(image, languages="en")
        assert pages == [page]
        assert calls == ["en"]
        pages.clear()
        results = ink.read_many([image, image], languages=["en"])
        assert pages == results
        assert calls == ["en", ["en"]]


class _Timed(Backend):
    name = "timed"
    capabilities = InkBackend.capabilities

    def _recognize(self, image, languages, clock):
        clock.add("engine", 2.5)
        clock.add("convert", 0.25)
        return (Block.from_lines([Line.from_words([_word()])]),)


def _word() -> Word:
    return Word(text="x", geometry=Box(0, 0, 4, 4), confidence=0.5)


def test_the_engine_clock_becomes_the_page_timings():
    page = _Timed().read(_bars())
    assert page.timings.engine == 2.5
    assert page.timings.convert == 0.25
    assert page.timings.total == pytest.approx(2.75 + page.timings.decode)


class _Crashes(InkBackend):
    def _recognize(self, image, languages, clock):
        raise ZeroDivisionError("boom")


def test_a_stray_exception_is_wrapped_once():
    with _Crashes() as engine:
        with pytest.raises(RecognitionError) as single:
            engine.read(_bars())
        results = engine.read_many([_bars(), _bars()], errors="return")
    assert isinstance(single.value.__cause__, ZeroDivisionError)
    assert single.value.backend == "ink"
    for failure in results:
        assert isinstance(failure, ItemFailure)
        assert isinstance(failure.error, RecognitionError)
        assert isinstance(failure.error.__cause__, ZeroDivisionError)


class _Greedy(InkBackend):
    """Sizes a buffer from the image's shape, as a model scaling a thin strip to
    its input height does: a one-pixel-wide image asks for exabytes, and the
    allocator raises a real MemoryError (no memory is touched)."""

    def _recognize(self, image, languages, clock):
        if image.width == 1:
            np.empty(2**62, dtype=np.uint8)
        return super()._recognize(image, languages, clock)


def test_an_engine_out_of_memory_is_a_typed_error_for_that_image_only():
    strip = Image.new("RGB", (1, 500), "white")
    with _Greedy() as engine:
        with pytest.raises(RecognitionError) as single:
            engine.read(strip)
        results = engine.read_many([_bars(), strip, _bars()], errors="return")
    message = str(single.value)
    assert "ink ran out of memory" in message and "1x500 pixels" in message
    assert "smaller" in message and "max_memory" in message  # what to do
    assert isinstance(single.value.__cause__, MemoryError)
    assert single.value.backend == "ink"
    assert isinstance(results[1], ItemFailure) and results[1].index == 1
    assert isinstance(results[1].error, RecognitionError)
    assert [p.text for p in (results[0], results[2])] == ["w20 w40", "w20 w40"]


class _ReturnsText(InkBackend):
    def _recognize(self, image, languages, clock):
        return "not blocks"


def test_a_wrong_return_type_is_a_recognition_error_naming_the_contract():
    with pytest.raises(RecognitionError, match=r"sequence of unocr\.model\.Block"):
        _ReturnsText().read(_bars())


class _NeedsThree(InkBackend):
    min_workers = 3
    barrier = threading.Barrier(3, timeout=10)

    def _recognize(self, image, languages, clock):
        # Passes only when three engine calls run at the same time.
        self.barrier.wait()
        return super()._recognize(image, languages, clock)


def test_min_workers_raises_the_thread_count_whatever_workers_says():
    with _NeedsThree() as engine:
        results = engine.read_many([_bars()] * 3, workers=1)
    assert all(isinstance(p, Page) for p in results)


def test_an_instance_may_set_its_own_min_workers():
    engine = InkBackend()
    engine.min_workers = 2
    names = set()
    barrier = threading.Barrier(2, timeout=10)
    real = engine._recognize

    def recognize(image, languages, clock):
        names.add(threading.current_thread().name)
        barrier.wait()
        return real(image, languages, clock)

    engine._recognize = recognize
    assert len(engine.read_many([_bars()] * 2)) == 2
    assert len(names) == 2


def _tiff(frames: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def test_read_pages_belongs_to_the_backend():
    data = _tiff([_bars((10,)), _bars((30, 5))])
    with InkBackend() as ink:
        pages = list(ink.read_pages(data, languages="en"))
    assert [p.text for p in pages] == ["w10", "w30 w5"]
    assert all(p.backend == "ink" and p.languages == ("en",) for p in pages)
    assert all(p.timings.decode > 0 for p in pages)


def test_read_pages_tags_an_unreadable_source():
    with InkBackend() as ink, pytest.raises(ImageError) as info:
        list(ink.read_pages(b"not an image"))
    assert info.value.backend == "ink"
    assert info.value.item == "<bytes>"


def test_read_pages_of_a_closed_backend_fails_on_first_use():
    ink = InkBackend()
    ink.close()
    with pytest.raises(RecognitionError, match="closed"):
        next(ink.read_pages(_tiff([_bars()])))


class _Batches(InkBackend):
    batch_size = 3

    def _recognize_batch(self, images, languages, clocks):
        for clock in clocks:
            clock.add("engine", 1.0 / len(images))
        return [
            RecognitionError("odd one") if image.width % 2 else () for image in images
        ]


def test_a_batch_returns_blocks_or_errors_per_image():
    widths = [(20,), (21,), (22,)]  # images 40, 41, 42 px wide: the middle fails
    with _Batches() as engine:
        results = engine.read_many([_bars(w) for w in widths], errors="return")
    assert isinstance(results[1], ItemFailure) and results[1].index == 1
    assert "odd one" in str(results[1].error)
    for page in (results[0], results[2]):
        assert page.words == () and page.backend == "ink"
        assert page.timings.engine == pytest.approx(1 / 3)


def test_the_pre_0_2_contract_still_works_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="pre-0.2 contract"):

        class Legacy(Backend):
            name = "legacy"
            capabilities = InkBackend.capabilities

            def _recognize(self, image, languages):
                return Page(
                    width=image.width,
                    height=image.height,
                    blocks=(Block.from_lines([Line.from_words([_word()])]),),
                    languages=languages,
                    timings=Timings(engine=1.0, convert=0.5),
                )

    with pytest.warns(DeprecationWarning, match="pre-0.2 contract"):

        class LegacyBatch(Legacy):
            batch_size = 2

            def _recognize_batch(self, images, languages):
                return [
                    RecognitionError("refused") if i else self._recognize(im, languages)
                    for i, im in enumerate(images)
                ]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = Legacy(languages="de").read(_bars())
        pages = Legacy().read_many([_bars(), _bars()], workers=2)
        batched = LegacyBatch().read_many([_bars()] * 3, errors="return")
    assert page.backend == "legacy" and page.languages == ("de",)
    assert page.timings.engine == 1.0 and page.timings.convert == 0.5
    assert page.timings.decode > 0.0
    assert [p.text for p in pages] == ["x", "x"]
    assert [bool(p) for p in batched] == [True, False, True]
    assert batched[0].text == "x" and batched[0].timings.engine == 1.0
    assert batched[1].index == 1 and "refused" in str(batched[1].error)


def test_stopwatch_adds_shares_and_times():
    sw = Stopwatch()
    sw.add("engine", 1.5)
    with sw.time("engine"):
        pass
    sw.add("convert", 0.25)
    t = sw.timings()
    assert t.engine >= 1.5 and t.convert == 0.25 and t.decode == 0.0


@pytest.mark.parametrize("name", ["tesseract", "rapidocr"])
def test_real_engines_are_stamped_by_the_base(name, monkeypatch):
    """Each engine only returns blocks: one page per read, stamped by the base."""
    info = {i.name: i for i in unocr.available_backends()}[name]
    if not info.installed:
        pytest.skip(f"{name} is not installed: {info.fix}")
    sample = Path(__file__).resolve().parents[1] / "samples" / "phototest.png"
    built = []
    real_post_init = Page.__post_init__

    def counting_post_init(self):
        built.append(self)
        real_post_init(self)

    with unocr.get_backend(name) as engine:
        monkeypatch.setattr(page_module.Page, "__post_init__", counting_post_init)
        page = engine.read(sample, languages="eng")
    assert built == [page]
    assert page.backend == name
    assert page.languages == ("en",)
    assert "test" in page.text
    assert page.timings.decode > 0.0
    assert page.timings.engine > page.timings.convert > 0.0
