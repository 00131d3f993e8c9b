"""Isolation audit 4b: what a stopped worker leaves running, and whose fix.

* A worker stopped at its time-out, or whose parent dies (``SIGKILL``,
  Ctrl-C), takes the programs it started along: the real ``tesseract``
  program, and a program a test engine starts in a session of its own.
* An engine missing from the interpreter hosting it is fixed in *that*
  interpreter: the message and the fix name it.
* Two ``unocr.toml`` tables naming one engine are an error, not one of them
  dropped in silence.
* A relative ``UNOCR_PYTHON_<NAME>`` still names the same interpreter after
  the working folder changes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.errors import BackendUnavailableError, ConfigError, EngineTimeoutError
from unocr.image import LoadedImage
from unocr.isolation.config import configured_placement

from .processes import children, gone
from .stub_engines import OneWordBackend

ROOT = Path(__file__).resolve().parents[1]
LINUX = sys.platform.startswith("linux")
TESSERACT = shutil.which("tesseract")
needs_tesseract = pytest.mark.skipif(
    TESSERACT is None, reason="the tesseract program is not installed"
)


@pytest.fixture(autouse=True)
def _worker_path(worker_path: None) -> None:
    """Every test here starts workers (see conftest's ``worker_path``)."""


@pytest.fixture(scope="module")
def slow_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A page Tesseract needs seconds for: the test page, 3 x 3 times."""
    with Image.open(ROOT / "samples" / "phototest.png") as im:
        src = im.convert("RGB")
    page = Image.new("RGB", (src.width * 3, src.height * 3), "white")
    for x in range(3):
        for y in range(3):
            page.paste(src, (x * src.width, y * src.height))
    path = tmp_path_factory.mktemp("slow") / "slow.png"
    page.save(path, dpi=(300, 300))  # Tesseract then writes nothing to stderr
    return path


@contextmanager
def _watching(parent: int, command: str) -> Iterator[set[int]]:
    """Collect the pids of ``command`` processes ``parent`` starts meanwhile."""
    seen: set[int] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.update(p for p, comm, _ in children(parent) if comm == command)
            time.sleep(0.02)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        done.set()
        thread.join()


def _cpu_seconds(pid: int) -> float:
    """CPU time a process used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _busy(parent: int, command: str, seconds: float) -> set[int]:
    """The ``command`` processes of ``parent`` that recognise, once there is one.

    One that used a third of a second of CPU time has its whole input (a
    reader of a half-sent input would end at its parent's death on its own)
    and is no quick probe of the program.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        mine = [p for p, comm, _ in children(parent) if comm == command]
        found = {p for p in mine if _cpu_seconds(p) >= 1 / 3}
        if found:
            return found
        time.sleep(0.05)
    return set()


# ------------------------------------------------ programs a worker started
@pytest.mark.skipif(not LINUX, reason="scans /proc")
@needs_tesseract
def test_an_isolated_tesseract_timeout_leaves_no_tesseract_running(
    slow_page: Path,
) -> None:
    with unocr.get_backend("tesseract", isolate=True, timeout=1) as iso:
        worker = iso.pids[0]
        with (
            _watching(worker, "tesseract") as started,
            pytest.raises(EngineTimeoutError),
        ):
            iso.read(slow_page)
    assert started, "the worker started no tesseract program within the time-out"
    assert gone(started, 1.0), f"tesseract {started} outlived its stopped worker"


_PARENT = """
import sys
import unocr
iso = unocr.get_backend("tesseract", isolate=True)
print(iso.pids[0], flush=True)
iso.read(sys.argv[1])
"""


@pytest.mark.skipif(not LINUX, reason="scans /proc")
@needs_tesseract
@pytest.mark.parametrize("how", ["SIGKILL to the parent", "Ctrl-C"])
def test_no_tesseract_outlives_the_isolated_parent(slow_page: Path, how: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(slow_page)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    with parent:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline())
        started = _busy(worker, "tesseract", 30.0)
        assert started, "the worker runs no tesseract program"
        if how == "Ctrl-C":
            os.killpg(parent.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        else:
            parent.kill()
        parent.wait(timeout=10)
    assert gone({worker}, 3.0), f"worker {worker} outlived its parent"
    assert gone(started, 1.0), f"tesseract {started} outlived its parent ({how})"


class SpawningBackend(OneWordBackend):
    """A test engine that starts ``sleep`` in a session of its own, then hangs."""

    name = "spawning"

    def text(self, image: LoadedImage) -> str:
        subprocess.Popen(["sleep", "60"], start_new_session=True)
        time.sleep(3600)
        return "never"


@pytest.fixture
def spawning(registered) -> str:
    registered("spawning", SpawningBackend)
    return "spawning"


@pytest.mark.skipif(not LINUX, reason="scans /proc")
def test_a_stopped_worker_takes_the_programs_it_started_along(spawning: str) -> None:
    with unocr.get_backend(spawning, isolate=True, timeout=1) as iso:
        worker = iso.pids[0]
        with _watching(worker, "sleep") as started, pytest.raises(EngineTimeoutError):
            iso.read(Image.new("RGB", (8, 8), "white"))
    assert started, "the engine started no program within the time-out"
    assert gone(started, 1.0), f"{started} outlived the worker stopped at its time-out"


# ------------------------------------------- an engine another Python lacks
OTHER_PYTHON = ROOT / ".venv-keras" / "bin" / "python"


@pytest.fixture
def other_python() -> Path:
    """An interpreter of another environment, one without RapidOCR."""
    if not OTHER_PYTHON.exists():
        pytest.skip(f"no second environment at {OTHER_PYTHON} (scripts/keras-env)")
    found = subprocess.run(
        [
            str(OTHER_PYTHON),
            "-c",
            "import importlib.util as u; print(u.find_spec('rapidocr') is None)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.stdout.strip() != "True":
        pytest.skip(f"{OTHER_PYTHON} has RapidOCR: it stands for no missing engine")
    return OTHER_PYTHON


@pytest.mark.parametrize("how", ["python=", "UNOCR_PYTHON_RAPIDOCR"])
def test_an_engine_missing_from_its_interpreter_is_installed_there(
    other_python: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    options: dict[str, str] = {}
    if how == "python=":
        options["python"] = str(other_python)
    else:
        monkeypatch.setenv(how, str(other_python))
    with pytest.raises(BackendUnavailableError, match="'rapidocr'") as info:
        unocr.get_backend("rapidocr", **options)
    fix = info.value.fix or ""
    assert fix.startswith(f"{other_python} -m pip install 'unocr[rapidocr]'"), fix
    message = str(info.value)
    assert f"{other_python}, set by {how}" in message or (
        f"{other_python}, set by the environment variable {how}" in message
    ), message
    assert info.value.backend == "rapidocr"


# ------------------------------------------------ two tables for one engine
def test_two_tables_naming_one_engine_are_refused(config) -> None:
    path = config(
        '[backends.gcv.options]\nfeature = "text"\n\n'
        '[backends.google.options]\nfeature = "document"\n'
    )
    with pytest.raises(ConfigError) as info:
        unocr.get_backend("gcv", endpoint="127.0.0.1:9", insecure=True)
    message = str(info.value)
    assert "[backends.gcv]" in message and "[backends.google]" in message, message
    assert str(path) in message and info.value.source == str(path)


def test_one_table_per_engine_still_reads(config) -> None:
    config('[backends.google.options]\nfeature = "document"\n')
    with unocr.get_backend("gcv", endpoint="127.0.0.1:9", insecure=True) as gcv:
        assert gcv._construction[1]["feature"] == "document"


# ------------------------------------------- a relative UNOCR_PYTHON_<NAME>
def test_a_relative_interpreter_variable_survives_a_change_of_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UNOCR_PYTHON_KERAS_OCR", "envs/keras/bin/python")
    settings, source = configured_placement("keras-ocr")
    assert settings["python"] == str(tmp_path / "envs" / "keras" / "bin" / "python")
    assert source == "the environment variable UNOCR_PYTHON_KERAS_OCR"
    monkeypatch.setenv("UNOCR_PYTHON_KERAS_OCR", "python3")  # found on PATH
    assert configured_placement("keras-ocr")[0]["python"] == "python3"
