"""worker_backend: the engine cache of executor tasks and Dask workers.

An engine is built outside the cache's lock, so a cached engine reads while
another loads, one engine is still built once however many tasks ask for it
at the same time, and the cache follows the ``unocr.toml`` in force.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from unocr.backends.base import Backend
from unocr.executors import BackendSpec, read_on_executor, worker_backend

from .ink_engine import bars
from .stub_engines import assert_cached_reads_while_loading


def _read(spec: BackendSpec, pool: ThreadPoolExecutor) -> None:
    """One image read by executor tasks, which build ``spec`` with worker_backend."""
    read_on_executor(spec, [bars()], pool)


def test_a_cached_engine_reads_while_another_engine_builds(slow, ink) -> None:
    with ThreadPoolExecutor(2) as pool:  # a Dask worker with two threads
        assert_cached_reads_while_loading(
            slow, lambda name: _read(BackendSpec.named(name, {}), pool), ink
        )


def test_one_engine_is_built_once_while_another_builds_beside_it(slow) -> None:
    specs = {tag: BackendSpec.named("slowbuild", {"tag": tag}) for tag in "ab"}
    got: dict[str, list[Backend]] = {"a": [], "b": []}

    def build(tag: str) -> None:
        got[tag].append(worker_backend(specs[tag], batch=f"batch {tag}"))

    threads = [threading.Thread(target=build, args=(t,)) for t in "aaabbb"]
    for t in threads:
        t.start()
    try:  # both engines load at once: neither waits for the other
        assert slow.started["a"].wait(10) and slow.started["b"].wait(5)
    finally:
        slow.release.set()
        for t in threads:
            t.join(20)
    assert sorted(slow.builds) == ["a", "b"]  # each once
    for tag in "ab":
        assert len(got[tag]) == 3 and all(b is got[tag][0] for b in got[tag])
    assert got["a"][0] is not got["b"][0]


def test_the_worker_cache_follows_an_edited_file(config, ink) -> None:
    picture = bars((20, 40), gap=10)
    path = config(f"[backends.{ink}.options]\ngap = 3\n")
    spec = BackendSpec.named(ink, {})
    assert len(worker_backend(spec).read(picture).words) == 2
    config(f"[backends.{ink}.options]\ngap = 30\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert len(worker_backend(spec).read(picture).words) == 1  # the bars are 10 apart
