"""Engines in worker processes: same pages, same errors, faults cost one item.

Real engines (Tesseract, RapidOCR) run both in process and isolated; the
fault engine (tests/fault_engine.py) crashes, hangs and allocates on demand.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.backends.base import Stopwatch
from unocr.errors import (
    BackendUnavailableError,
    ConfigError,
    EngineCrashedError,
    EngineMemoryError,
    EngineTimeoutError,
    ImageError,
    LanguageUnavailableError,
    RecognitionError,
)
from unocr.image import load_image
from unocr.isolation.proxy import IsolatedBackend
from unocr.model import Page

from . import fault_engine as fe
from .paths import FIXTURES, ROOT
from .processes import alive, gone

PHOTOTEST = FIXTURES / "tesseract" / "phototest.tif"


@pytest.fixture(autouse=True)
def _worker_path(worker_path: None) -> None:
    """Every test here starts workers (see conftest's ``worker_path``)."""


@pytest.fixture
def fault(monkeypatch: pytest.MonkeyPatch):
    unocr.register_backend("fault", fe.FaultBackend, replace=True)
    yield "fault"
    from unocr.registry import unregister_backend

    unregister_backend("fault")


def _same_page(a: Page, b: Page) -> None:
    assert a.replace(timings=b.timings) == b


# ------------------------------------------------------------ same results
def test_isolated_tesseract_gives_the_same_page_as_in_process() -> None:
    with unocr.get_backend("tesseract", isolate=True, psm=3) as iso:
        assert isinstance(iso, IsolatedBackend)
        assert iso.name == "tesseract"
        assert iso.capabilities.geometry == "box"
        (pid,) = iso.pids
        assert pid != os.getpid()
        page = iso.read(PHOTOTEST)
    with unocr.get_backend("tesseract", psm=3) as local:
        assert not isinstance(local, IsolatedBackend)
        expected = local.read(PHOTOTEST)
    _same_page(page, expected)
    assert page.backend == "tesseract"
    assert "quick brown dog" in page.text
    assert page.timings.engine > 0
    assert not alive(pid)  # close() stopped the worker


def test_isolated_rapidocr_gives_the_same_page_as_in_process() -> None:
    pytest.importorskip("rapidocr")
    from PIL import Image

    image = Image.open(FIXTURES / "dl" / "X51008123586.jpg").convert("RGB")
    image = image.crop((0, 0, image.width, image.height // 4))
    with unocr.get_backend("rapidocr", isolate=True) as iso:
        page = iso.read(image)
    with unocr.get_backend("rapidocr") as local:
        expected = local.read(image)
    _same_page(page, expected)
    assert len(page.words) > 3


def test_isolated_rapidocr_stages_give_what_they_give_in_process() -> None:
    pytest.importorskip("rapidocr")
    image = Image.open(FIXTURES / "dl" / "X51008123586.jpg").convert("RGB")
    image = image.crop((0, 0, image.width, image.height // 4))
    with (
        unocr.get_backend("rapidocr", isolate=True) as iso,
        unocr.get_backend("rapidocr") as local,
    ):
        assert iso.stages == local.stages == ("detect", "recognize")
        regions = local.detect(image)
        _same_page(iso.detect(image), regions)
        lines = [line.geometry for line in regions.lines]
        got = iso.recognize(image, lines)
        assert got == local.recognize(image, lines)
        assert sum(bool(r.text) for r in got) > 3


def test_read_many_spreads_over_worker_processes(fault: str) -> None:
    with unocr.get_backend(fault, isolate=True, processes=2) as iso:
        images = [fe.image(fe.OK, i) for i in range(6)]
        pages = iso.read_many(images, workers=2)
        assert [p.text for p in pages if isinstance(p, Page)] == [
            f"ok{i}" for i in range(6)
        ]
        assert len(iso.pids) == 2
        # Pages carry the engine's name and the parent's decode time.
        assert all(p.backend == "fault" for p in pages if isinstance(p, Page))


def test_a_read_after_an_interruption_starts_workers_again(fault: str) -> None:
    with unocr.get_backend(fault, isolate=True) as iso:
        (worker,) = iso._pool._idle
        pid = worker.pid
        os.kill(pid, signal.SIGKILL)  # an idle worker ends (OOM killer, a user)
        # Reap it: its main thread shows "Z" in /proc before its other threads
        # have ended, and until then the parent cannot know that it is gone.
        worker.proc.wait(timeout=60)
        iso._pool.interrupted = True  # as after Ctrl-C: no new workers meanwhile
        with pytest.raises(EngineCrashedError):
            iso._recognize_batch([load_image(fe.image(fe.OK, 0))], (), [Stopwatch()])
        assert iso.read(fe.image(fe.OK, 1)).text == "ok1"  # a new public call
        assert iso.pids and iso.pids[0] != pid


def test_each_worker_process_runs_in_the_batch_workers_scope(fault: str) -> None:
    with unocr.get_backend(fault, isolate=True) as iso:
        pages = iso.read_many([fe.image(fe.SCOPE)] * 4, workers=2)
        assert [p.text for p in pages if isinstance(p, Page)] == ["scope2"] * 4
        assert iso.read(fe.image(fe.SCOPE)).text == "scope1"  # one call at once
        assert iso.read_many([fe.image(fe.SCOPE)], workers=3)[0].text == "scope1"


def test_engine_options_reach_the_worker(fault: str) -> None:
    with unocr.get_backend(fault, isolate=True, greeting="!") as iso:
        assert iso.read(fe.image(fe.OK, 1)).text == "ok1!"


def test_printing_engine_does_not_corrupt_the_protocol(fault: str) -> None:
    with unocr.get_backend(fault, isolate=True) as iso:
        assert iso.read(fe.image(fe.PRINT, 4)).text == "ok4"
        assert iso.read(fe.image(fe.OK, 5)).text == "ok5"


def test_big_image_pixels_arrive_exactly() -> None:
    import numpy as np

    from unocr.image import load_image
    from unocr.isolation.transfer import PixelReader, PixelWriter

    rng = np.random.default_rng(0)
    for shared in (True, False):
        writer = PixelWriter(shared=shared)
        reader = PixelReader(writer.fd)
        for shape in ((3000, 2000, 3), (7, 5, 3), (40, 30, 3)):
            arr = rng.integers(0, 256, shape, dtype=np.uint8)
            loaded = load_image(arr)
            metas, blobs = writer.pack([loaded])
            (got,) = reader.unpack(metas, b"".join(blobs))
            assert got == loaded or (
                np.array_equal(np.asarray(got.image), arr)
                and (got.name, got.decode_seconds, got.encoded, got.format)
                == (loaded.name, loaded.decode_seconds, loaded.encoded, loaded.format)
            )
        writer.close()


def test_encoded_bytes_travel_with_the_pixels(fault: str) -> None:
    from unocr.image import load_image
    from unocr.isolation.transfer import PixelReader, PixelWriter

    loaded = load_image(PHOTOTEST)
    assert loaded.encoded is not None
    writer = PixelWriter()
    metas, blobs = writer.pack([loaded, loaded])
    got, again = PixelReader(writer.fd).unpack(metas, b"".join(blobs))
    assert again == got
    assert got.encoded == loaded.encoded and got.format == "TIFF"
    assert got.name == str(PHOTOTEST)
    writer.close()


# ----------------------------------------------------------- same errors
def test_creation_errors_cross_the_boundary_typed(fault: str) -> None:
    with pytest.raises(LanguageUnavailableError) as info:
        unocr.get_backend(fault, isolate=True, languages="ko")
    assert info.value.language == "ko"
    assert info.value.fix == "use languages='en'"
    assert info.value.backend == "fault"


def test_read_errors_cross_the_boundary_typed(fault: str) -> None:
    with unocr.get_backend(fault, isolate=True) as iso:
        with pytest.raises(RecognitionError, match="refuses <PIL image>") as info:
            iso.read(fe.image(fe.RAISE))
        assert type(info.value) is RecognitionError
        assert info.value.backend == "fault"
        with pytest.raises(RecognitionError, match="ValueError: bad value"):
            iso.read(fe.image(fe.VALUE_ERROR))
        with pytest.raises(ImageError):  # decoded in the parent, as in process
            iso.read(b"not an image")
        assert iso.read(fe.image(fe.OK, 2)).text == "ok2"  # worker still fine


def test_pixel_limit_is_checked_in_the_parent(fault: str) -> None:
    with (
        unocr.get_backend(fault, isolate=True, max_pixels=10) as iso,
        pytest.raises(ImageError, match="pixels"),
    ):
        iso.read(fe.image(fe.OK))


def test_unsendable_option_is_a_config_error(fault: str) -> None:
    with pytest.raises(ConfigError, match="cannot be sent"):
        unocr.get_backend(fault, isolate=True, greeting=object())


# ------------------------------------------------------------------ faults
def test_each_fault_costs_one_item_and_the_batch_goes_on(fault: str) -> None:
    with unocr.get_backend(
        fault, isolate=True, processes=1, timeout=10, max_memory="300M"
    ) as iso:
        first = iso.pids
        images = [
            fe.image(fe.OK, 0),
            fe.image(fe.SEGFAULT),
            fe.image(fe.OK, 2),
            fe.image(fe.HANG),
            fe.image(fe.OK, 4),
            fe.image(fe.ALLOCATE, 40),  # 640 MiB
            fe.image(fe.OK, 6),
            fe.image(fe.EXIT),
            fe.image(fe.OK, 8),
        ]
        start = time.monotonic()
        results = iso.read_many(images, errors="return")
        elapsed = time.monotonic() - start
        assert [r.text for r in results if isinstance(r, Page)] == [
            "ok0",
            "ok2",
            "ok4",
            "ok6",
            "ok8",
        ]
        crash = results[1].error
        assert type(crash) is EngineCrashedError
        assert crash.exitcode == -signal.SIGSEGV
        assert "SIGSEGV" in str(crash)
        assert any("about to crash" in line for line in crash.stderr)
        assert crash.backend == "fault" and results[1].index == 1
        hang = results[3].error
        assert type(hang) is EngineTimeoutError and hang.timeout == 10.0
        assert "fault engine: hanging" in hang.stderr
        memory = results[5].error
        assert type(memory) is EngineMemoryError
        assert memory.max_memory == 300 * 2**20 and memory.used > memory.max_memory
        gone = results[7].error
        assert type(gone) is EngineCrashedError and gone.exitcode == 3
        assert "exited with status 3" in str(gone)
        # Every fault replaced the worker; the hang cost its time-out, not more.
        assert iso.pids and iso.pids != first
        assert not any(alive(p) for p in first)
        assert elapsed < 10 + 20


def test_errors_raise_mode_raises_the_typed_fault(fault: str) -> None:
    with unocr.get_backend(fault, isolate=True, timeout=1) as iso:
        with pytest.raises(EngineTimeoutError):
            iso.read_many([fe.image(fe.OK), fe.image(fe.HANG)])
        assert iso.read(fe.image(fe.OK, 3)).text == "ok3"


def test_a_leaking_worker_is_replaced(fault: str) -> None:
    from unocr.isolation.process import resident_bytes

    with unocr.get_backend(fault, isolate=True, max_memory="400M") as iso:
        (pid,) = iso.pids
        rss = resident_bytes(pid)
        assert rss is not None and 0 < rss < 400 * 2**20
        # 480 MiB kept after the call: stopped during it or replaced after it.
        results = iso.read_many([fe.image(fe.LEAK, 30)], errors="return")
        assert isinstance(results[0], Page) or isinstance(
            results[0].error, EngineMemoryError
        )
        assert not alive(pid)
        assert iso.read(fe.image(fe.OK, 1)).text == "ok1"
        assert iso.pids != [pid]


# The parent's main thread is inside a read whose two calls hang, each on its
# own worker: the second call starts the second worker, as the first holds its
# own. A thread prints the workers' pids once both have started.
_PARENT = textwrap.dedent(
    """
    import sys, threading, time, unocr
    sys.path[:0] = [{root!r}]
    from tests import fault_engine as fe
    unocr.register_backend("fault", fe.FaultBackend)
    b = unocr.get_backend("fault", isolate=True, processes=2)

    def print_pids():
        deadline = time.monotonic() + 60
        while len(b.pids) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        print(" ".join(map(str, b.pids)), flush=True)

    threading.Thread(target=print_pids, daemon=True).start()
    b.read_many([fe.image(fe.HANG)] * 2, workers=2)
    """
)


@contextmanager
def _hanging_parent(
    tmp_path: Path,
) -> Iterator[tuple[subprocess.Popen[str], list[int]]]:
    """A parent process whose two workers hang in a call, and their pids.

    The parent is killed on leaving, if it still runs; a parent that does not
    report two workers within 120 s fails the test with its standard error.
    """
    script = tmp_path / "parent.py"
    script.write_text(_PARENT.format(root=str(ROOT)))
    with subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            ready, _, _ = select.select([proc.stdout], [], [], 120)
            line = proc.stdout.readline() if ready else ""
            pids = [int(p) for p in line.split()]
            if len(pids) != 2:
                # Its stderr is complete once it (and any worker holding the
                # pipe) has ended: the whole process group goes.
                os.killpg(proc.pid, signal.SIGKILL)
                _, err = proc.communicate(timeout=10)
                pytest.fail(f"the parent reported workers {line!r}; stderr:\n{err}")
            time.sleep(0.5)  # both workers are inside the hanging call
            yield proc, pids
        finally:
            proc.kill()  # nothing if it has ended; its workers die with it


def _workers_of(pid: int) -> list[int]:
    """Processes running a unocr worker started by ``pid`` (scans /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        mine = b"unocr.isolation.worker" in cmd and str(pid).encode() in cmd
        if mine and alive(int(entry)):
            found.append(int(entry))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scans /proc")
def test_no_worker_outlives_a_parent_killed_with_sigkill(tmp_path: Path) -> None:
    with _hanging_parent(tmp_path) as (proc, pids):
        assert sorted(_workers_of(proc.pid)) == sorted(pids)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert gone(pids, 3.0), f"orphaned workers: {_workers_of(proc.pid)}"
    assert _workers_of(proc.pid) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scans /proc")
def test_ctrl_c_stops_parent_and_workers_promptly(tmp_path: Path) -> None:
    with _hanging_parent(tmp_path) as (proc, pids):
        start = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        _, err = proc.communicate(timeout=10)
        assert time.monotonic() - start < 5
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in err
    assert gone(pids, 3.0)


# ------------------------------------------------------------ interpreters
def test_missing_interpreter_names_the_option() -> None:
    with pytest.raises(BackendUnavailableError, match="does not exist") as info:
        unocr.get_backend("tesseract", python="/nonexistent/bin/python")
    assert "python=" in str(info.value)


def test_interpreter_without_unocr_is_reported(tmp_path: Path, monkeypatch) -> None:
    bare = Path("/usr/bin/python3")
    if not bare.exists():
        pytest.skip("no system python3 to stand for an environment without unocr")
    monkeypatch.setenv("PYTHONPATH", "")
    config = tmp_path / "unocr.toml"
    config.write_text(f'[backends.tesseract]\npython = "{bare}"\n')
    monkeypatch.setenv("UNOCR_CONFIG", str(config))
    with pytest.raises(BackendUnavailableError, match="no unocr installed") as info:
        unocr.get_backend("tesseract")
    assert str(config) in str(info.value)
    assert f"{bare} -m pip install unocr" in (info.value.fix or "")


def test_pixels_reach_the_worker_exactly(fault: str) -> None:
    import hashlib

    import numpy as np

    from unocr.image import load_image

    rng = np.random.default_rng(1)
    shapes = ((2000, 3000, 3), (5, 7, 3), (1, 1, 3))
    images = [load_image(rng.integers(0, 256, s, dtype=np.uint8)) for s in shapes]
    with unocr.get_backend(fault, isolate=True) as iso:
        for batch in ([images[0]], images, images[::-1]):
            for image, got in zip(batch, iso.transfer(batch, digest=True), strict=True):
                assert got["size"] == list(image.image.size)
                want = hashlib.sha256(image.image.tobytes()).hexdigest()
                assert got["digest"] == want


def test_engine_the_worker_cannot_import_is_unavailable(
    fault, monkeypatch, tmp_path
) -> None:
    # The worker sees this checkout's unocr but not the tests' engine module:
    # another interpreter (this one, from another folder) gets no sys.path of
    # the caller's, only PYTHONPATH.
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))
    monkeypatch.chdir(ROOT / "src")
    other = tmp_path / "python-other"
    other.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    other.chmod(0o755)
    with pytest.raises(
        BackendUnavailableError, match="ended before it was ready"
    ) as info:
        unocr.get_backend(fault, python=str(other))
    assert "No module named 'tests'" in str(info.value)
    assert "-m unocr backends" in (info.value.fix or "")


def test_worker_of_another_protocol_version_is_unavailable(fault, monkeypatch) -> None:
    from unocr.isolation import pool
    from unocr.isolation.protocol import PROTOCOL

    monkeypatch.setattr(pool, "PROTOCOL", 99)
    with pytest.raises(BackendUnavailableError, match=f"protocol {PROTOCOL}") as info:
        unocr.get_backend(fault, isolate=True)
    assert "-m pip install 'unocr==" in (info.value.fix or "")


def test_read_many_keeps_the_engines_batches() -> None:
    from unocr.registry import unregister_backend

    unocr.register_backend("batching-fault", fe.BatchingFaultBackend, replace=True)
    try:
        images = [fe.image(fe.OK, i) for i in range(7)]
        with unocr.get_backend("batching-fault") as local:
            expected = local.read_many(images)
        with unocr.get_backend("batching-fault", isolate=True) as iso:
            assert iso.batch_size == 3
            pages = iso.read_many(images, workers=2)
            assert len(iso.pids) == 2
        assert [p.text for p in pages] == ["batch3"] * 6 + ["batch1"]
        for page, want in zip(pages, expected, strict=True):
            _same_page(page, want)
    finally:
        unregister_backend("batching-fault")


# ------------------------------------------------------------------ stages
@pytest.fixture
def staged():
    unocr.register_backend("staged-fault", fe.StagedFaultBackend, replace=True)
    yield "staged-fault"
    from unocr.registry import unregister_backend

    unregister_backend("staged-fault")


def test_stages_run_in_the_worker_as_in_process(staged: str) -> None:
    from unocr.geometry import Box, Quad

    img = Image.new("RGB", (40, 20), "white")
    img.paste((0, 0, 0), (5, 2, 9, 18))
    img.paste((0, 0, 0), (20, 2, 22, 18))
    regions = [
        Box(0, 0, 10, 10),
        Quad([(1, 1), (31, 3), (30, 13), (0, 11)]),
        Box(50, 50, 60, 60),
    ]
    with (
        unocr.get_backend(staged, greeting="!") as local,
        unocr.get_backend(staged, isolate=True, greeting="!") as iso,
    ):
        assert iso.stages == local.stages == ("detect", "recognize")
        assert iso.pids[0] != os.getpid()
        _same_page(iso.detect(img), local.detect(img))
        words = sorted(iso.detect(img).words, key=lambda w: w.geometry.x0)
        assert [w.geometry for w in words] == [
            Box(x, 0, x + 1, 20) for x in (*range(5, 9), 20, 21)
        ]
        got = iso.recognize(img, regions)
        assert got == local.recognize(img, regions)
        assert [r.text for r in got] == ["10x10!", "30x10!", ""]  # last: outside


def test_stage_faults_and_missing_stages_are_typed(staged: str, fault: str) -> None:
    from unocr.errors import StageUnavailableError
    from unocr.geometry import Box

    with unocr.get_backend(fault, isolate=True) as iso:
        assert iso.stages == ()
        with pytest.raises(StageUnavailableError, match="no detect stage"):
            iso.detect(fe.image(fe.OK))
    with unocr.get_backend(staged, isolate=True) as iso:
        pid = iso.pids[0]
        with pytest.raises(EngineCrashedError, match="SIGSEGV"):
            iso.recognize(fe.image(fe.SEGFAULT), [Box(0, 0, 4, 4)])
        assert iso.recognize(fe.image(fe.OK), [Box(0, 0, 4, 4)])[0].text == "4x4"
        assert iso.pids and iso.pids[0] != pid  # replaced
