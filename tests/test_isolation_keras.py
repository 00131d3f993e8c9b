"""keras-ocr in its own environment (``.venv-keras``), driven from this one.

keras-ocr needs numpy<2 and TensorFlow 2.15, so it cannot be imported here;
an isolated backend runs it in ``.venv-keras`` (made by ``scripts/keras-env``).
The interpreter is ``$UNOCR_KERAS_PYTHON`` or ``.venv-keras/bin/python`` in
the checkout. Where neither exists the module is skipped, unless
``UNOCR_KERAS_PYTHON`` is set (``make test`` sets it): then a missing or broken
environment fails the run. No weights exist on a fresh machine, so the models
are built with random weights (see tests/test_keras_ocr_backend.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.errors import LanguageUnavailableError
from unocr.geometry import Quad
from unocr.isolation.proxy import IsolatedBackend
from unocr.model import Page

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = os.environ.get("UNOCR_KERAS_PYTHON", "")
# Absolute, not resolved: a venv's python is a symlink out of the venv.
PYTHON = Path(os.path.abspath(REQUIRED or ROOT / ".venv-keras" / "bin" / "python"))
if not PYTHON.exists():
    if REQUIRED:
        pytest.fail(
            f"UNOCR_KERAS_PYTHON={REQUIRED} does not exist; create it with "
            "scripts/keras-env",
            pytrace=False,
        )
    pytest.skip(
        f"no keras-ocr environment at {PYTHON}: run scripts/keras-env (or set "
        "UNOCR_KERAS_PYTHON)",
        allow_module_level=True,
    )

RANDOM = {
    "pretrained": False,
    "scale": 1,
    "detection_threshold": -1e9,
    "text_threshold": -1e9,
    "link_threshold": 1e9,
}


@pytest.fixture(autouse=True)
def _worker_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))


def _crop(box: tuple[int, int, int, int]) -> Image.Image:
    path = ROOT / "tests" / "fixtures" / "dl" / "phototest.tif"
    return Image.open(path).convert("RGB").crop(box)


def test_keras_ocr_runs_in_its_own_environment_from_here(tmp_path, monkeypatch):
    with pytest.raises(ImportError):
        import keras_ocr  # noqa: F401  (not importable in this environment)
    config = tmp_path / "unocr.toml"
    config.write_text(f'[backends.keras_ocr]\npython = "{PYTHON}"\nprocesses = 2\n')
    monkeypatch.setenv("UNOCR_CONFIG", str(config))
    with unocr.get_backend("keras-ocr", **RANDOM) as engine:
        assert isinstance(engine, IsolatedBackend)
        assert engine.name == "keras-ocr" and engine.python == str(PYTHON)
        assert engine.capabilities.geometry == "quad"
        assert engine.batch_size == 4  # keras-ocr's own batches, one message each
        sizes = [(320, 96), (128, 64), (128, 64), (128, 64), (320, 96)]
        crops = [_crop((20, 84, 20 + w, 84 + h)) for w, h in sizes]
        pages = engine.read_many([*crops, b"junk"], workers=2, errors="return")
        assert len(engine.pids) == 2  # two chunks, two worker processes
    for page, size in zip(pages[:5], sizes, strict=True):
        assert isinstance(page, Page)
        assert page.backend == "keras-ocr" and (page.width, page.height) == size
        assert page.timings.engine > 0
        for word in page.words:
            assert isinstance(word.geometry, Quad) and word.confidence is None
    assert not pages[5] and pages[5].index == 5


def test_keras_ocr_errors_cross_the_boundary_typed():
    with pytest.raises(LanguageUnavailableError) as info:
        unocr.get_backend("keras-ocr", python=PYTHON, languages="ko", **RANDOM)
    assert info.value.language == "ko" and info.value.backend == "keras-ocr"


def test_one_comparison_with_keras_ocr_in_its_own_environment(tmp_path, monkeypatch):
    """The seed's task: engines of two environments in one report."""
    config = tmp_path / "unocr.toml"
    config.write_text(f'[backends.keras-ocr]\npython = "{PYTHON}"\n')
    monkeypatch.setenv("UNOCR_CONFIG", str(config))
    dataset = ROOT / "tests" / "fixtures" / "datasets" / "text"
    result = unocr.compare(
        ["tesseract", "keras-ocr"],
        f"text:{dataset}",
        backend_options={"keras-ocr": RANDOM},
    )
    assert result.skipped == ()
    assert {run.backend for run in result.runs} == {"tesseract", "keras-ocr"}
    assert all(run.failed == 0 and run.error is None for run in result.runs)
    table = result.table()
    assert "keras-ocr" in table and "tesseract" in table
