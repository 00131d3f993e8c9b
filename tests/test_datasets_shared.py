"""Loaders on the real dataset samples (``../shared/data``; skipped where absent).

The expected counts come from each dataset's README in the shared folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from unocr.datasets import load_dataset
from unocr.geometry import Box, Quad
from unocr.metrics import ScoringOptions, score_page

pytestmark = pytest.mark.shared


def test_icdar2015_sample(shared_dir: Path) -> None:
    ds = load_dataset(f"icdar2015:{shared_dir / 'data' / 'icdar2015'}")
    assert len(ds) == 25
    legible = sum(len(s.truth.words) for s in ds)
    dont_care = sum(len(s.ignore) for s in ds)
    assert (legible, dont_care) == (292 - 174, 174)
    assert all(isinstance(w.geometry, Quad) for s in ds for w in s.truth.words)
    assert all((s.truth.width, s.truth.height) == (1280, 720) for s in ds)
    # the BOM is not part of the first transcription of any file
    assert not any(w.text.startswith("\ufeff") for s in ds for w in s.truth.words)
    img_19 = next(s for s in ds if s.id == "img_19")
    assert "0000" in [w.text for w in img_19.truth.words]


def test_sroie_sample_with_crlf_and_commas(shared_dir: Path) -> None:
    ds = load_dataset(f"sroie:{shared_dir / 'data' / 'sroie'}")
    assert len(ds) == 25
    assert sum(len(s.truth.lines) for s in ds) == 1305
    texts = [line.text for s in ds for line in s.truth.lines]
    assert not any("\r" in t for t in texts)
    assert any("," in t for t in texts)
    first = next(s for s in ds if s.id == "X51005361895")
    assert first.truth.lines[0].text == "FUYI MINI MARKET"
    assert first.truth.lines[0].geometry.to_box() == Box(254, 100, 721, 144)


def test_funsd_sample(shared_dir: Path) -> None:
    ds = load_dataset(f"funsd:{shared_dir / 'data' / 'funsd'}")
    assert len(ds) == 25
    words = sum(len(s.truth.words) for s in ds)
    empty = sum(len(s.ignore) for s in ds)
    # 3626 words, 51 of them empty; 2 empty boxes lie over typed words (a
    # signature over "D. A. BEATTY"): those are read, so no don't-care region
    assert (words, empty) == (3626 - 51, 51 - 2)
    options = ScoringOptions(normalization=ds.normalization)
    for s in ds:  # a perfect read scores perfectly
        score = score_page(
            s.truth,
            s.truth,
            ignore=s.ignore,
            level=s.level,
            truth_elements=s.regions(),
            options=options,
        )
        assert (score.hmean, score.e2e_hmean, score.cer) == (1.0, 1.0, 0.0), s.id


def test_page_text_sample(shared_dir: Path) -> None:
    ds = load_dataset(f"text:{shared_dir / 'data' / 'tesseract_testing'}")
    assert [s.id for s in ds] == ["eurotext", "phototest"]
    photo = ds[1]
    assert not photo.localized
    assert photo.truth.text.startswith("This is a lot of 12 point text to test the\n")
    assert (photo.truth.width, photo.truth.height) == (640, 480)


def test_linegt_sample(shared_dir: Path) -> None:
    ds = load_dataset(f"ocrd:{shared_dir / 'data' / 'ocrd_linegt_testset'}", limit=25)
    assert len(ds) == 25
    heine = next(s for s in ds if s.id == "heine_lieder_1827_0358_010")
    assert heine.truth.text == "Jn den feuchten Sand."
    assert all(len(s.truth.lines) == 1 for s in ds)
