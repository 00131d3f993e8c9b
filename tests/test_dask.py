"""unocr.dask on a real LocalCluster: two worker processes, one thread each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.backends.base import ItemFailure
from unocr.errors import ImageError, UnknownOptionError, WorkerLostError

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
            dashboard_address=None,
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
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it
