"""unocr.dask on a real LocalCluster: two worker processes, one thread each."""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.backends.base import ItemFailure
from unocr.errors import (
    ConfigError,
    ImageError,
    NoWorkersError,
    UnknownOptionError,
    WorkerLostError,
)

from . import fault_engine as fe
from .executor_engine import CountingBackend

distributed = pytest.importorskip("distributed", reason="needs unocr[dask]")
dask = pytest.importorskip("dask")
import unocr.dask as udask  # noqa: E402

PHOTOTEST = Path(__file__).parent / "fixtures" / "tesseract" / "phototest.tif"
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="needs tesseract (apt-get install tesseract-ocr)",
)


@pytest.fixture(scope="module")
def client():
    # A task whose worker dies is not retried elsewhere: it fails at once; and
    # a worker holds only the task it runs (no queue that would die with it).
    settings = {
        "distributed.scheduler.allowed-failures": 0,
        "distributed.scheduler.worker-saturation": 1.0,
    }
    with (
        dask.config.set(settings),
        distributed.LocalCluster(
            processes=True,
            n_workers=2,
            threads_per_worker=1,
            dashboard_address=":0",
            silence_logs=50,
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _texts(results):
    return [r.text if r else type(r.error).__name__ for r in results]


@needs_tesseract
def test_map_pages_reads_like_read_many(client, tmp_path):
    top = tmp_path / "top.png"
    with Image.open(PHOTOTEST) as im:
        im.crop((0, 0, im.width, im.height // 3)).save(top)
    images = [top, b"not an image", str(top)]
    expected = unocr.read_many(images, "tesseract", errors="return")
    got = udask.map_pages(client, images, "tesseract")
    assert _texts(got) == _texts(expected)
    assert "12 point text" in got[0].text
    assert isinstance(got[1], ItemFailure) and got[1].index == 1
    assert isinstance(got[1].error, ImageError) and got[1].error.item == 1
    bag = udask.read_bag(images, "tesseract", npartitions=2)
    assert _texts(bag.compute()) == _texts(expected)
    unocr.clear_cache()


def test_one_backend_build_per_dask_worker(client):
    images = [fe.image(fe.OK, i) for i in range(10)]
    backend = CountingBackend(greeting="")
    results = udask.map_pages(client, images, backend)
    results += udask.map_pages(client, images, backend, chunk_size=3)
    results += backend.read_many(images, executor=client.get_executor())
    seen: dict[str, set[str]] = {}
    for page in results:
        pid, build = page.text.split(":")
        seen.setdefault(pid, set()).add(build)
    workers = client.run(lambda: __import__("os").getpid())
    assert set(seen) <= {str(pid) for pid in workers.values()}
    assert all(len(builds) == 1 for builds in seen.values()), seen


def test_unknown_option_is_refused_in_the_client(client):
    with pytest.raises(UnknownOptionError, match="psn"):
        udask.map_pages(client, [PHOTOTEST], "tesseract", psn=6)


def test_a_lost_dask_worker_fails_its_item_only(client):
    images = [fe.image(fe.OK, 1), fe.image(fe.EXIT), fe.image(fe.OK, 2)]
    out = udask.map_pages(client, images, CountingBackend())
    assert isinstance(out[0], unocr.Page) and isinstance(out[2], unocr.Page)
    failure = out[1]
    assert isinstance(failure, ItemFailure) and failure.index == 1
    assert isinstance(failure.error, WorkerLostError)
    assert "KilledWorker" in failure.error.reason
    assert "retry the failed ones" in str(failure.error)
    assert "pool" not in str(failure.error)  # a Dask cluster is not broken
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_a_lost_worker_in_a_bag_fails_the_computation(client):
    # read_bag follows Dask: a task whose worker died fails the whole compute
    # (per-item errors are map_pages's job).
    images = [fe.image(fe.OK, 1), fe.image(fe.EXIT), fe.image(fe.OK, 2)]
    bag = udask.read_bag(images, CountingBackend(), npartitions=3)
    with pytest.raises(distributed.KilledWorker, match="died while running it"):
        bag.compute()
    client.wait_for_workers(2, timeout=60)


def test_an_option_dask_cannot_pickle_is_named(client):
    lock = threading.Lock()  # Dask pickles local functions, not what they hold

    def hook(text: str) -> str:
        with lock:
            return text

    backend = CountingBackend(hook=hook)
    images = [fe.image(fe.OK)]
    with pytest.raises(ConfigError, match=r"option hook=.*cannot be sent") as info:
        udask.map_pages(client, images, backend)
    assert "lock" in str(info.value) and info.value.backend == "counting"
    with pytest.raises(ConfigError, match=r"option hook="):
        backend.read_many(images, executor=client.get_executor())


def test_finished_items_are_released_on_the_workers(client):
    # The client keeps the pages; Dask's copies go as soon as they arrive, so
    # a long batch does not fill the workers' memory with every page read.
    gc.collect()
    before = len(client.futures)
    held = []

    def progress(done: int) -> None:
        held.append(None)
        if len(held) == 30:  # the client releases keys on its own thread
            gc.collect()
            deadline = time.monotonic() + 5
            while len(client.futures) - before >= 25 and time.monotonic() < deadline:
                time.sleep(0.05)
            held.append(len(client.futures) - before)

    images = [fe.image(fe.OK, i) for i in range(40)]
    pages = udask.map_pages(client, images, CountingBackend(), progress=progress)
    assert all(isinstance(p, unocr.Page) for p in pages)
    assert held[30] < 25, f"{held[30]} of 40 tasks still held after 30 finished"


def _slow(text: str) -> str:
    time.sleep(1.5)
    return text


def test_a_slow_batch_is_not_taken_for_a_lost_cluster(client):
    # Asked every 0.3 s while no item finishes, the running workers answer.
    images = [fe.image(fe.OK, i) for i in range(2)]
    backend = CountingBackend(hook=_slow)
    pages = udask.map_pages(client, images, backend, no_workers_timeout=0.3)
    assert all(isinstance(p, unocr.Page) for p in pages), pages


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), True, "60"])
def test_no_workers_timeout_is_checked(client, bad):
    with pytest.raises(ValueError, match="no_workers_timeout must be"):
        udask.map_pages(client, [fe.image(fe.OK)], "tesseract", no_workers_timeout=bad)


def test_the_schedulers_own_no_worker_errors_are_typed():
    from distributed.scheduler import NoValidWorkerError, NoWorkerError

    from unocr.executors import _executor_failure

    none = _executor_failure(NoWorkerError("task-1", 30.0), "counting", 4)
    assert isinstance(none, NoWorkersError) and none.timeout == 30.0
    assert none.item == 4 and none.backend == "counting"
    assert "NoWorkerError" in none.reason and "start workers" in str(none)
    clone = pickle.loads(pickle.dumps(none))
    assert type(clone) is NoWorkersError and clone.__dict__ == none.__dict__
    valid = NoValidWorkerError("task-2", set(), set(), {"GPU": 1}, 5.0)
    assert isinstance(_executor_failure(valid, "counting", 0), NoWorkersError)


def test_a_cluster_left_without_workers_fails_the_waiting_items(client):
    cluster = client.cluster
    pids = {str(pid) for pid in client.run(os.getpid).values()}
    # Two quick items, then items that hang: both workers hang (each on one or
    # two of them) and the last two never start, whichever worker Dask picks.
    images = [fe.image(fe.OK, 1), fe.image(fe.OK, 2)] + [fe.image(fe.HANG)] * 6
    finished: list[int] = []
    out: list = []

    def read() -> None:
        out.extend(
            udask.map_pages(
                client,
                images,
                CountingBackend(),
                progress=finished.append,
                no_workers_timeout=1.0,
            )
        )

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while sum(finished) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(finished) == 2, "the quick items did not finish"
        cluster.scale(0)  # every worker closes, mid-batch
        closed = time.monotonic()
        reader.join(timeout=30)
        assert not reader.is_alive(), "map_pages still waits for workers"
        assert time.monotonic() - closed < 15
    finally:
        cluster.scale(2)
        client.wait_for_workers(2, timeout=60)
    assert [type(r).__name__ for r in out] == ["Page"] * 2 + ["ItemFailure"] * 6
    assert {p.text.split(":")[0] for p in out[:2]} <= pids  # read by the workers
    for index, failure in enumerate(out[2:], start=2):
        assert failure.index == index and failure.error.item == index
        assert isinstance(failure.error, WorkerLostError)  # running ones: Killed
    for failure in out[6:]:  # never started: no worker left to take them
        error = failure.error
        assert isinstance(error, NoWorkersError), error
        assert error.timeout == 1.0 and error.backend == "counting"
        assert "WorkerStartTimeoutError" in error.reason
        assert "start workers" in str(error) and "no_workers_timeout" in str(error)


def test_an_executor_on_a_cluster_without_workers_returns():
    # No worker from the start (an adaptive cluster at zero): the executor
    # path, which read_many(executor=client.get_executor()) runs, is bounded too.
    from unocr.executors import BackendSpec, read_on_executor

    images = [fe.image(fe.OK, i) for i in range(3)]
    with (
        distributed.LocalCluster(
            processes=True, n_workers=0, dashboard_address=":0", silence_logs=50
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as empty,
    ):
        start = time.monotonic()
        out = read_on_executor(
            BackendSpec.of(CountingBackend()),
            images,
            empty.get_executor(),
            errors="return",
            no_workers_timeout=0.5,
        )
        assert time.monotonic() - start < 10
        with pytest.raises(NoWorkersError, match=r"item 0 for 0\.5 s"):
            udask.map_pages(
                empty, images, "tesseract", errors="raise", no_workers_timeout=0.5
            )
    assert [f.index for f in out] == [0, 1, 2]
    assert all(isinstance(f.error, NoWorkersError) for f in out)
