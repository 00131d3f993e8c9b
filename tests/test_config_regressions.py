"""unocr.toml where engines are built for another process, blamed, and replaced.

An executor's or Dask worker leaves the file's engine names to the process
that sent it work (its registry may know more), without switching the check
off for that process; a bad option is blamed on the file only when the file
gave it; a ``languages`` value of the file the engine refuses names the
file; and an engine the cache builds anew after the file changed closes the
one it replaces once nothing reads with it.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PIL import Image

import unocr
from unocr.backends.base import Backend, Capabilities, Stopwatch
from unocr.backends.options import (
    check_choice,
    check_count,
    check_number,
    check_options,
    check_seconds,
)
from unocr.cli import main
from unocr.errors import (
    ConfigError,
    LanguageCodeError,
    LanguageUnavailableError,
)
from unocr.executors import BackendSpec, worker_backend
from unocr.image import LoadedImage
from unocr.isolation import FileOptions

from .ink_engine import bars
from .processes import children

ROOT = Path(__file__).resolve().parents[1]
PHOTOTEST = str(ROOT / "samples" / "phototest.png")
OPTIONS = "[backends.tesseract.options]"


@pytest.fixture
def image(tmp_path: Path, snippet: Image.Image) -> str:
    """Two lines of the Tesseract test page, as a file (a quick real read)."""
    path = tmp_path / "snippet.png"
    snippet.save(path)
    return str(path)


# ------------------------------------- 1. engine names, left to the parent
def test_an_executor_worker_takes_a_file_naming_an_engine_only_its_parent_has(
    config, ink
) -> None:
    config(f"[backends.{ink}.options]\ngap = 7\n{OPTIONS}\npsm = 6\n")
    spawn = multiprocessing.get_context("spawn")  # imports no test module
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        (page,) = unocr.read_many(
            [PHOTOTEST], "tesseract", executor=pool, errors="return"
        )
    assert not isinstance(page, unocr.ItemFailure), page.error
    assert "12 point" in page.text


def test_a_build_for_a_parent_leaves_it_the_names_but_not_this_process(
    config, image
) -> None:
    config(f"[backends.nosuch.options]\npsm = 6\n{OPTIONS}\npsm = 6\n")
    spec = BackendSpec("tesseract", {})  # as a parent that knows "nosuch" sends it
    with pytest.raises(ConfigError, match="'nosuch'"):
        unocr.get_backend("tesseract")
    with ThreadPoolExecutor(1) as pool:  # a task of a thread-based executor
        assert pool.submit(lambda: worker_backend(spec).read(image).text).result()
    # the tables read for the task are not taken as checked here
    with pytest.raises(ConfigError, match="'nosuch'") as info:
        unocr.get_backend("tesseract")
    assert info.value.source is not None
    with pytest.raises(ConfigError, match="'nosuch'"):
        unocr.read(image)


# ---------------------------------------- 2. a bad option of the call or the file
def test_a_bad_call_option_is_not_blamed_on_a_file_option_its_message_names(
    config,
) -> None:
    path = config(f'{OPTIONS}\nlanguages = ["en"]\n')
    with pytest.raises(ConfigError, match="not -l") as info:
        unocr.get_backend("tesseract", config="-l kor")
    assert info.value.source is None
    assert str(path) not in str(info.value)


def test_unocr_read_reports_a_bad_o_option_as_a_usage_error_with_a_file(
    config, image, capsys
) -> None:
    path = config(f'{OPTIONS}\nlanguages = ["en"]\n')
    assert main(["read", image, "-q", "-O", 'config="-l kor"']) == 2
    err = capsys.readouterr().err
    assert "not -l" in err and "usage:" in err
    assert str(path) not in err


def test_a_bad_file_option_is_blamed_on_the_file_beside_call_options(
    refused,
) -> None:
    err = refused(f'{OPTIONS}\nconfig = "-l kor"\n', "not -l", languages="en")
    assert f"{OPTIONS} in {err.source}" in str(err)


@pytest.mark.parametrize(
    ("check", "option"),
    [
        (lambda: check_seconds(-1, "timeout under [backends.x] in f.toml"), "timeout"),
        (lambda: check_count(0, "workers"), "workers"),
        (
            lambda: check_number(2, "engine_options['Det.thresh']", maximum=1),
            "engine_options",
        ),
        (lambda: check_choice("x", "device", ("cpu", "cuda")), "device"),
        (lambda: check_options("t", _factory, {"psm": "6"}), "psm"),
    ],
)
def test_option_checks_name_the_option_they_refuse(
    check: Callable[[], object], option: str
) -> None:
    with pytest.raises(ConfigError) as info:
        check()
    assert info.value.option == option


def _factory(*, languages: str | None = None, psm: int = 3) -> None:
    """A factory with two typed options, for check_options."""


def test_the_option_an_error_names_decides_whom_it_blames() -> None:
    file = FileOptions(
        "tesseract",
        {"languages": OPTIONS},
        "/cfg/unocr.toml",
        call=frozenset({"config"}),
    )
    with pytest.raises(ConfigError) as info, file.named():
        raise ConfigError("config gives languages=['en'] twice", option="config")
    assert info.value.source is None
    with pytest.raises(ConfigError) as info, file.named():
        raise ConfigError("languages must be a list, got 5", option="languages")
    assert info.value.source == "/cfg/unocr.toml"
    assert info.value.option == "languages"
    assert f"{OPTIONS} in /cfg/unocr.toml" in str(info.value)
    assert ConfigError("x").option is None


# ------------------------------------------ 3. the file's languages name the file
def test_a_file_language_code_the_engine_refuses_names_the_file(refused) -> None:
    err = refused(f'{OPTIONS}\nlanguages = "esp"\n', "'es'", error=LanguageCodeError)
    assert isinstance(err, ValueError)
    assert f"{OPTIONS} in {err.source}" in str(err)


def test_a_file_language_without_a_model_names_the_file_and_keeps_the_fix(
    refused,
) -> None:
    err = refused(f'{OPTIONS}\nlanguages = ["zu"]\n', error=LanguageUnavailableError)
    assert err.language == "zu"
    assert f"{OPTIONS} in {err.source}" in str(err)
    assert err.fix and str(err).endswith(err.fix)


def test_a_file_language_refused_in_a_worker_names_the_file(refused) -> None:
    err = refused(
        f'[backends.tesseract]\nisolate = true\n{OPTIONS}\nlanguages = "esp"\n',
        error=LanguageCodeError,
    )
    assert err.source in str(err)


def test_a_call_language_is_not_blamed_on_the_file(config) -> None:
    path = config(f'{OPTIONS}\nlanguages = "en"\npsm = 6\n')
    with pytest.raises(LanguageCodeError) as info:
        unocr.get_backend("tesseract", languages="esp")
    assert info.value.source is None
    assert str(path) not in str(info.value)


def test_unocr_read_names_the_file_of_a_bad_language(config, image, capsys) -> None:
    path = config(f'{OPTIONS}\nlanguages = "esp"\n')
    assert main(["read", image, "-q"]) == 1
    err = capsys.readouterr().err
    assert "'esp'" in err and str(path) in err and "usage:" not in err


# ------------------------------------------ 4. the engine a new file replaces
class _Tagged(Backend):
    """An engine that says when it closes; ``hold`` makes its reads wait."""

    name = "tagged"
    capabilities: ClassVar[Capabilities] = Capabilities(
        geometry="box", levels=("line",), confidence=True
    )
    built: ClassVar[list[int]]
    closed_ones: ClassVar[list[int]]
    reading: ClassVar[threading.Event]
    release: ClassVar[threading.Event]

    def __init__(self, *, hold: bool = False, cycle: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.number = len(self.built)
        self.built.append(self.number)
        self.hold = hold
        if cycle:  # an engine whose parts refer back to it, as EnginePool's do
            self._close_later = self.close

    def close(self) -> None:
        if not self.closed:
            self.closed_ones.append(self.number)
        super().close()

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[()]:
        if self.hold and self.number == 0:
            self.reading.set()
            self.release.wait(20)
        return ()


@pytest.fixture
def tagged(registered) -> Iterator[type[_Tagged]]:
    """The tagged engine, registered as ``tagged``; the caches start empty."""
    _Tagged.built, _Tagged.closed_ones = [], []
    _Tagged.reading, _Tagged.release = threading.Event(), threading.Event()
    registered("tagged", _Tagged)
    yield _Tagged
    _Tagged.release.set()


@pytest.mark.parametrize("cycle", [False, True])
def test_an_edit_closes_the_read_cache_engine_it_replaces(
    config, tagged, cycle
) -> None:
    for edit in range(3):
        config(f"[backends.tagged.options]\ncycle = {str(cycle).lower()}\n# {edit}\n")
        unocr.read(bars(), backend="tagged")
    assert tagged.built == [0, 1, 2]
    assert tagged.closed_ones == [0, 1]
    unocr.clear_cache()
    assert tagged.closed_ones == [0, 1, 2]


def test_a_replaced_engine_closes_only_after_its_last_read(config, tagged) -> None:
    config("[backends.tagged.options]\nhold = true\n")
    reader = threading.Thread(
        target=unocr.read, args=(bars(),), kwargs={"backend": "tagged"}
    )
    reader.start()
    try:
        assert tagged.reading.wait(10)
        config("[backends.tagged.options]\nhold = true\n# edited\n")
        unocr.read(bars(), backend="tagged")  # engine 1, while 0 still reads
        assert tagged.built == [0, 1] and tagged.closed_ones == []
    finally:
        tagged.release.set()
        reader.join(20)
    unocr.read(bars(), backend="tagged")  # the next lookup closes it
    assert tagged.closed_ones == [0]


def test_an_edit_closes_the_executor_cache_engine_it_replaces(config, tagged) -> None:
    config("")
    spec = BackendSpec.named("tagged", {})
    for edit in range(3):
        config(f"[backends.tagged.options]\n# {edit}\n")
        worker_backend(spec).read(bars())
    assert tagged.built == [0, 1, 2] and tagged.closed_ones == [0, 1]


def test_an_edit_stops_the_workers_of_the_isolated_engine_it_replaces(
    config, image
) -> None:
    def workers() -> set[int]:
        return {p for p, _, state in children(os.getpid()) if state != "Z"}

    before = workers()
    for psm in (3, 4, 6):
        config(f"[backends.tesseract]\nisolate = true\n{OPTIONS}\npsm = {psm}\n")
        assert unocr.read(image).text.strip()
    assert len(workers() - before) == 1
    unocr.clear_cache()
    assert workers() - before == set()
