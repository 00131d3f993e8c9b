"""The compare harness through its Python API, with the real Tesseract engine."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image

from unocr import registry
from unocr.backends.base import Backend, Capabilities, Stopwatch
from unocr.comparison import MATPLOTLIB_HINT, CompareResult, compare, render_html
from unocr.comparison.report import write_html
from unocr.datasets import load_dataset
from unocr.image import LoadedImage
from unocr.metrics import Normalization, ScoringOptions
from unocr.model import Block

FIXTURES = Path(__file__).parent / "fixtures" / "datasets"
ICDAR = f"icdar2015:{FIXTURES / 'icdar2015'}"
TEXT = f"text:{FIXTURES / 'text'}"

pytest.importorskip("pytesseract")
if shutil.which("tesseract") is None:
    pytest.skip("the tesseract program is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def result() -> CompareResult:
    ticks: list[int] = []
    res = compare(
        "tesseract,nosuchengine",
        [ICDAR, TEXT],
        progress=ticks.append,
        options=ScoringOptions(normalization=Normalization(ignore_case=True)),
    )
    # every image of every requested engine is accounted for, skipped or not
    assert sum(ticks) == 2 * (2 + 1)
    return res


def test_runs_and_skipped(result: CompareResult) -> None:
    assert result.backends == ("tesseract", "nosuchengine")
    assert [(r.backend, r.dataset) for r in result.runs] == [
        ("tesseract", "icdar2015"),
        ("tesseract", "text"),
    ]
    (skip,) = result.skipped
    assert skip.backend == "nosuchengine"
    assert "unknown OCR backend" in skip.reason
    assert "tesseract" in skip.reason  # the known names are listed


def test_page_text_scores(result: CompareResult) -> None:
    run = result.run("tesseract", "text")
    assert (run.ok, run.failed) == (1, 0)
    assert run.scores.hmean is None  # no coordinates in page-text ground truth
    assert run.scores.cer is not None
    assert run.scores.cer < 0.05  # phototest is the engine's own test page
    (image,) = run.images
    assert image.scores is not None
    assert image.scores.truth_text.startswith("this is a lot of 12 point text")
    assert image.latency is not None
    assert image.latency > 0
    assert run.speed.images == 1
    assert run.speed.median_latency == image.latency
    assert run.speed.throughput is not None
    assert run.speed.load_seconds is not None


def test_scene_text_scores(result: CompareResult) -> None:
    run = result.run("tesseract", "icdar2015")
    assert run.ok == 2
    s = run.scores
    assert s.n_truth == 34 + 10  # legible words of img_264 and img_883
    assert s.n_dont_care == 25
    assert s.hmean is not None
    assert 0.0 <= s.hmean <= 1.0
    assert s.e2e_matched <= s.matched
    per_image = sum(im.scores.n_truth for im in run.images if im.scores)
    assert per_image == s.n_truth
    assert all(im.page is not None and im.truth is not None for im in run.images)


def test_json_has_every_per_image_figure(result: CompareResult) -> None:
    data = json.loads(result.to_json())
    assert data["schema"] == "unocr.compare/3"
    assert data["options"]["normalization"]["ignore_case"] is True
    assert data["skipped"][0]["backend"] == "nosuchengine"
    run = data["runs"][0]
    assert run["images_total"] == 2
    img = run["images"][0]
    for key in (
        "id",
        "latency",
        "n_truth",
        "matched",
        "hmean",
        "cer",
        "wer",
        "pred_text",
    ):
        assert key in img
    # the engine's page is saved too, so a report built from the file draws it
    assert img["page"]["schema"] == "unocr.page/1"


def test_table(result: CompareResult) -> None:
    table = result.table()
    header = table.splitlines()[0].split()
    assert header[:4] == ["engine", "dataset", "images", "failed"]
    assert "images/s" in header
    rows = [line for line in table.splitlines() if line.startswith("tesseract")]
    assert len(rows) == 2
    assert rows[1].split()[4:6] == ["-", "-"]  # no hmean/E2E for page text
    assert "skipped nosuchengine: unknown OCR backend" in table


def test_failing_image_is_counted_not_fatal(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "text" / "phototest.tif", tmp_path / "good.tif")
    shutil.copy(FIXTURES / "text" / "phototest.txt", tmp_path / "good.txt")
    # a truncated download: the header (and size) is readable, the pixels are not
    with Image.open(FIXTURES / "text" / "phototest.tif") as im:
        im.convert("L").save(tmp_path / "broken.png")
    data = (tmp_path / "broken.png").read_bytes()
    (tmp_path / "broken.png").write_bytes(data[: len(data) // 3])
    (tmp_path / "broken.txt").write_text("whatever\n")
    res = compare(["tesseract"], load_dataset(f"text:{tmp_path}"))
    (run,) = res.runs
    assert (run.ok, run.failed) == (1, 1)
    bad = next(im for im in run.images if not im.ok)
    assert bad.id == "broken"
    assert "broken.png" in (bad.error or "")
    # the failed image counts in the scores as an empty page (its truth missed)
    assert run.scores.images == 2
    assert "1 of 2 images failed; first: broken: " in res.table()  # and why
    html = render_html(res, previews=0)
    assert "Failed images" in html
    assert "broken" in html


@pytest.mark.parametrize("kind", ["icdar2015", "sroie", "text"])
def test_an_image_whose_header_is_garbage_is_counted_not_fatal(
    tmp_path: Path, kind: str
) -> None:
    # the dataset loads (its truth sized to what it labels), the image fails
    # for every engine and counts in run.failed; the other images are scored
    shutil.copy(FIXTURES / "text" / "phototest.tif", tmp_path / "good.tif")
    (tmp_path / "bad.png").write_bytes(b"not an image at all")
    box = "10,10,200,10,200,40,10,40"
    truth = {
        "icdar2015": ("gt_{}.txt", f"{box},This\n"),
        "sroie": ("{}.txt", f"{box},This\n"),
        "text": ("{}.txt", "This is a lot of 12 point text\n"),
    }
    name, text = truth[kind]
    for stem in ("good", "bad"):
        (tmp_path / name.format(stem)).write_text(text, encoding="utf-8")
    dataset = load_dataset(f"{kind}:{tmp_path}")
    assert sorted(s.id for s in dataset.samples) == ["bad", "good"]
    (run,) = compare(["tesseract"], dataset).runs
    assert (run.ok, run.failed) == (1, 1)
    bad = next(im for im in run.images if not im.ok)
    assert bad.id == "bad" and "bad.png" in (bad.error or "")


def test_limit_and_keep_pages(tmp_path: Path) -> None:
    res = compare("tesseract", ICDAR, limit=1, keep_pages=False)
    (run,) = res.runs
    assert len(run.images) == 1
    assert run.images[0].page is None
    assert res.datasets[0].images == 1


def test_missing_matplotlib_is_reported(
    result: CompareResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    notes: list[str] = []
    html = render_html(result, previews=0, notes=notes)
    assert notes == [MATPLOTLIB_HINT]
    assert "pip install &#x27;unocr[report]&#x27;" in html
    assert "data:image/png" not in html


def test_no_backend_or_dataset() -> None:
    with pytest.raises(ValueError, match="at least one engine"):
        compare(" , ", TEXT)
    with pytest.raises(ValueError, match="at least one dataset"):
        compare("tesseract", [])


def test_report_with_mixed_datasets_has_plots_and_drawings() -> None:
    """Two localised datasets and one text-only: every plot and preview renders."""
    res = compare("tesseract", [ICDAR, TEXT, ICDAR], limit=1)
    assert [d.name for d in res.datasets] == [
        "icdar2015",
        "text",
        "icdar2015#2",
    ]
    pytest.importorskip("matplotlib")
    notes: list[str] = []
    html = render_html(res, previews=1, notes=notes)
    assert notes == []
    assert html.count("data:image/png;base64,") == 2
    # ground truth + engine drawn for each localised dataset, the image alone
    # for the text-only one
    assert html.count("data:image/jpeg;base64,") == 2 + 1 + 2
    assert "<b>ground truth</b>" in html


def test_image_names_that_are_not_utf8_reach_the_json_and_the_report(
    tmp_path: Path,
) -> None:
    # A Latin-1 name on a UTF-8 system: os.fsdecode gives "M\udcfcller"
    stem = os.fsdecode(b"M\xfcller")
    shutil.copy(FIXTURES / "text" / "phototest.tif", tmp_path / f"{stem}.tif")
    shutil.copy(FIXTURES / "text" / "phototest.txt", tmp_path / f"{stem}.txt")
    # and one that fails (its pixels cut off), so its name is in an error too
    broken = tmp_path / f"{stem}2.png"
    with Image.open(FIXTURES / "text" / "phototest.tif") as im:
        im.convert("L").save(broken)
    broken.write_bytes(broken.read_bytes()[:2000])
    (tmp_path / f"{stem}2.txt").write_text("whatever\n")
    res = compare(["tesseract"], load_dataset(f"text:{tmp_path}"))
    (run,) = res.runs
    assert (run.ok, run.failed) == (1, 1)
    text = res.to_json()
    text.encode("utf-8")  # raised UnicodeEncodeError
    data = json.loads(text)
    ids = [im["id"] for im in data["runs"][0]["images"]]
    assert sorted(ids) == sorted([stem, f"{stem}2"])  # back exactly
    report = tmp_path / "report.html"
    write_html(res, report, previews=1)  # raised UnicodeEncodeError
    assert "M\ufffdller" in report.read_text("utf-8")


class _PerReadLanguages(Backend):
    """An engine whose factory has no ``languages`` option: it takes them per read."""

    name = "per-read-languages"
    capabilities: ClassVar[Capabilities] = Capabilities(
        geometry="box", levels=("word",), confidence=False, languages=("mi",)
    )

    def __init__(self) -> None:
        super().__init__()

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[Block, ...]:
        assert languages == ("mi",)
        return ()


@pytest.fixture
def per_read_languages() -> Iterator[str]:
    registry.register_backend(_PerReadLanguages.name, _PerReadLanguages)
    yield _PerReadLanguages.name
    registry.unregister_backend(_PerReadLanguages.name)


def test_an_engine_without_the_language_is_skipped_before_reading(
    per_read_languages: str,
) -> None:
    # Tesseract here has eng and kor only: no Maori model (mri.traineddata)
    ticks: list[int] = []
    res = compare(
        ["tesseract", per_read_languages],
        [ICDAR, TEXT],
        languages="mi",
        progress=ticks.append,
    )
    (skip,) = res.skipped
    assert skip.backend == "tesseract"
    assert "no model for language 'mi'" in skip.reason
    assert "mri.traineddata" in skip.reason
    assert skip.fix == "apt-get install tesseract-ocr-mri"
    # the other engine, which takes its languages per read, still runs
    assert [(r.backend, r.failed) for r in res.runs] == [
        (per_read_languages, 0),
        (per_read_languages, 0),
    ]
    assert sum(ticks) == 2 * (2 + 1)


def test_an_engine_with_the_language_reads_with_it() -> None:
    (run,) = compare("tesseract", TEXT, languages="en").runs
    assert run.failed == 0
    (image,) = run.images
    assert image.page is not None
    assert image.page.languages == ("en",)


def test_an_engines_own_languages_win_over_the_general_ones() -> None:
    # Tesseract here has eng and kor: the spec's Korean is what "kor" reads
    res = compare(['kor=tesseract:languages=["ko"]', "tesseract"], TEXT, languages="en")
    assert not res.skipped
    kor, plain = res.runs
    assert kor.images[0].page is not None and plain.images[0].page is not None
    assert kor.images[0].page.languages == ("ko",)
    assert plain.images[0].page.languages == ("en",)
    # what is recorded is what was used
    assert kor.settings == {"languages": ["ko"]}
    assert (kor.languages, plain.languages) == (("ko",), ("en",))
    assert res.languages == ("en",)  # the general request


def test_an_engine_without_credentials_is_skipped_with_how_to_give_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("google.cloud.vision_v1")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # no gcloud ADC file
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # no metadata server to ask
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")  # a closed local port
    res = compare(["gcv", "nosuchengine"], TEXT)
    gcv, unknown = res.skipped
    assert gcv.reason.startswith("no Google Cloud credentials found")
    assert gcv.fix is not None
    assert gcv.fix.startswith("Set GOOGLE_APPLICATION_CREDENTIALS")
    assert "unocr backends" not in gcv.fix  # gcv is installed: no use looking
    assert "Fix:" not in gcv.reason
    assert unknown.fix is not None and "unocr backends" in unknown.fix
    assert f"skipped gcv: {gcv.reason} Fix: {gcv.fix}" in res.table()
