"""Comparison reports and saved results: what they count, say and record.

- The report's ranking counts every image under "images", as the table does.
- Saved results find their images from any folder and after the project
  moves; older files (paths relative to the folder of the run) still do.
- The report's footer says how the figures treat failed images: a result an
  older unocr saved left them out.
- A backend object records its settings (secrets not shown), as a spec does.
- No engine is named most accurate when none read anything right.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

import unocr
from unocr.comparison import (
    CompareResult,
    compare,
    load_result,
    merge_results,
    parse_engine_spec,
    render_html,
)
from unocr.comparison.ranking import recommendation

from .compare_data import BoxedWord, StemBackend, write_dataset
from .needs import needs_tesseract

BOXES = ((10, 10, 60, 30), (70, 10, 120, 30))
TEXTS = {
    "img_1": ("Hello", "World"),
    "img_2": ("Prices", "Today"),
    "img_3": ("Exit", "Only"),
    "img_4": ("Open", "Daily"),
}


class _Reader(StemBackend):
    """Reads each image's ground truth (or ``wrong`` text); fails on ``fail``."""

    name = "reader"

    def __init__(
        self,
        *,
        fail: Sequence[str] = (),
        wrong: str | None = None,
        mode: int = 1,
        api_key: str | None = None,
        client_options: dict[str, str] | None = None,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = None,
    ) -> None:
        super().__init__(languages=languages, max_pixels=max_pixels)
        self.fail = set(fail)
        self.wrong = wrong

    def words(self, stem: str) -> list[BoxedWord]:
        return [
            (box, self.wrong or text)
            for box, text in zip(BOXES, TEXTS[stem], strict=True)
        ]


def _dataset(folder: Path, kind: str = "icdar2015") -> Path:
    """The images of TEXTS in ``folder``, ground truth with coordinates or text."""
    return write_dataset(folder, TEXTS, BOXES, kind)


def _ranking_rows(html: str) -> list[list[str]]:
    """The cells of each row of the report's ranking tables."""
    rows = []
    for table in re.findall(r"<h3>Ranking by accuracy</h3><table>(.*?)</table>", html):
        for row in re.findall(r"<tr>(.*?)</tr>", table)[1:]:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
            rows.append([re.sub(r"<small>.*?</small>|<[^>]+>", "", c) for c in cells])
    return rows


def _footer(html: str) -> str:
    found = re.search(r"<h2>How to read the figures</h2><p class=meta>(.*?)</p>", html)
    assert found is not None
    return found.group(1)


# ------------------------------------------------ 1. images in the ranking


def test_the_reports_ranking_counts_every_image_as_the_table(tmp_path: Path) -> None:
    res = compare(
        [("flaky", _Reader(fail=("img_3",)))], f"icdar2015:{_dataset(tmp_path)}"
    )
    assert (len(res.runs[0].images), res.runs[0].failed) == (4, 1)  # the table's
    (row,) = _ranking_rows(render_html(res, previews=0))
    # rank, engine, images, failed: the failed image is one of the 4
    assert row[1:4] == ["flaky", "4", "1"]


# ------------------------------------------- 2. where saved images are found


def _project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, CompareResult]:
    """A project folder with a dataset at data/ic15, made the current folder.

    Returns the folder, and the result of reader "a" on ``icdar2015:data/ic15``.
    """
    proj = tmp_path / "proj"
    _dataset(proj / "data" / "ic15")
    monkeypatch.chdir(proj)
    return proj, compare([("a", _Reader())], "icdar2015:data/ic15")


def _save(result: CompareResult, path: Path) -> Path:
    """``result`` saved at ``path``, in a folder made for it; ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    result.save(path)
    return path


def _first_images(result: CompareResult) -> list[str]:
    return [run.images[0].image for run in result.runs]


def test_a_saved_result_finds_its_images_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj, res = _project(tmp_path, monkeypatch)
    # what `unocr compare --json main.json` writes, and CompareResult.save
    (proj / "main.json").write_text(res.to_json(), encoding="utf-8")
    _save(res, proj / "out" / "saved.json")
    # from another folder, each file's images are found and drawn
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for name in ("main.json", "out/saved.json"):
        loaded = load_result(proj / name)
        assert all(os.path.isfile(p) for p in _first_images(loaded)), name
        assert os.path.isdir(loaded.datasets[0].path)
        notes: list[str] = []
        html = render_html(loaded, previews=2, notes=notes)
        assert not [n for n in notes if n.startswith("cannot show")], notes
        assert html.count('<img src="data:image/jpeg') == 4  # 2 images, 2 figures
        # the labels do not depend on the folder
        assert loaded.datasets[0].name == "icdar2015:ic15"
        assert [r.dataset for r in loaded.runs] == ["icdar2015:ic15"]


def test_a_saved_result_keeps_finding_its_images_when_the_project_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj, res = _project(tmp_path, monkeypatch)
    main = _save(res, proj / "results" / "main.json")
    saved = json.loads(main.read_text(encoding="utf-8"))
    # written relative to the results file: the same on any machine
    assert saved["runs"][0]["images"][0]["image"] == "../data/ic15/img_1.png"
    assert saved["datasets"][0]["path"] == "../data/ic15"
    moved = tmp_path / "moved"
    shutil.move(proj, moved)
    monkeypatch.chdir(tmp_path)
    loaded = load_result(moved / "results" / "main.json")
    assert _first_images(loaded) == [str(moved / "data" / "ic15" / "img_1.png")]
    assert loaded.datasets[0].path == str(moved / "data" / "ic15")


def test_an_older_results_paths_relative_to_its_run_are_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj, res = _project(tmp_path, monkeypatch)
    other = compare([("b", _Reader(fail=("img_2",)))], "icdar2015:data/ic15")
    # as an older unocr wrote them: relative to the folder the run was in
    data = res.to_dict()
    for run in data["runs"]:
        for im in run["images"]:
            im["image"] = os.path.relpath(im["image"], proj)
    data["datasets"][0]["path"] = "data/ic15"
    (proj / "old.json").write_text(json.dumps(data), encoding="utf-8")
    other.save(proj / "new.json")
    expected = [str(proj / "data" / "ic15" / "img_1.png")]
    for cwd in (proj, tmp_path):  # in the run's folder and elsewhere
        monkeypatch.chdir(cwd)
        old = load_result(proj / "old.json")
        assert [os.path.abspath(p) for p in _first_images(old)] == expected
        assert os.path.isdir(old.datasets[0].path)
        # and it merges with a result saved now
        merged = merge_results([old, load_result(proj / "new.json")])
        assert [r.backend for r in merged.runs] == ["a", "b"]


def test_dataset_labels_do_not_depend_on_the_folder_of_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, here = _project(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    there = compare([("b", _Reader())], "icdar2015:proj/data/ic15")
    assert here.datasets[0].name == there.datasets[0].name
    assert _first_images(here) == _first_images(there)
    merged = merge_results([here, there])
    assert [r.dataset for r in merged.runs] == [here.datasets[0].name] * 2


# ---------------------------------------- 3. the footer of an older result


def _older(result: CompareResult) -> CompareResult:
    """``result`` as an older unocr saved it (schema /2, failures left out)."""
    data = result.to_dict()
    data["schema"] = "unocr.compare/2"
    for run in data["runs"]:
        run.pop("failures_scored")
    return CompareResult.from_dict(data)


def test_the_footer_says_how_failures_count(tmp_path: Path) -> None:
    res = compare(
        [("flaky", _Reader(fail=("img_3",)))], f"icdar2015:{_dataset(tmp_path)}"
    )
    now = _footer(render_html(res, previews=0))
    assert "An image an engine failed on counts in its rates as an empty page" in now
    old = _older(res)
    assert "left out of the figures, as an older unocr saved them" in old.table()
    footer = _footer(render_html(old, previews=0))
    assert "counts in its rates as an empty page" not in footer
    assert "left out" in footer and "older unocr" in footer
    # an older result without failures scored alike: the usual footer
    clean = _older(compare([("a", _Reader())], f"icdar2015:{tmp_path}"))
    assert "counts in its rates as an empty page" in _footer(render_html(clean))


# ------------------------------------------- 4. a backend object's settings


def test_a_backend_object_records_its_settings_without_secrets(
    tmp_path: Path,
) -> None:
    given = _Reader(
        mode=3, api_key="AIzaSyS3CR3T", client_options={"api_key": "AIzaSyS3CR3T"}
    )
    res = compare([("given", given), given], f"icdar2015:{_dataset(tmp_path)}")
    runs = {r.backend: r for r in res.runs}
    for label in ("given", "reader"):
        assert runs[label].engine == "reader"
        assert runs[label].settings["mode"] == 3
    assert "AIzaSyS3CR3T" not in res.to_json()
    assert "AIzaSyS3CR3T" not in render_html(res, previews=0)
    assert "not shown" in str(runs["given"].settings["api_key"])
    assert "not shown" in str(runs["given"].settings["client_options"]["api_key"])
    # so does a spec's
    spec = parse_engine_spec("g=gcv:api_key=AIzaSyS3CR3T,timeout=5")
    assert spec.settings()["timeout"] == 5
    assert "AIzaSyS3CR3T" not in json.dumps(spec.settings())


@needs_tesseract
def test_a_tesseract_object_records_what_its_spec_records(tmp_path: Path) -> None:
    sparse = unocr.get_backend("tesseract", psm=11)
    try:
        res = compare(
            [("sparse", sparse), "sparse2=tesseract:psm=11"],
            f"icdar2015:{_dataset(tmp_path)}",
            limit=1,
        )
    finally:
        sparse.close()
    (one, two) = res.runs
    assert (one.engine, one.settings) == (two.engine, two.settings)
    assert one.settings == {"psm": 11}


# ------------------------------------------------ 5. nothing read right


@pytest.mark.parametrize("kind", ["icdar2015", "text"])
def test_no_engine_is_most_accurate_when_none_reads_anything_right(
    tmp_path: Path, kind: str
) -> None:
    res = compare(
        [
            ("slow", _Reader(wrong="xxxxxxxxxxxxxxxx")),
            ("fast", _Reader(wrong="yyyyyyyyyyyyyyyy")),
        ],
        f"{kind}:{_dataset(tmp_path, kind)}",
    )
    localized = kind == "icdar2015"
    if localized:
        assert all(r.scores.e2e_hmean == 0.0 for r in res.runs)
    else:
        assert all((r.scores.cer or 0.0) >= 1.0 for r in res.runs)
    said = recommendation(res.runs, localized)
    assert "Most accurate:" not in said
    assert "Best accuracy per second" not in said
    assert "No engine is most accurate" in said
    assert "Fastest:" in said  # speed still tells them apart
    # one engine reading something right is named
    better = compare(
        [("slow", _Reader(wrong="xxxxxxxxxxxxxxxx")), ("good", _Reader())],
        f"{kind}:{tmp_path}",
    )
    assert "Most accurate: good" in recommendation(better.runs, localized)


def test_an_option_object_is_recorded_by_its_type_alone() -> None:
    """An object's repr may hold a key (client options): never recorded."""
    from google.api_core.client_options import ClientOptions

    from unocr.comparison.engines import EngineSpec

    spec = EngineSpec(
        "g", "gcv", {"client_options": ClientOptions(api_key="AIzaSECRET")}
    )
    assert "AIzaSECRET" not in repr(spec.settings())
    assert spec.settings() == {"client_options": "a ClientOptions object"}


# ------------------------- 6. a saved file's text read without its folder


def test_from_json_without_a_folder_round_trips_a_saved_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unocr.errors import ComparisonError

    proj, res = _project(tmp_path, monkeypatch)
    text = _save(res, proj / "sub" / "r.json").read_text(encoding="utf-8")
    read = CompareResult.from_json(text)
    # lossless: the paths stay relative to the file, and the mark says so
    assert read.paths_relative_to_file
    assert read.to_json() + "\n" == text
    assert CompareResult.from_dict(json.loads(text)).to_dict() == json.loads(text)
    assert _first_images(read) == ["../data/ic15/img_1.png"]
    # re-basing paths relative to an unknown folder is refused, saying how
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(ComparisonError, match=r"folder="):
        read.save(elsewhere / "r2.json")
    assert not (elsewhere / "r2.json").exists()
    with pytest.raises(ComparisonError, match=r"folder="):
        read.to_json(relative_to=elsewhere)
    with pytest.raises(ComparisonError, match=r"folder="):
        merge_results([read, res])
    # given its folder, the paths are placed and save elsewhere as usual
    placed = CompareResult.from_json(text, folder=proj / "sub")
    assert not placed.paths_relative_to_file
    assert _first_images(placed) == [str(proj / "data" / "ic15" / "img_1.png")]
    placed.save(elsewhere / "r2.json")
    monkeypatch.chdir(tmp_path)
    again = load_result(elsewhere / "r2.json")
    assert _first_images(again) == [str(proj / "data" / "ic15" / "img_1.png")]
    other = compare([("b", _Reader())], f"icdar2015:{proj / 'data' / 'ic15'}")
    assert [r.backend for r in merge_results([again, other]).runs] == ["a", "b"]


# ------------------------------- 7. an isolated backend object's settings


@needs_tesseract
def test_an_isolated_tesseract_object_records_what_its_spec_records() -> None:
    import sys

    from unocr.comparison import engine_specs

    cases = [
        ({"isolate": True, "psm": 11}, "tesseract:psm=11,isolate=true", {"psm": 11}),
        (
            {"isolate": True, "psm": 11, "timeout": 5},
            "tesseract:psm=11,isolate=true,timeout=5",
            {"psm": 11, "timeout": 5},
        ),
        (
            {"python": sys.executable, "psm": 11},
            f"tesseract:psm=11,python={sys.executable}",
            {"psm": 11, "python": sys.executable},
        ),
    ]
    for options, text, expected in cases:
        given = unocr.get_backend("tesseract", **options)
        try:
            obj, spec = engine_specs([given, text])
        finally:
            given.close()
        assert obj.settings() == expected, options
        assert spec.settings() == expected, text
    # an engine kept in process records no placement that did not apply
    (spec,) = engine_specs(["tesseract:psm=11,isolate=false,processes=2"])
    assert spec.settings() == {"psm": 11}
