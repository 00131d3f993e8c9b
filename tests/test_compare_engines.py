"""Engine settings side by side, saved results, merges (real Tesseract)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import unocr
from unocr.cli import main
from unocr.comparison import (
    CompareResult,
    compare,
    load_result,
    merge_results,
    parse_engine_spec,
)
from unocr.comparison.engines import engine_specs
from unocr.errors import ComparisonError
from unocr.metrics import ScoringOptions

from .needs import needs_tesseract

FIXTURES = Path(__file__).parent / "fixtures" / "datasets"
ICDAR = f"icdar2015:{FIXTURES / 'icdar2015'}"
TEXT = f"text:{FIXTURES / 'text'}"

# ----------------------------------------------------------- spec parsing


@pytest.mark.parametrize(
    ("spec", "label", "name", "options"),
    [
        ("tesseract", "tesseract", "tesseract", {}),
        ("tesseract:psm=11", "tesseract:psm=11", "tesseract", {"psm": 11}),
        (
            "sparse=tesseract:psm=11,oem=1",
            "sparse",
            "tesseract",
            {"psm": 11, "oem": 1},
        ),
        (
            "rapidocr:det_limit_type=max,box_thresh=0.6,use_cls=false",
            "rapidocr:det_limit_type=max,box_thresh=0.6,use_cls=false",
            "rapidocr",
            {"det_limit_type": "max", "box_thresh": 0.6, "use_cls": False},
        ),
        (
            't=tesseract:languages=["en","de"]',
            "t",
            "tesseract",
            {"languages": ["en", "de"]},
        ),
    ],
)
def test_engine_spec(
    spec: str, label: str, name: str, options: dict[str, object]
) -> None:
    parsed = parse_engine_spec(spec)
    assert (parsed.label, parsed.name, dict(parsed.options)) == (label, name, options)


#: Engine specs that do not parse, and what the error says of each.
BAD_SPECS = {
    "tesseract:psm": "must be KEY=VALUE",
    "=tesseract": "empty label",
    "a=:psm=1": "expected an engine name",
    "tesseract:psm=1,psm=2": "given twice",
}


@pytest.mark.parametrize(("spec", "message"), BAD_SPECS.items())
def test_bad_engine_spec(spec: str, message: str) -> None:
    with pytest.raises(ComparisonError, match=message):
        parse_engine_spec(spec)


def test_labels_must_be_unique() -> None:
    with pytest.raises(ComparisonError, match="two engines are labelled 'tesseract'"):
        engine_specs(["tesseract", "tesseract"])
    with pytest.raises(ComparisonError, match="cannot compare 42"):
        engine_specs([42])  # type: ignore[list-item]
    specs = engine_specs("tesseract,rapidocr")
    assert [s.label for s in specs] == ["tesseract", "rapidocr"]


# ---------------------------------------------- real engines side by side

pytest.importorskip("pytesseract")


@pytest.fixture(scope="module")
def side_by_side() -> CompareResult:
    if shutil.which("tesseract") is None:
        pytest.skip("the tesseract program is not installed")
    own = unocr.get_backend("tesseract", psm=11)
    try:
        result = compare(
            ["tesseract", ("sparse", own), "block=tesseract:psm=6"],
            [ICDAR, TEXT],
        )
        # a backend object the caller passed is not closed by compare
        assert own.read(str(FIXTURES / "text" / "phototest.tif")).text
    finally:
        own.close()
    return result


@needs_tesseract
def test_settings_side_by_side(side_by_side: CompareResult) -> None:
    res = side_by_side
    assert res.backends == ("tesseract", "sparse", "block")
    assert not res.skipped
    runs = {r.backend: r for r in res.runs if r.dataset == "text"}
    assert runs["block"].settings == {"psm": 6}
    assert runs["block"].engine == "tesseract"
    assert runs["sparse"].engine == "tesseract"
    assert runs["sparse"].speed.load_seconds is None  # created by the caller
    # the settings reached the engine: on scene text, sparse-text mode (psm
    # 11) and uniform-block mode (psm 6) detect differently
    scene = {r.backend: r.scores.n_pred for r in res.runs if r.dataset == "icdar2015"}
    assert len(set(scene.values())) > 1, scene
    assert runs["tesseract"].scores.cer is not None
    assert runs["tesseract"].scores.cer < 0.05
    table = res.table()
    assert "block" in table
    assert "sparse" in table


@needs_tesseract
def test_json_round_trip_is_lossless(
    side_by_side: CompareResult, tmp_path: Path
) -> None:
    path = tmp_path / "r.json"
    side_by_side.save(path)
    loaded = load_result(path)
    assert loaded.to_json() == side_by_side.to_json()
    assert loaded.table() == side_by_side.table()
    assert loaded.runs[0].images[0].scores == side_by_side.runs[0].images[0].scores
    page = loaded.runs[0].images[0].page
    assert page is not None
    assert page == side_by_side.runs[0].images[0].page
    assert loaded.datasets[0].normalization is not None
    assert loaded.datasets[0].normalization.name == "icdar2015"


@needs_tesseract
def test_merge_runs_from_two_environments(tmp_path: Path) -> None:
    a = compare("tesseract", [ICDAR, TEXT])
    b = compare("sparse=tesseract:psm=11", [ICDAR, TEXT])
    a.save(tmp_path / "a.json")
    b.save(tmp_path / "b.json")
    merged = merge_results(
        [load_result(tmp_path / "a.json"), load_result(tmp_path / "b.json")]
    )
    assert merged.backends == ("tesseract", "sparse")
    assert [(r.backend, r.dataset) for r in merged.runs] == [
        ("tesseract", "icdar2015"),
        ("tesseract", "text"),
        ("sparse", "icdar2015"),
        ("sparse", "text"),
    ]
    # the CLI builds one table and report from the files
    report = tmp_path / "r.html"
    out = tmp_path / "m.json"
    code = main(
        [
            "compare",
            "--merge",
            str(tmp_path / "a.json"),
            str(tmp_path / "b.json"),
            "--report",
            str(report),
            "--json",
            str(out),
        ]
    )
    assert code == 0
    assert load_result(out).to_json() == merged.to_json()
    html = report.read_text(encoding="utf-8")
    assert "Most accurate:" in html
    assert "data:image/jpeg;base64," in html  # detections drawn from the files
    assert html.count("<h2>icdar2015</h2>") == 1

    # the same engine label twice is refused
    with pytest.raises(ComparisonError, match="ran on 'icdar2015' in both"):
        merge_results([a, a])
    # another dataset (one image fewer) is refused
    c = compare("other=tesseract", [ICDAR, TEXT], limit=1)
    with pytest.raises(ComparisonError, match="dataset 'icdar2015' differs"):
        merge_results([a, c], ["a.json", "c.json"])
    d = compare("other=tesseract", [TEXT])
    with pytest.raises(ComparisonError, match="different datasets"):
        merge_results([a, d])
    # another protocol is refused
    e = compare(
        "other=tesseract", [ICDAR, TEXT], options=ScoringOptions(protocol="custom")
    )
    with pytest.raises(ComparisonError, match="different protocols"):
        merge_results([a, e])


def test_load_result_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(
        ComparisonError, match=r"bad\.json: comparison result is not JSON"
    ):
        load_result(bad)
    other = tmp_path / "page.json"
    other.write_text(json.dumps({"schema": "unocr.page/1"}), encoding="utf-8")
    with pytest.raises(ComparisonError, match=r"schema 'unocr\.page/1'"):
        load_result(other)


def test_merge_cli_usage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        main(["compare", "--merge", str(tmp_path / "x.json"), "-b", "tesseract"]) == 2
    )
    assert "give no -b" in capsys.readouterr().err
    assert main(["compare", "--merge", str(tmp_path / "missing.json")]) == 1
    assert "missing.json" in capsys.readouterr().err
    assert main(["compare", "-b", "tesseract:psm", "--dataset", TEXT]) == 2
    assert "option 'psm' must be KEY=VALUE" in capsys.readouterr().err
