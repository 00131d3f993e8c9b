"""EnginePool keeps a bounded number of idle engine instances (their models)."""

from __future__ import annotations

import gc
import weakref
from contextlib import ExitStack

import pytest

from unocr.backends import pool as pool_module
from unocr.backends.pool import EnginePool


class _Engine:
    """An engine instance: what the pool holds on to is what stays alive."""

    def __init__(self, threads: int | None) -> None:
        self.threads = threads


class _Built:
    """The build function of a pool; every instance it made, by weak reference."""

    def __init__(self) -> None:
        self.made: weakref.WeakSet[_Engine] = weakref.WeakSet()

    def __call__(self, threads: int | None) -> _Engine:
        engine = _Engine(threads)
        self.made.add(engine)
        return engine

    def alive(self) -> dict[int | None, int]:
        """Instances still alive (held by the pool), by thread count."""
        gc.collect()
        counts: dict[int | None, int] = {}
        for engine in self.made:
            counts[engine.threads] = counts.get(engine.threads, 0) + 1
        return counts


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool_module, "cpu_cores", lambda: 2)


def _primed_pool() -> tuple[_Built, EnginePool[_Engine]]:
    """A pool holding one idle instance, as after a backend's creation; its builder."""
    built = _Built()
    pool = EnginePool(built)
    pool.prime()
    return built, pool


def _borrow_at_once(pool: EnginePool[_Engine], n: int) -> None:
    """``n`` calls holding an instance at the same time, then handing them back."""
    with ExitStack() as stack:
        for _ in range(n):
            stack.enter_context(pool.engine())


@pytest.mark.usefixtures("two_cores")
def test_idle_instances_are_capped_at_the_cores() -> None:
    built, pool = _primed_pool()
    _borrow_at_once(pool, 8)  # 8 concurrent read() calls
    assert built.alive() == {None: 2}


@pytest.mark.usefixtures("two_cores")
def test_a_batch_keeps_its_workers_instances_until_it_ends() -> None:
    built, pool = _primed_pool()
    with pool.split(8) as threads:
        assert threads == 1
        _borrow_at_once(pool, 8)
        assert built.alive() == {None: 1, 1: 8}  # reused by the batch's next pages
        _borrow_at_once(pool, 8)
        assert built.alive() == {None: 1, 1: 8}
    assert built.alive() == {None: 1}  # the batch's thread count is dropped


@pytest.mark.usefixtures("two_cores")
def test_batches_of_other_sizes_leave_no_instances_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pool_module, "cpu_cores", lambda: 8)
    built, pool = _primed_pool()
    for workers in (2, 3, 4, 8):
        with pool.split(workers):
            _borrow_at_once(pool, workers)
        assert built.alive() == {None: 1}


@pytest.mark.usefixtures("two_cores")
def test_an_instance_lent_across_a_batch_s_end_is_dropped() -> None:
    built = _Built()
    pool = EnginePool(built)
    with ExitStack() as stack:
        with pool.split(2):
            stack.enter_context(pool.engine())
        stack.close()  # handed back once the batch has ended
    assert built.alive() == {}


@pytest.mark.usefixtures("two_cores")
def test_a_fixed_thread_count_is_capped_after_a_batch() -> None:
    built = _Built()
    pool = EnginePool(built, threads=1)
    with pool.split(8):
        _borrow_at_once(pool, 8)
        assert built.alive() == {1: 8}
    assert built.alive() == {1: 2}


def test_an_instance_handed_back_after_clear_is_dropped() -> None:
    built, pool = _primed_pool()
    with pool.engine():
        pool.clear()
    assert built.alive() == {}
    with pool.engine():  # a cleared pool builds anew, and keeps that one
        pass
    assert built.alive() == {None: 1}


@pytest.mark.usefixtures("two_cores")
def test_an_instance_borrowed_after_close_is_not_kept() -> None:
    """A read that passed its backend's closed check before close() came."""
    built, pool = _primed_pool()
    pool.close()
    with pool.engine() as engine:  # built for this call alone
        assert isinstance(engine, _Engine)
    del engine
    assert built.alive() == {}


def test_rapidocr_closed_during_a_read_drops_the_instance_it_lent() -> None:
    pytest.importorskip("rapidocr")
    import unocr

    be = unocr.get_backend("rapidocr")
    with be._engines.engine() as engine:  # what a read in flight holds
        lent = weakref.ref(engine)
        be.close()
    del engine
    gc.collect()
    assert lent() is None
