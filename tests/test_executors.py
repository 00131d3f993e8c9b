"""read_many(..., executor=...): thread and process pools, one build per worker."""

from __future__ import annotations

import io
import os
import shutil
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.backends.base import ItemFailure
from unocr.errors import (
    ConfigError,
    EngineCrashedError,
    ImageError,
    UnknownOptionError,
    WorkerLostError,
)
from unocr.executors import BackendSpec, worker_backend

from . import fault_engine as fe
from .executor_engine import CountingBackend

PHOTOTEST = Path(__file__).parent / "fixtures" / "tesseract" / "phototest.tif"
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="needs tesseract (apt-get install tesseract-ocr)",
)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _words(result: unocr.Page | ItemFailure) -> object:
    if isinstance(result, ItemFailure):
        return (type(result.error), result.index)
    return [(w.text, w.geometry.bounds) for w in result.words]


def _pages_by_process(results: list[unocr.Page | ItemFailure]) -> dict[str, set[str]]:
    """Process id -> the build numbers that read its pages ("pid:build")."""
    seen: dict[str, set[str]] = {}
    for page in results:
        assert isinstance(page, unocr.Page), page
        pid, build = page.text.split(":")
        seen.setdefault(pid, set()).add(build)
    return seen


@needs_tesseract
def test_a_process_pool_reads_like_the_process_itself(tmp_path):
    with Image.open(PHOTOTEST) as im:
        top = im.convert("RGB").crop((0, 0, im.width, im.height // 3))
    first = tmp_path / "top.png"
    top.save(first)
    frames = tmp_path / "two.tif"
    top.save(frames, save_all=True, append_images=[top.rotate(0)])

    def images():  # a file object is read once: a fresh list per call
        return [first, _png(top), top, b"not an image", str(frames),
                io.BytesIO(_png(top))]  # fmt: skip

    with unocr.get_backend("tesseract", psm=3) as backend:
        expected = backend.read_many(images(), errors="return")
        with ProcessPoolExecutor(2) as pool:
            got = backend.read_many(images(), errors="return", executor=pool)
            named = unocr.read_many(
                images(), "tesseract", psm=3, errors="return", executor=pool
            )
    unocr.clear_cache()
    assert len(expected) == 7  # the TIFF gives two pages
    assert [_words(r) for r in got] == [_words(r) for r in expected]
    assert [_words(r) for r in named] == [_words(r) for r in expected]
    assert "12 point text" in got[0].text
    failure = got[3]
    assert isinstance(failure, ItemFailure) and failure.index == 3
    assert isinstance(failure.error, ImageError) and failure.error.item == 3
    assert [p.source.index for p in got[4:6]] == [0, 1]
    assert got[6].text == got[1].text  # the file object travelled as its bytes


def test_each_worker_process_builds_the_backend_once():
    backend = CountingBackend(greeting="")
    images = [fe.image(fe.OK, i) for i in range(12)]
    with ProcessPoolExecutor(2) as pool:
        first = backend.read_many(images, executor=pool)
        second = backend.read_many(images, executor=pool)
    seen = _pages_by_process(first + second)
    assert 1 <= len(seen) <= 2
    assert all(len(builds) == 1 for builds in seen.values()), seen
    assert str(backend.pid) not in seen  # the engine ran in the pool, not here


def test_a_thread_pool_shares_the_callers_backend():
    backend = CountingBackend(hook=lambda text: text + "!")  # no pickling needed
    images = [fe.image(fe.OK, i) for i in range(6)]
    done = []
    with ThreadPoolExecutor(2) as pool:
        out = backend.read_many(images, executor=pool, progress=done.append)
    assert {p.text for p in out} == {f"{backend.pid}:{backend.build}!"}
    assert sum(done) == 6


def test_an_option_that_cannot_be_pickled_is_named():
    backend = CountingBackend(hook=lambda text: text)
    with (
        ProcessPoolExecutor(1) as pool,
        pytest.raises(ConfigError, match=r"option hook=.*cannot be sent") as info,
    ):
        backend.read_many([fe.image(fe.OK)], executor=pool)
    assert info.value.backend == "counting"
    assert "lambda" in str(info.value)


def test_a_backend_class_that_cannot_be_pickled_is_named():
    class Local(CountingBackend):
        pass

    with (
        ProcessPoolExecutor(1) as pool,
        pytest.raises(ConfigError, match=r"class=.*Local"),
    ):
        Local().read_many([fe.image(fe.OK)], executor=pool)


def test_a_lost_worker_fails_its_items_not_the_batch():
    backend = CountingBackend()
    images = [fe.image(fe.OK), fe.image(fe.EXIT), fe.image(fe.OK)]
    with ProcessPoolExecutor(1) as pool:
        assert backend.read_many(images[:1], executor=pool)[0].text  # warm worker
        out = backend.read_many(images, executor=pool, errors="return")
        (again,) = backend.read_many(images[:1], executor=pool, errors="return")
    assert isinstance(again.error, WorkerLostError)  # the pool stays broken
    assert isinstance(out[0], unocr.Page)
    for index in (1, 2):  # the dead worker's item, and the broken pool's rest
        failure = out[index]
        assert isinstance(failure, ItemFailure) and failure.index == index
        assert isinstance(failure.error, WorkerLostError)
        assert isinstance(failure.error, EngineCrashedError)
        assert failure.error.item == index and failure.error.backend == "counting"
        assert "BrokenProcessPool" in failure.error.reason
        assert "on a new pool" in str(failure.error)
    with (
        ProcessPoolExecutor(1) as pool,
        pytest.raises(WorkerLostError, match="worker was lost before item 0"),
    ):
        backend.read_many(images[1:], executor=pool)


def test_raise_mode_raises_the_first_failure():
    backend = CountingBackend()
    with (
        ProcessPoolExecutor(1) as pool,
        pytest.raises(ImageError, match="not a recognised image") as info,
    ):
        backend.read_many([fe.image(fe.OK), b"junk"], executor=pool)
    assert info.value.item == 1


def test_worker_backend_is_cached_per_spec():
    spec = BackendSpec.of(CountingBackend(greeting="?"))
    first = worker_backend(spec)
    assert worker_backend(spec) is first
    assert worker_backend(BackendSpec.of(CountingBackend(greeting="!"))) is not first
    assert first.greeting == "?"
    first.close()
    second = worker_backend(spec)
    assert second is not first  # a closed one is rebuilt
    unocr.clear_cache()
    assert second.closed and worker_backend(spec) is not second


def test_a_named_spec_refuses_an_unknown_option():
    with pytest.raises(UnknownOptionError, match="psn"):
        BackendSpec.named("tesseract", {"psn": 6})


def test_a_file_object_travels_as_its_bytes(tmp_path):
    path = tmp_path / "ok.png"
    fe.image(fe.OK, 7).save(path)
    with open(path, "rb") as fh, ProcessPoolExecutor(1) as pool:
        (page,) = CountingBackend(greeting="?").read_many([fh], executor=pool)
    assert page.text.endswith("?") and page.width == 16


def test_a_named_engine_is_built_on_the_workers_only():
    from unocr import registry

    from . import executor_engine

    registry.register_backend("counting", CountingBackend)
    try:
        before = executor_engine.BUILDS
        images = [fe.image(fe.OK, i) for i in range(4)]
        with ProcessPoolExecutor(2) as pool:  # forked: the registration goes along
            pages = unocr.read_many(images, "counting", greeting="!", executor=pool)
            with pytest.raises(UnknownOptionError, match="greting"):
                unocr.read_many(images, "counting", greting="!", executor=pool)
        assert before == executor_engine.BUILDS  # no engine built here
    finally:
        registry.unregister_backend("counting")
        unocr.clear_cache()
    assert all(p.text.endswith("!") for p in pages)
    assert str(os.getpid()) not in {p.text.split(":")[0] for p in pages}


def test_a_named_spec_keeps_the_isolation_options():
    spec = BackendSpec.named("Tesseract", {"psm": 6, "isolate": True})
    assert spec.name == "tesseract"
    assert dict(spec.options) == {"psm": 6, "isolate": True}


def test_a_named_engine_that_batches_gets_whole_batches():
    from unocr import registry

    registry.register_backend("batching-fault", fe.BatchingFaultBackend)
    try:
        images = [fe.image(fe.OK, i) for i in range(6)]
        with ProcessPoolExecutor(2) as pool:
            pages = unocr.read_many(images, "batching-fault", executor=pool)
    finally:
        registry.unregister_backend("batching-fault")
    assert [p.text for p in pages] == ["batch3"] * 6


@needs_tesseract
def test_a_named_engines_option_values_are_checked_before_any_task():
    images = [fe.image(fe.OK, i) for i in range(2)]
    with ProcessPoolExecutor(1) as pool:
        with pytest.raises(ConfigError, match="option psm must be int") as info:
            unocr.read_many(
                images, "tesseract", psm="abc", executor=pool, errors="return"
            )
        # isolated on the workers, timeout= is their limit, not the engine's
        with pytest.raises(ConfigError, match="option psm must be int"):
            unocr.read_many(
                images, "tesseract", psm="6", isolate=True, timeout=5,
                executor=pool, errors="return",
            )  # fmt: skip
    assert info.value.backend == "tesseract"


#: Builds of :class:`BrokenBuild` in this process.
FAILED_BUILDS = 0


class BrokenBuild(CountingBackend):
    """A backend whose every build fails, numbering the attempts."""

    def __init__(self, **options: object) -> None:
        global FAILED_BUILDS
        FAILED_BUILDS += 1
        raise ConfigError(f"build {FAILED_BUILDS} in {os.getpid()} failed")


def test_a_worker_builds_a_failing_backend_once_per_batch():
    from unocr.executors import read_on_executor

    spec = BackendSpec("broken", {}, BrokenBuild)
    images = [fe.image(fe.OK, i) for i in range(5)]
    with ProcessPoolExecutor(1) as pool:
        first = read_on_executor(spec, images, pool, errors="return")
        second = read_on_executor(spec, images, pool, errors="return")
    for batch, build in ((first, 1), (second, 2)):  # a new batch tries again
        assert [r.index for r in batch] == list(range(5))
        messages = {str(r.error) for r in batch}
        assert len(messages) == 1 and f"build {build} in" in messages.pop()
        assert all(isinstance(r.error, ConfigError) for r in batch)
        assert [r.error.item for r in batch] == list(range(5))
    assert FAILED_BUILDS == 0  # in the workers only
