"""Executors and Dask: inputs, backends and executors that cannot do their part.

An input of no accepted kind, a chunk the executor refuses, a backend a
worker process cannot load and an executor that is shut down each get a
typed error; ``read_bag`` prepares its inputs as ``map_pages`` does.
"""

from __future__ import annotations

import io
import sys
import threading
import types
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import unocr
from unocr.backends.base import ItemFailure
from unocr.errors import ConfigError, ImageError, RecognitionError

from . import fault_engine as fe
from .executor_engine import CountingBackend

distributed = pytest.importorskip("distributed", reason="needs unocr[dask]")
import unocr.dask as udask  # noqa: E402

from .test_dask import client  # noqa: E402, F401  (the LocalCluster fixture)


def _outcomes(results: list[unocr.Page | ItemFailure]) -> list[object]:
    """Per item: ``"page"``, or the failure's error type, item and message."""
    return [
        "page"
        if isinstance(r, unocr.Page)
        else (type(r.error).__name__, r.error.item, str(r.error))
        for r in results
    ]


def _with_a_lock() -> list[Any]:
    return [fe.image(fe.OK, 1), threading.Lock(), fe.image(fe.OK, 2)]


# ------------------------------------------------------------ process pools
def test_an_input_of_no_accepted_kind_fails_alone_as_in_process():
    backend = CountingBackend()
    here = backend.read_many(_with_a_lock(), errors="return")
    with ProcessPoolExecutor(1) as pool:
        there = backend.read_many(_with_a_lock(), errors="return", executor=pool)
    assert _outcomes(there) == _outcomes(here)
    assert isinstance(there[1].error, ImageError)
    assert "unsupported input type lock" in str(there[1].error)


class _Refusing(ThreadPoolExecutor):
    """A thread pool whose ``submit`` refuses a task carrying the path ``refused``."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kw: Any) -> Future[Any]:
        if "refused" in args[2]:
            raise TypeError("cannot serialize the task")
        return super().submit(fn, *args, **kw)


def test_a_chunk_the_executor_refuses_fails_alone():
    images = [fe.image(fe.OK, 1), "refused", fe.image(fe.OK, 2)]
    with _Refusing(1) as pool:
        out = CountingBackend().read_many(images, errors="return", executor=pool)
    assert isinstance(out[0], unocr.Page) and isinstance(out[2], unocr.Page)
    failure = out[1]
    assert isinstance(failure, ItemFailure) and failure.index == 1
    assert isinstance(failure.error, RecognitionError) and failure.error.item == 1
    assert "cannot serialize the task" in str(failure.error)
    assert failure.source == "refused"


def _shout(text: str) -> str:
    return text.upper()


@pytest.mark.parametrize("what", ["class", "option"])
def test_a_backend_a_worker_cannot_load_fails_its_items_not_the_pool(
    what: str, monkeypatch: pytest.MonkeyPatch
):
    # As a class defined in a notebook or under the __main__ guard travels to
    # "spawn" workers: by name, in a module those workers do not have.
    with ProcessPoolExecutor(1) as pool:
        assert pool.submit(int, 1).result() == 1  # the worker exists already
        module = types.ModuleType("unocr_parent_only")
        monkeypatch.setitem(sys.modules, module.__name__, module)
        module.Backend = type("Backend", (CountingBackend,), {})
        module.shout = types.FunctionType(_shout.__code__, {}, "shout")
        for name in ("Backend", "shout"):  # pickled by name, from that module
            getattr(module, name).__module__ = module.__name__
            getattr(module, name).__qualname__ = name
        backend = (
            module.Backend() if what == "class" else CountingBackend(hook=module.shout)
        )
        images = [fe.image(fe.OK, i) for i in range(3)]
        out = backend.read_many(images, errors="return", executor=pool)
        assert pool.submit(int, 2).result() == 2  # the pool still works
    assert [r.index for r in out] == [0, 1, 2]
    for failure in out:
        assert isinstance(failure, ItemFailure), failure
        assert isinstance(failure.error, ConfigError)
        assert failure.error.backend == "counting"
        message = str(failure.error)
        assert "unocr_parent_only" in message and "cannot be loaded" in message
        assert "module" in message


@pytest.mark.parametrize("kind", [ProcessPoolExecutor, ThreadPoolExecutor])
def test_an_executor_already_shut_down_is_a_config_error(kind: type[Any]):
    with kind(1) as pool:
        pass
    with pytest.raises(ConfigError, match=r"shut down.*new executor"):
        CountingBackend().read_many([fe.image(fe.OK)], errors="return", executor=pool)


# --------------------------------------------------------------------- Dask
def test_read_bag_reads_every_kind_of_input(client, tmp_path: Path):  # noqa: F811
    path = tmp_path / "ok.png"
    fe.image(fe.OK, 3).save(path)
    data = path.read_bytes()
    with open(path, "rb") as fh, Image.open(path) as opened:
        images = [str(path), opened, fh, io.BytesIO(data), data, fe.image(fe.OK)]
        bag = udask.read_bag(images, CountingBackend(), npartitions=2)
        out = bag.compute()
    assert [isinstance(r, unocr.Page) for r in out] == [True] * 6, out


def test_read_bag_refuses_an_option_it_cannot_send():
    lock = threading.Lock()

    def hook(text: str) -> str:
        with lock:
            return text

    with pytest.raises(ConfigError, match=r"option hook=.*cannot be sent"):
        udask.read_bag([fe.image(fe.OK)], CountingBackend(hook=hook))


def test_read_bag_names_the_input_whose_engine_cannot_be_built(
    client,  # noqa: F811
    tmp_path: Path,
):
    path = tmp_path / "ok.png"
    fe.image(fe.OK).save(path)
    out = udask.read_bag([str(path), fe.image(fe.OK)], "tesseract", psm=99).compute()
    assert [(r.index, r.source) for r in out] == [(0, str(path)), (1, "<PIL image>")]
    assert all(isinstance(r, ItemFailure) for r in out)


def test_an_input_dask_cannot_send_fails_alone(client):  # noqa: F811
    backend = CountingBackend()
    here = _outcomes(backend.read_many(_with_a_lock(), errors="return"))
    assert _outcomes(udask.map_pages(client, _with_a_lock(), backend)) == here
    executor = client.get_executor()
    got = backend.read_many(_with_a_lock(), errors="return", executor=executor)
    assert _outcomes(got) == here
    bag = udask.read_bag(_with_a_lock(), backend, npartitions=2).compute()
    assert _outcomes(bag) == here


def test_a_closed_dask_client_is_a_config_error(client):  # noqa: F811
    images = [fe.image(fe.OK)]
    executor = client.get_executor()
    executor.shutdown()
    with pytest.raises(ConfigError, match=r"shut down.*new executor"):
        CountingBackend().read_many(images, errors="return", executor=executor)
    closed = distributed.Client(client.scheduler.address)
    closed.close()
    with pytest.raises(ConfigError, match=r"closed.*new client"):
        udask.map_pages(closed, images, CountingBackend())
    with pytest.raises(ConfigError, match=r"closed.*new client"):
        CountingBackend().read_many(
            images, errors="return", executor=closed.get_executor()
        )
