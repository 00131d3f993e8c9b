"""Shared pytest configuration: Hypothesis profiles and the shared fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from PIL import Image

settings.register_profile("default", max_examples=60, deadline=None)
# CI is a gate: the same examples every run (derived from each test's name),
# so a run passes or fails on the code alone. The search for new
# counterexamples is the "deep" profile's job (random, many more examples).
settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
# A long search for counterexamples before a release:
# HYPOTHESIS_PROFILE=deep UNOCR_HYPOTHESIS_EXAMPLES=5000 pytest tests
settings.register_profile(
    "deep",
    max_examples=int(os.environ.get("UNOCR_HYPOTHESIS_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
    database=None,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Tests choose where engines run themselves: no unocr.toml of the checkout or
# the user applies (tests of the configuration set UNOCR_CONFIG).
os.environ.setdefault("UNOCR_CONFIG", "")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def _shared_root() -> Path:
    override = os.environ.get("UNOCR_SHARED_DIR")
    return Path(override) if override else ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder beside the checkout (datasets, fixtures, schemas).

    Tests that use it are skipped, with a message, where it is absent: a user's
    clone has no ``../shared``. Set ``UNOCR_SHARED_DIR`` to point elsewhere.
    """
    root = _shared_root()
    if not (root / "data").is_dir():
        pytest.skip(
            f"shared datasets not found at {root}; set UNOCR_SHARED_DIR to run this test"
        )
    return root


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The project's own test fixtures folder (``tests/fixtures``)."""
    return FIXTURES


@pytest.fixture(scope="module")
def snippet() -> Image.Image:
    """The first two lines of the Tesseract test page, RGB, 600 x 85 pixels."""
    with Image.open(ROOT / "samples" / "phototest.png") as im:
        return im.convert("RGB").crop((20, 75, 620, 160))


@pytest.fixture
def registered() -> Iterator[Callable[..., None]]:
    """Register test engines for one test: ``registered(name, factory)``.

    Each call registers ``factory`` under ``name`` (``replace=True`` unless
    told) and empties the caches; after the test every engine registered
    here is unregistered and the caches are emptied again.
    """
    import unocr
    from unocr import registry

    names: list[str] = []

    def register(name: str, factory: Any, *, replace: bool = True) -> None:
        registry.register_backend(name, factory, replace=replace)
        names.append(name)
        unocr.clear_cache()

    yield register
    for name in names:
        registry.unregister_backend(name)
    unocr.clear_cache()


@pytest.fixture
def ink(registered: Callable[..., None]) -> str:
    """The ``ink`` engine (tests/ink_engine.py) registered for one test."""
    from .ink_engine import InkBackend

    registered("ink", InkBackend, replace=False)
    return "ink"


@pytest.fixture
def slow(registered: Callable[..., None]) -> Iterator[type[Any]]:
    """The engine that loads on cue (tests/stub_engines.py), as ``slowbuild``.

    The caches start empty; after the test any build still waiting is let go.
    """
    from .stub_engines import SlowBackend

    SlowBackend.reset()
    registered(SlowBackend.name, SlowBackend)
    yield SlowBackend
    SlowBackend.release.set()


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Write the unocr.toml in force (``UNOCR_CONFIG``); the caches start empty.

    Each write gives the file a new modification time, as an edit does, so a
    cache keyed by the file sees every edit.
    """
    import unocr

    path = tmp_path / "cfg" / "unocr.toml"
    path.parent.mkdir()
    monkeypatch.setenv("UNOCR_CONFIG", str(path))
    for var in ("UNOCR_PYTHON_KERAS_OCR", "UNOCR_PYTHON_TESSERACT"):
        monkeypatch.delenv(var, raising=False)
    unocr.clear_cache()
    edits = [0]

    def write(text: str) -> Path:
        path.write_text(text, encoding="utf-8")
        edits[0] += 1
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + edits[0] * 10**9))
        return path

    yield write
    unocr.clear_cache()


@pytest.fixture
def refused(config: Callable[[str], Path]) -> Callable[..., Any]:
    """Write a unocr.toml that making an engine refuses; the error, naming the file.

    ``refused(text, match=None, *, error=ConfigError, backend="tesseract",
    **options)`` writes ``text`` as the file in force (:func:`config`), checks
    that ``unocr.get_backend(backend, **options)`` raises ``error`` (its message
    matching the regular expression ``match``, if given) whose ``source`` is
    the file's path, and returns that error.
    """
    import unocr
    from unocr.errors import ConfigError

    def check(
        text: str,
        match: str | None = None,
        *,
        error: type[Exception] = ConfigError,
        backend: str = "tesseract",
        **options: Any,
    ) -> Any:
        path = config(text)
        with pytest.raises(error, match=match) as info:
            unocr.get_backend(backend, **options)
        assert info.value.source == str(path)  # type: ignore[attr-defined]
        return info.value

    return check


@pytest.fixture
def worker_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Engine worker processes import this checkout's unocr and the test engines."""
    paths = [str(ROOT / "src"), str(ROOT)]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    monkeypatch.setenv("UNOCR_CONFIG", "")


@pytest.fixture
def tessdata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """A tessdata folder in force (``TESSDATA_PREFIX``): make(*names) puts the
    installed English model there under each name (``name.traineddata``)."""
    if shutil.which("tesseract") is None:
        pytest.skip(
            "the tesseract program is not installed (apt-get install tesseract-ocr)"
        )
    from unocr.backends.tesseract.install import probe

    datadir = probe(shutil.which("tesseract") or "tesseract", None).datadir
    if datadir is None or not (Path(datadir) / "eng.traineddata").is_file():
        pytest.skip("Tesseract's eng model is not installed (tesseract-ocr-eng)")

    def make(*models: str) -> Path:
        folder = tmp_path / "tessdata"
        folder.mkdir()
        if (Path(datadir) / "configs").is_dir():
            (folder / "configs").symlink_to(Path(datadir) / "configs")
        for model in models:
            (folder / f"{model}.traineddata").symlink_to(
                Path(datadir) / "eng.traineddata"
            )
        monkeypatch.setenv("TESSDATA_PREFIX", str(folder))
        return folder

    return make


@pytest.fixture(scope="session")
def tesseract_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """hOCR (with character boxes), ALTO and TSV of its test page, made by the
    tesseract program (``tesseract IMAGE OUT hocr alto tsv``), once a session."""
    exe = shutil.which("tesseract")
    if exe is None:
        pytest.skip(
            "the tesseract binary is not installed (apt-get install tesseract-ocr)"
        )
    out = tmp_path_factory.mktemp("tesseract") / "phototest"
    subprocess.run(
        [
            exe,
            str(Path(__file__).parent / "fixtures" / "tesseract" / "phototest.tif"),
            str(out),
            "-l",
            "eng",
            "-c",
            "hocr_char_boxes=1",
            "hocr",
            "alto",
            "tsv",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    files = {
        "hocr": out.with_suffix(".hocr"),
        "alto": out.with_suffix(".xml"),
        "tsv": out.with_suffix(".tsv"),
    }
    assert all(p.is_file() for p in files.values())
    return files
