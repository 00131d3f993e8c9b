"""Overlapping ``read_many`` batches, entry points that clash, bad names.

* Two batches of one pooled engine that overlap share the cores among all
  their workers, and whichever ends last, the engine's own thread setting
  (``None``: every core for one image) is back afterwards.
* Two installed packages declaring one backend name for different targets:
  neither silently hides the other; a warning names both, the name is listed
  as not usable, and asking for it raises ``RegistrationError``.
* ``register_backend`` with a name that is not a ``str`` raises
  ``RegistrationError``.
"""

from __future__ import annotations

import json
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

import unocr
from unocr import registry
from unocr.backends import pool
from unocr.backends.base import Backend, Capabilities, Stopwatch
from unocr.backends.pool import EnginePool
from unocr.backends.pooled import PooledBackend
from unocr.cli import main
from unocr.errors import RegistrationError
from unocr.image import LoadedImage
from unocr.model import Block, Page

from .ink_engine import ENGLISH_WORDS, InkBackend, bars

#: Seconds any wait of these tests may take before it counts as a hang.
WAIT = 30.0
#: Cores the tests pretend the machine has.
CORES = 8

# -- 1. overlapping batches ---------------------------------------------------


class _Batch(threading.Thread):
    """Runs ``body`` in a thread, parked inside it until released."""

    def __init__(self, body: Any) -> None:
        super().__init__(daemon=True)
        self.body = body
        self.inside = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.body(self)
        except BaseException as exc:  # reported by finish()
            self.error = exc
            self.inside.set()

    def finish(self) -> None:
        self.release.set()
        self.join(WAIT)
        assert not self.is_alive()
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize("first_to_end", ["a", "b"])
def test_overlapping_splits_share_the_cores_and_restore_the_setting(
    monkeypatch: pytest.MonkeyPatch, first_to_end: str
) -> None:
    monkeypatch.setattr(pool, "cpu_cores", lambda: CORES)
    engines: EnginePool[int | None] = EnginePool(lambda threads: threads)
    seen: dict[str, int | None] = {}

    def batch(name: str, workers: int) -> _Batch:
        def body(me: _Batch) -> None:
            with engines.split(workers) as per_worker:
                seen[name] = per_worker
                me.inside.set()
                assert me.release.wait(WAIT)

        return _Batch(body)

    a, b = batch("a", 2), batch("b", 2)
    a.start()
    assert a.inside.wait(WAIT)
    assert (seen["a"], engines.threads) == (CORES // 2, CORES // 2)
    b.start()
    assert b.inside.wait(WAIT)
    assert (seen["b"], engines.threads) == (CORES // 4, CORES // 4)  # 4 workers
    first, last = (a, b) if first_to_end == "a" else (b, a)
    first.finish()
    assert engines.threads == CORES // 2  # the other batch's 2 workers
    last.finish()
    assert engines.threads is None
    with engines.engine() as engine:
        assert engine is None  # built with the engine's default again


class _Gated:
    """Holds both engine calls of a batch until the test releases them."""

    def __init__(self) -> None:
        self.arrived = threading.Barrier(3, timeout=WAIT)  # 2 workers + test
        self.release = threading.Event()


class _Engine:
    """What :class:`GatedPooled` builds: it only knows its thread count."""

    def __init__(self, threads: int | None) -> None:
        self.threads = threads


class GatedPooled(PooledBackend):
    """A pooled engine whose calls on images ``gates`` names wait for the test."""

    name = "gated"
    capabilities: ClassVar[Capabilities] = ENGLISH_WORDS

    def __init__(self, gates: dict[int, _Gated], **kw: Any) -> None:
        super().__init__(**kw)
        self.gates = gates
        #: (image width, threads of the instance that read it), in call order.
        self.used: list[tuple[int, int | None]] = []
        self._engines.prime()

    def _build(self, threads: int | None) -> _Engine:
        return _Engine(threads)

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[Block, ...]:
        with self._engines.engine() as engine:
            self.used.append((image.width, engine.threads))
            gate = self.gates.get(image.width)
            if gate is not None:
                gate.arrived.wait()
                assert gate.release.wait(WAIT)
        return ()


@pytest.mark.parametrize("first_to_end", ["a", "b"])
def test_overlapping_read_many_batches_leave_every_core_to_a_later_read(
    monkeypatch: pytest.MonkeyPatch, first_to_end: str
) -> None:
    monkeypatch.setattr(pool, "cpu_cores", lambda: CORES)
    image_a, image_b, single = bars((20,)), bars((20, 30)), bars((20, 30, 40))
    gates = {image_a.width: _Gated(), image_b.width: _Gated()}
    backend = GatedPooled(gates)
    pages: dict[str, list[Any]] = {}

    def batch(name: str, image: Any) -> threading.Thread:
        def body() -> None:
            pages[name] = backend.read_many([image, image], workers=2)

        return threading.Thread(target=body, daemon=True)

    threads = {"a": batch("a", image_a), "b": batch("b", image_b)}
    widths = {"a": image_a.width, "b": image_b.width}
    threads["a"].start()
    gates[widths["a"]].arrived.wait()  # both of A's calls are running
    threads["b"].start()
    gates[widths["b"]].arrived.wait()  # and both of B's
    order = ["a", "b"] if first_to_end == "a" else ["b", "a"]
    for name in order:
        gates[widths[name]].release.set()
        threads[name].join(WAIT)
        assert not threads[name].is_alive()
    assert all(isinstance(p, Page) for name in order for p in pages[name])
    assert sorted(backend.used) == sorted(
        [(widths["a"], CORES // 2)] * 2 + [(widths["b"], CORES // 4)] * 2
    )
    backend.read(single)
    assert backend.used[-1] == (single.width, None)  # every core again


# -- 2. entry points that clash -----------------------------------------------


def _distribution(folder: Path, project: str, lines: list[str]) -> None:
    """Write a module and a ``.dist-info`` declaring ``lines`` as entry points."""
    module = project.replace("-", "_")
    (folder / f"{module}.py").write_text(
        textwrap.dedent(
            f"""
            from unocr.backends.base import Backend
            from unocr.backends.catalog import Capabilities

            class {module.title().replace("_", "")}(Backend):
                name = {project!r}
                capabilities = Capabilities(
                    geometry="box", levels=("word",), confidence=True
                )

                def _recognize(self, image, languages, clock):
                    return ()
            """
        )
    )
    dist = folder / f"{module}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project}\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[unocr.backends]\n" + "".join(f"{line}\n" for line in lines)
    )


@pytest.fixture
def clash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two packages declaring ``clashocr`` (as ``ClashOCR`` in one) differently.

    Both also declare ``twinocr`` for one same target, which is no clash.
    """
    _distribution(
        tmp_path,
        "acme-clash",
        ["ClashOCR = acme_clash:AcmeClash", "twinocr = acme_clash:AcmeClash"],
    )
    _distribution(
        tmp_path,
        "other-clash",
        ["clashocr = other_clash:OtherClash", "TwinOCR = acme_clash:AcmeClash"],
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_entry_points", None)
    yield tmp_path
    for module in ("acme_clash", "other_clash"):
        sys.modules.pop(module, None)
    registry.unregister_backend("clashocr")


def test_a_name_two_packages_declare_is_refused_naming_both(clash: Path) -> None:
    with pytest.warns(UserWarning, match="clashocr") as said:
        names = registry.backend_names()
    assert {"clashocr", "twinocr"} <= set(names)
    (warning,) = [str(w.message) for w in said]  # the twin is no clash
    assert "'clashocr'" in warning
    assert "'acme-clash'" in warning and "'other-clash'" in warning
    with pytest.raises(RegistrationError) as info:
        unocr.get_backend("clashocr")
    message = str(info.value)
    assert "acme_clash:AcmeClash" in message and "other_clash:OtherClash" in message
    assert "pip uninstall acme-clash or pip uninstall other-clash" in message
    assert info.value.backend == "clashocr"
    assert "acme_clash" not in sys.modules  # nothing imported to say so
    assert type(unocr.get_backend("twinocr")).__name__ == "AcmeClash"


def test_the_clash_is_listed_and_shown_by_unocr_backends(
    clash: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.warns(UserWarning, match="clashocr"):
        (info,) = [i for i in unocr.available_backends() if i.name == "clashocr"]
    assert not info.installed and info.source == "entry point"
    assert info.description == "from acme-clash, other-clash"
    with pytest.raises(RegistrationError) as error:
        unocr.get_backend("clashocr")
    assert str(error.value) == f"{info.reason} Fix: {info.fix}"
    assert main(["backends", "--json"]) == 0
    (record,) = [
        r for r in json.loads(capsys.readouterr().out) if r["name"] == "clashocr"
    ]
    assert (record["installed"], record["reason"]) == (False, info.reason)
    assert main(["backends"]) == 0
    assert f"clashocr: not installed: {info.reason}" in capsys.readouterr().out


def test_registering_the_clashing_name_needs_replace_and_then_chooses(
    clash: Path,
) -> None:
    with (
        pytest.warns(UserWarning, match="clashocr"),
        pytest.raises(RegistrationError, match="other_clash:OtherClash"),
    ):
        unocr.register_backend("clashocr", InkBackend)
    unocr.register_backend("clashocr", InkBackend, replace=True)
    assert isinstance(unocr.get_backend("clashocr"), InkBackend)
    listed = [i for i in unocr.available_backends() if i.name == "clashocr"]
    assert [i.source for i in listed] == ["registered"]


# -- 3. names that are not str ------------------------------------------------


@pytest.mark.parametrize("name", [123, None, b"mine", ["mine"]])
def test_a_name_that_is_not_a_str_is_a_registration_error(name: object) -> None:
    with pytest.raises(RegistrationError, match=r"must be a str .* got "):
        unocr.register_backend(name, Backend)  # type: ignore[arg-type]
