"""Isolated engines keep their promises: secrets, per-image time-outs, the
same page, the engine's parallelism, typed plugin errors, a relative
interpreter and cancellation (real worker processes, small test engines).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PIL import Image

import unocr
from unocr.backends.base import Backend, Capabilities, Languages, Stopwatch
from unocr.errors import (
    AuthenticationError,
    BackendUnavailableError,
    ConfigError,
    RecognitionError,
)
from unocr.image import LoadedImage
from unocr.isolation.protocol import error_from_dict, error_to_dict
from unocr.isolation.proxy import IsolatedBackend
from unocr.model import Block, Page
from unocr.model.serialize import page_to_dict
from unocr.registry import register_backend, unregister_backend

from . import fault_engine as fe
from .ink_engine import ENGLISH_WORDS
from .processes import alive, gone

ROOT = Path(__file__).resolve().parents[1]
SECRET = "AIzaSy-SECRET-KEY-123"


# ------------------------------------------------------- the test engines
class SlowBatch(fe.BatchingFaultBackend):
    """Batches four images, as keras-ocr does, and takes ``seconds`` per image."""

    name = "slow-batch"
    batch_size: ClassVar[int] = 4

    def __init__(self, *, seconds: float = 0.5, **base: Any) -> None:
        super().__init__(**base)
        self.seconds = seconds


class English(Backend):
    """Reads English unless told otherwise (as EasyOCR does): the page says so."""

    name = "english"
    capabilities: ClassVar[Capabilities] = ENGLISH_WORDS

    def __init__(self, **base: Any) -> None:
        super().__init__(**base)
        self.languages = self.languages or ("en",)

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        return fe.covering_word("+".join(languages), image)


class Concurrent(Backend):
    """Keeps ``concurrency`` calls in flight (as Google Cloud Vision does);
    takes ``seconds`` per image and reads its worker's process id."""

    name = "concurrent"
    capabilities: ClassVar[Capabilities] = ENGLISH_WORDS

    def __init__(
        self, *, concurrency: int = 1, seconds: float = 0.3, **base: Any
    ) -> None:
        super().__init__(**base)
        self.min_workers = concurrency
        self.seconds = seconds

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        time.sleep(self.seconds)
        return fe.covering_word(str(os.getpid()), image)


class QuotaError(AuthenticationError):
    """A plugin's own error, a kind of unocr's."""


class Quota(Backend):
    """Raises a plugin error; ``hidden``: of a class only its worker knows."""

    name = "quota"
    capabilities: ClassVar[Capabilities] = ENGLISH_WORDS

    def __init__(self, *, hidden: bool = False, **base: Any) -> None:
        super().__init__(**base)
        self.hidden = hidden

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        cls: type[AuthenticationError] = QuotaError
        if self.hidden:
            cls = type(
                "HiddenQuota", (AuthenticationError,), {"__module__": "worker_only"}
            )
        err = cls("quota: exhausted for today", backend=self.name, fix="wait a day")
        err.retry_after = 3600  # type: ignore[attr-defined]
        raise err


@pytest.fixture(autouse=True)
def _worker_path(worker_path: None) -> None:
    """Every test here starts workers (see conftest's ``worker_path``)."""


@pytest.fixture
def engines() -> Iterator[None]:
    table = {
        "slow-batch": SlowBatch,
        "english": English,
        "concurrent": Concurrent,
        "quota": Quota,
        "fault": fe.FaultBackend,
    }
    for name, factory in table.items():
        register_backend(name, factory, replace=True)
    yield
    for name in table:
        unregister_backend(name)


def _image(shade: int = 0) -> Image.Image:
    return Image.new("RGB", (16, 8), (shade, 0, 0))


# ------------------------------------------------------------ 1. secrets
def test_an_isolated_engine_never_shows_a_key_in_its_errors() -> None:
    pytest.importorskip("google.cloud.vision")
    from google.api_core.client_options import ClientOptions

    for options in (
        {"client_options": ClientOptions(api_key=SECRET)},
        {"api_key": SECRET.encode()},
        {"client_options": {"api_key": SECRET.encode()}},
    ):
        with pytest.raises(ConfigError, match="cannot be sent") as info:
            unocr.get_backend("gcv", isolate=True, **options)
        err = info.value
        assert SECRET not in str(err) and SECRET not in repr(err)
        assert SECRET not in repr(err.args) and SECRET not in repr(vars(err))


def test_an_unsendable_option_still_names_its_value(engines: None) -> None:
    with pytest.raises(ConfigError, match=r"greeting=.*object") as info:
        unocr.get_backend("fault", isolate=True, greeting=object())
    assert info.value.option == "greeting"


# ---------------------------------------------------- 2. per-image timeout
def test_the_timeout_is_per_image_in_an_engine_batch(engines: None) -> None:
    # 4 images of 0.5 s each in one message: 2 s, within 4 x 1.2 s.
    with unocr.get_backend("slow-batch", isolate=True, timeout=1.2) as iso:
        pages = iso.read_many([_image()] * 4, errors="return")
        assert [p.text for p in pages if isinstance(p, Page)] == ["batch4"] * 4


# --------------------------------------------------------- 3. same page
def test_an_isolated_page_keeps_the_engines_own_languages(engines: None) -> None:
    with unocr.get_backend("english") as local:
        expected = local.read(_image())
    with unocr.get_backend("english", isolate=True) as iso:
        page = iso.read(_image())
        (many,) = iso.read_many([_image()])
    assert expected.languages == ("en",)
    for got in (page, many):
        assert got.languages == ("en",) and got.text == "en"
        assert got.replace(timings=expected.timings) == expected


def test_an_isolated_cascade_page_keeps_what_each_engine_did(
    snippet: Image.Image,
) -> None:
    with unocr.get_backend("tesseract/tesseract") as local:
        expected = local.read(snippet)
    with unocr.get_backend("tesseract/tesseract", isolate=True) as iso:
        page = iso.read(snippet)
    assert expected.engines and page.engines == expected.engines
    got, want = page_to_dict(page), page_to_dict(expected)
    assert {k: v for k, v in got.items() if k != "timings"} == {
        k: v for k, v in want.items() if k != "timings"
    }


# ----------------------------------------------------------- 4. parallelism
def test_an_isolated_engine_keeps_its_requests_in_flight(engines: None) -> None:
    with unocr.get_backend("concurrent", isolate=True, concurrency=3) as iso:
        assert iso.min_workers == 3
        pages = iso.read_many([_image()] * 3)  # workers=1: the engine's 3
        assert len({p.text for p in pages if isinstance(p, Page)}) == 3
        assert len(iso.pids) == 3


def test_one_process_runs_its_engine_on_every_core(engines: None) -> None:
    with unocr.get_backend("fault", isolate=True, processes=1) as iso:
        pages = iso.read_many([fe.image(fe.SCOPE)] * 4, workers=2)
        assert [p.text for p in pages if isinstance(p, Page)] == ["scope1"] * 4
        assert len(iso.pids) == 1
    with unocr.get_backend("fault", isolate=True, processes=2) as iso:
        pages = iso.read_many([fe.image(fe.SCOPE)] * 4, workers=3)
        assert [p.text for p in pages if isinstance(p, Page)] == ["scope2"] * 4


# --------------------------------------------------------- 5. plugin errors
def test_a_plugin_error_keeps_its_type_in_the_parent(engines: None) -> None:
    with unocr.get_backend("quota") as local, pytest.raises(QuotaError) as there:
        local.read(_image())
    with (
        unocr.get_backend("quota", isolate=True) as iso,
        pytest.raises(QuotaError) as info,
    ):
        iso.read(_image())
    err = info.value
    assert type(err) is QuotaError
    assert str(err) == str(there.value)
    assert (err.backend, err.fix, err.retry_after) == ("quota", "wait a day", 3600)  # type: ignore[attr-defined]


def test_a_plugin_error_unknown_to_the_parent_is_its_nearest_unocr_kind(
    engines: None,
) -> None:
    with (
        unocr.get_backend("quota", isolate=True, hidden=True) as iso,
        pytest.raises(AuthenticationError) as info,
    ):
        iso.read(_image())
    err = info.value
    assert type(err) is AuthenticationError
    assert "quota: exhausted for today" in str(err)
    assert (err.backend, err.fix, err.retry_after) == ("quota", "wait a day", 3600)  # type: ignore[attr-defined]


def test_an_error_description_without_bases_still_rebuilds() -> None:
    data = error_to_dict(QuotaError("no", backend="quota", fix="wait"))
    assert data["bases"][0] == "unocr.errors:AuthenticationError"
    assert type(error_from_dict(data)) is QuotaError  # its module is imported
    data.update(module="worker_only", bases=[])  # an older worker's description
    err = error_from_dict(data)
    assert type(err) is RecognitionError and "QuotaError" in str(err)
    data.update(bases=["worker_only:Base", "unocr.errors:AuthenticationError"])
    assert type(error_from_dict(data)) is AuthenticationError
    data.update(module="os", type="system", bases=["os:path"])  # no error class
    assert type(error_from_dict(data)) is RecognitionError


# ------------------------------------------------------ 6. relative python
def test_a_relative_interpreter_survives_a_change_of_folder(
    engines: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = Path(sys.executable).parent
    monkeypatch.chdir(home.parent)
    relative = os.path.join(home.name, Path(sys.executable).name)
    with unocr.get_backend("fault", python=relative) as iso:
        assert isinstance(iso, IsolatedBackend)
        assert os.path.isabs(iso.python)
        monkeypatch.chdir(tmp_path)
        pages = iso.read_many([fe.image(fe.OK, i) for i in range(2)], workers=2)
        assert [p.text for p in pages if isinstance(p, Page)] == ["ok0", "ok1"]


# ----------------------------------------------------------- 7. cancellation


def test_cancelling_an_isolated_read_stops_its_worker(engines: None) -> None:
    async def main(iso: IsolatedBackend) -> float:
        (pid,) = iso.pids
        task = asyncio.create_task(unocr.aread(fe.image(fe.HANG), backend=iso))
        await asyncio.sleep(1.0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not alive(pid)  # the engine's work stopped with its worker
        start = time.monotonic()
        page = await unocr.aread(fe.image(fe.OK, 7), backend=iso)
        assert page.text == "ok7"
        assert iso.pids and iso.pids != [pid]
        return time.monotonic() - start

    # (the time-out only bounds the test on a worker that goes on hanging)
    with unocr.get_backend("fault", isolate=True, processes=1, timeout=20) as iso:
        assert asyncio.run(main(iso)) < 10


class Spawner(Backend):
    """Starts a program in a session of its own (as Tesseract's runner does),
    writes its pid to ``log``, then works for a minute."""

    name = "spawner"
    capabilities: ClassVar[Capabilities] = ENGLISH_WORDS

    def __init__(self, *, log: str = "", **base: Any) -> None:
        super().__init__(**base)
        self.log = log

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        program = subprocess.Popen(["sleep", "300"], start_new_session=True)
        Path(self.log).write_text(str(program.pid))
        time.sleep(60)
        return fe.covering_word("late", image)


class Pid(Concurrent):
    """Takes ``seconds`` per image (1.5 s) and reads its worker's process id."""

    name = "pid"

    def __init__(self, *, seconds: float = 1.5, **base: Any) -> None:
        super().__init__(seconds=seconds, **base)


@pytest.fixture
def more_engines() -> Iterator[None]:
    table: dict[str, type[Backend]] = {"spawner": Spawner, "pid": Pid}
    for name, factory in table.items():
        register_backend(name, factory, replace=True)
    yield
    for name in table:
        unregister_backend(name)


def test_cancelling_an_isolated_read_stops_the_programs_its_worker_started(
    more_engines: None, tmp_path: Path
) -> None:
    log = tmp_path / "program.pid"

    async def main(iso: IsolatedBackend) -> int:
        (pid,) = iso.pids
        task = asyncio.create_task(unocr.aread(_image(), backend=iso))
        deadline = time.monotonic() + 20
        while not log.exists() or not log.read_text():
            assert time.monotonic() < deadline, "the engine never started its program"
            await asyncio.sleep(0.05)
        program = int(log.read_text())
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert gone([pid], 5)
        return program

    with unocr.get_backend("spawner", isolate=True, log=str(log)) as iso:
        program = asyncio.run(main(iso))
    try:
        assert gone([program], 5), "the program the worker started runs on"
    finally:
        with contextlib.suppress(OSError):
            os.kill(program, signal.SIGKILL)


def test_a_read_cancelled_while_waiting_for_a_worker_leaves_that_worker_alone(
    more_engines: None,
) -> None:
    async def main(iso: IsolatedBackend) -> None:
        (pid,) = iso.pids
        first = asyncio.create_task(unocr.aread(_image(1), backend=iso))
        await asyncio.sleep(0.3)
        waiting = asyncio.create_task(unocr.aread(_image(2), backend=iso))
        await asyncio.sleep(0.3)
        waiting.cancel()  # it never got the one worker
        page, cancelled = await asyncio.gather(first, waiting, return_exceptions=True)
        assert isinstance(page, Page) and page.text == str(pid)
        assert isinstance(cancelled, asyncio.CancelledError)
        await asyncio.sleep(1.0)  # the cancelled read's thread gets the worker
        assert iso.pids == [pid] and alive(pid)
        page = await unocr.aread(_image(3), backend=iso)
        assert page.text == str(pid)

    with unocr.get_backend("pid", isolate=True, processes=1, seconds=1.5) as iso:
        asyncio.run(main(iso))


# ------------------------------------------------------- 8. bare python
def test_a_bare_interpreter_name_is_looked_up_on_path(
    engines: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder, name = os.path.split(sys.executable)
    monkeypatch.setenv("PATH", os.pathsep.join([folder, os.environ.get("PATH", "")]))
    monkeypatch.chdir(tmp_path)  # not the interpreter's folder
    found = shutil.which(name)
    assert found is not None
    with unocr.get_backend("fault", python=name) as iso:
        assert isinstance(iso, IsolatedBackend)
        assert iso.python == os.path.abspath(found)
        assert iso.read(fe.image(fe.OK, 4)).text == "ok4"
    # configured, the running interpreter runs its engine in process (as by path)
    monkeypatch.setenv("UNOCR_PYTHON_FAULT", name)
    with unocr.get_backend("fault") as engine:
        assert not isinstance(engine, IsolatedBackend)
    # another interpreter's bare name is looked up on PATH
    other = tmp_path / "bin"
    other.mkdir()
    wrapper = other / "python-other"  # this environment, from another folder
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", os.pathsep.join([str(other), os.environ["PATH"]]))
    monkeypatch.setenv("UNOCR_PYTHON_FAULT", "python-other")
    with unocr.get_backend("fault") as iso:
        assert isinstance(iso, IsolatedBackend)
        assert iso.python == str(wrapper)
        assert "UNOCR_PYTHON_FAULT" in iso.source


def test_a_bare_interpreter_name_not_on_path_says_so(
    engines: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(BackendUnavailableError, match="PATH") as info:
        unocr.get_backend("fault", python="no-such-python3")
    assert "no-such-python3" in str(info.value)
    monkeypatch.setenv("UNOCR_PYTHON_FAULT", "no-such-python3")
    with pytest.raises(BackendUnavailableError, match=r"UNOCR_PYTHON_FAULT.*PATH"):
        unocr.get_backend("fault")
