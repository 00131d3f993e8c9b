"""Isolated engines in forked processes, and closed while a read runs.

A process pool's forked worker inherits the parent's worker pools but not
their threads or processes: it starts workers of its own, and never uses or
kills the parent's. Closing an isolated backend lets a read on another
thread finish, as closing an engine in process does. Each forking scenario
runs in a script of its own with a time limit, so a hang fails the test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import unocr
from unocr.backends.base import Languages, Stopwatch
from unocr.errors import BackendUnavailableError, RecognitionError
from unocr.image import LoadedImage
from unocr.isolation import pool as pool_module
from unocr.model import Block, Page

from . import fault_engine as fe
from .processes import alive, gone

ROOT = Path(__file__).resolve().parents[1]


class NapBackend(fe.FaultBackend):
    """The fault engine, napping a tenth of a second per unit of an image's arg.

    ``fe.image(fe.OK, n)`` reads ``"ok<n>"`` after ``n / 10`` seconds. With
    ``marker``, a napping read first creates that file (so a test knows the
    read has reached the engine) and ends its nap early once the file
    ``<marker>.go`` exists (so the test says when it returns).
    """

    name = "nap"

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = None,
        marker: str | None = None,
    ) -> None:
        super().__init__(languages=languages, max_pixels=max_pixels)
        self.marker = marker

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        _, arg, _ = image.image.getpixel((0, 0))  # type: ignore[misc]
        if arg:
            deadline = time.monotonic() + arg / 10
            go = None
            if self.marker is not None:
                Path(self.marker).touch()
                go = Path(f"{self.marker}.go")
            while time.monotonic() < deadline and not (go and go.exists()):
                time.sleep(0.01)
        return super()._recognize(image, languages, clock)


@pytest.fixture(autouse=True)
def _worker_path(worker_path: None) -> None:
    """Every test here starts workers (see conftest's ``worker_path``)."""


@pytest.fixture
def nap() -> Iterator[str]:
    unocr.register_backend("nap", NapBackend, replace=True)
    yield "nap"
    from unocr.registry import unregister_backend

    unregister_backend("nap")


def _wait_for(path: Path, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def _run_script(tmp_path: Path, body: str, *args: str, seconds: float = 120) -> dict:
    """Run ``body`` as a script's main program; the JSON it prints last."""
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            """\
            import json, multiprocessing, os, select, sys, threading, time
            from concurrent.futures import ProcessPoolExecutor

            import unocr
            from tests import fault_engine as fe
            from tests.test_isolation_fork_and_close import NapBackend


            def bounded(fn, seconds):
                # fn() in a thread; on a hang, kill the pool's processes and fail
                out = {}

                def run():
                    out["value"] = fn()

                thread = threading.Thread(target=run, daemon=True)
                thread.start()
                thread.join(seconds)
                if thread.is_alive():
                    for child in multiprocessing.active_children():
                        child.kill()
                    print(json.dumps({"hung": True}), flush=True)
                    os._exit(3)
                return out["value"]


            """
        )
        + "if __name__ == '__main__':\n"
        + textwrap.indent(textwrap.dedent(body), "    ")
    )
    done = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds,
    )
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    return dict(json.loads(lines[-1]))


# ----------------------------------------------------------------- fork
def test_read_many_on_a_forked_process_pool_reads_with_an_isolated_backend(
    tmp_path: Path,
) -> None:
    got = _run_script(
        tmp_path,
        """
        unocr.register_backend("fault", fe.FaultBackend)
        context = multiprocessing.get_context("fork")
        with unocr.get_backend("fault", isolate=True) as iso:
            (mine,) = iso.pids
            images = [fe.image(fe.OK, i) for i in range(5)]
            with ProcessPoolExecutor(2, mp_context=context) as pool:
                pages = bounded(
                    lambda: unocr.read_many(images, iso, executor=pool), 60
                )
            after = iso.read(fe.image(fe.OK, 9)).text
            print(json.dumps({
                "texts": [p.text for p in pages],
                "mine_kept": iso.pids == [mine],
                "after": after,
            }))
        """,
    )
    assert got == {
        "texts": [f"ok{i}" for i in range(5)],
        "mine_kept": True,  # the pool's processes left the parent's worker alone
        "after": "ok9",
    }


def test_a_forked_child_reads_with_workers_of_its_own(tmp_path: Path) -> None:
    # The parent forks while one of its threads reads on its worker: the
    # child starts its own worker (no hang on the parent's spawning thread),
    # writes nothing to the parent's, and at its exit kills only its own.
    got = _run_script(
        tmp_path,
        """
        unocr.register_backend("nap", NapBackend)
        marker = sys.argv[1]
        iso = unocr.get_backend("nap", isolate=True, marker=marker)
        (parents,) = iso.pids
        read = {}
        reader = threading.Thread(
            target=lambda: read.update(page=iso.read(fe.image(fe.OK, 15)))
        )
        reader.start()
        while not os.path.exists(marker):
            time.sleep(0.01)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                page = iso.read(fe.image(fe.OK, 0))
                info = {"text": page.text, "pids": iso.pids}
            except BaseException as exc:
                info = {"error": repr(exc)}
            os.write(w, json.dumps(info).encode())
            sys.exit(0)  # atexit runs here: it must spare the parent's worker
        os.close(w)
        ready, _, _ = select.select([r], [], [], 60)
        if not ready:
            os.kill(pid, 9)
            print(json.dumps({"hung": True}), flush=True)
            os._exit(3)
        child = json.loads(os.read(r, 65536) or b"{}")
        _, status = os.waitpid(pid, 0)
        reader.join(60)
        print(json.dumps({
            "child": child,
            "child_status": status,
            "parents": parents,
            "parent_read": read["page"].text,
            "parent_pids": iso.pids,
            "parent_again": iso.read(fe.image(fe.OK, 4)).text,
        }))
        iso.close()
        """,
        str(tmp_path / "reading"),
    )
    child = got["child"]
    assert child.get("text") == "ok0", child
    assert child["pids"] and got["parents"] not in child["pids"]
    assert got["child_status"] == 0
    assert got["parent_read"] == "ok15"  # its worker answered undisturbed
    assert got["parents"] in got["parent_pids"]
    assert got["parent_again"] == "ok4"
    assert gone(child["pids"], 5)  # the child's exit stopped its own worker


def test_a_stuck_spawning_thread_raises_instead_of_hanging(
    nap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = threading.Event()
    stuck = ThreadPoolExecutor(max_workers=1)
    stuck.submit(blocked.wait, 60)  # its one thread is busy
    monkeypatch.setattr(pool_module, "_spawner", stuck)
    monkeypatch.setattr(pool_module, "SPAWN_TIMEOUT", 0.5, raising=False)
    outcome: dict[str, object] = {}

    def build() -> None:
        try:
            outcome["backend"] = unocr.get_backend(nap, isolate=True)
        except BaseException as exc:
            outcome["error"] = exc

    builder = threading.Thread(target=build, daemon=True)
    builder.start()
    builder.join(15)
    blocked.set()
    builder.join(30)
    stuck.shutdown()
    backend = outcome.get("backend")
    if isinstance(backend, unocr.Backend):
        backend.close()
    error = outcome.get("error")
    assert isinstance(error, BackendUnavailableError), outcome
    assert "not started within 0.5 s" in str(error)
    assert error.backend == nap


# ---------------------------------------------------------------- close
def test_close_lets_a_read_in_progress_finish(nap: str, tmp_path: Path) -> None:
    marker = tmp_path / "reading"
    iso = unocr.get_backend(nap, isolate=True, marker=str(marker))
    read: dict[str, object] = {}

    def slow_read() -> None:
        try:
            read["page"] = iso.read(fe.image(fe.OK, 250))  # until told, 25 s at most
        except BaseException as exc:
            read["error"] = exc

    reader = threading.Thread(target=slow_read)
    reader.start()
    try:
        _wait_for(marker)
        (busy,) = iso.pids
        assert iso.read(fe.image(fe.OK, 0)).text == "ok0"  # on a second worker
        (idle,) = set(iso.pids) - {busy}
        iso.close()
        assert iso.closed
        assert gone([idle], 5)  # idle workers stop at once
        assert reader.is_alive() and alive(busy)  # the read goes on
    finally:
        Path(f"{marker}.go").touch()
        reader.join(60)
    page = read.get("page")
    assert isinstance(page, Page), read
    assert page.text == "ok250"
    assert gone([busy], 5)  # stopped once its read returned
    assert iso.pids == []
    with pytest.raises(RecognitionError, match="backend was closed; create a new"):
        iso.read(fe.image(fe.OK, 0))
    with pytest.raises(RecognitionError, match="backend was closed; create a new"):
        iso.read_many([fe.image(fe.OK, 0)])
