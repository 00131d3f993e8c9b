"""Comparison and metrics rules: failed images, default E2E rule, spotting, options.

- An image an engine fails on is scored as an empty page (no detections, no
  text), as the official ICDAR scripts score a missing result; speed figures
  leave it out.
- ``score_page`` without a normalisation applies its protocol's own (ICDAR
  2015: the official Task 4.4 rule); ``unocr.compare`` keeps what each
  dataset declares.
- Word spotting compares ``truth.upper() == detection.upper()`` whatever the
  normalisation.
- ``ScoringOptions`` refuses values it cannot use, and takes a preset's name.
- The report bolds a rate only when it rests on enough items.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from unocr.comparison import CompareResult, compare, render_html
from unocr.comparison.ranking import rank_runs, recommendation
from unocr.comparison.results import DatasetInfo, RunResult
from unocr.datasets import load_dataset, load_icdar2015
from unocr.errors import ConfigError
from unocr.geometry import Box, Quad
from unocr.metrics import (
    NORMALIZATIONS,
    Normalization,
    Scores,
    ScoringOptions,
    aggregate,
    score_page,
)
from unocr.model import Page, Word

from .compare_data import StemBackend, write_dataset
from .official_icdar2015 import Totals, evaluate_image, read_gt

# Three words per image, on one row.
BOXES = ((10, 10, 60, 30), (70, 10, 120, 30), (130, 10, 190, 30))
TEXTS = {
    "img_1": ("Hello", "World", "Again"),
    "img_2": ("Prices", "Today", "Cheap"),
    "img_3": ("Exit", "Only", "Here"),
    "img_4": ("Open", "Daily", "Until"),
}
#: The images where the engines below miss two words of three.
HARD = ("img_3", "img_4")

Answer = Sequence[tuple[tuple[int, int, int, int], str]]


def _answers(hard: str) -> dict[str, Answer]:
    """What the engine reads: every word, except on HARD (``hard`` says how).

    ``"first"``: only the first word of a HARD image; ``"none"``: nothing.
    """
    out: dict[str, Answer] = {}
    for stem, texts in TEXTS.items():
        words = list(zip(BOXES, texts, strict=True))
        if stem in HARD:
            words = words[:1] if hard == "first" else []
        out[stem] = words
    return out


class _Replay(StemBackend):
    """Reads the words it is given per image; raises on the images in ``fail``."""

    name = "replay"

    def __init__(self, answers: dict[str, Answer], fail: Sequence[str] = ()) -> None:
        super().__init__()
        self.answers = answers
        self.fail = set(fail)

    def words(self, stem: str) -> Answer:
        return self.answers[stem]


class _Broken(_Replay):
    """Fails before reading anything: the whole run fails."""

    def read_many(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the engine crashed")


def _dataset(tmp_path: Path, kind: str) -> str:
    """A dataset of the four images of TEXTS, with coordinates or text only."""
    return f"{kind}:{write_dataset(tmp_path, TEXTS, BOXES, kind)}"


@pytest.mark.parametrize(
    ("kind", "spotting"),
    [("icdar2015", False), ("icdar2015", True), ("text", False)],
)
def test_a_failed_image_counts_as_an_empty_page(
    tmp_path: Path, kind: str, spotting: bool
) -> None:
    res = compare(
        [
            ("flaky", _Replay(_answers("first"), fail=HARD)),
            ("blank", _Replay(_answers("none"))),
            ("broken", _Broken(_answers("none"))),
            ("silent", _Replay(_answers("first"), fail=tuple(TEXTS))),
        ],
        _dataset(tmp_path, kind),
        options=ScoringOptions(word_spotting=spotting),
    )
    flaky, blank, broken, silent = res.runs
    # every figure of the totals is that of an engine returning empty pages
    assert flaky.scores == blank.scores
    assert flaky.scores.images == 4
    # a run that failed as a whole, or on every image, scores as nothing read
    nothing = aggregate([], ScoringOptions())
    assert broken.error == "RuntimeError: the engine crashed"
    assert broken.scores == silent.scores != nothing
    assert broken.scores.images == 4
    assert broken.scores.cer == 1.0  # every character of the truth missed
    # failures are still counted and reported, and left out of the speed
    assert (flaky.ok, flaky.failed, blank.failed, silent.failed) == (2, 2, 0, 4)
    assert [im.error for im in flaky.images if not im.ok] == [
        "simulated failure on img_3",
        "simulated failure on img_4",
    ]
    assert flaky.speed.images == 2
    assert blank.speed.images == 4
    # each failure carries the empty page's figures the totals count
    failed = next(im for im in flaky.images if not im.ok)
    assert failed.scores is not None and failed.scores.pred_text == ""
    assert CompareResult.from_json(res.to_json()).to_json() == res.to_json()
    table = res.table()
    assert "flaky on " in table and "2 of 4 images failed; first: img_3: " in table
    assert "scored as empty pages" in table
    if kind != "icdar2015" or spotting:
        return
    # the official script: a missing result file is an image without detections
    det, e2e = Totals(), Totals()
    for stem, texts in TEXTS.items():
        gt = read_gt(
            "\n".join(
                f"{x0},{y0},{x1},{y0},{x1},{y1},{x0},{y1},{t}"
                for (x0, y0, x1, y1), t in zip(BOXES, texts, strict=True)
            )
        )
        dets = [
            ([x0, y0, x1, y0, x1, y1, x0, y1], t)
            for (x0, y0, x1, y1), t in _answers("first")[stem]
            if stem not in HARD
        ]
        for totals, end_to_end in ((det, False), (e2e, True)):
            t = evaluate_image(gt, dets, end_to_end=end_to_end)
            totals.matched += t.matched
            totals.gt += t.gt
            totals.det += t.det
    s = flaky.scores
    assert (s.matched, s.n_truth, s.n_pred) == (det.matched, det.gt, det.det)
    assert (s.precision, s.recall, s.hmean) == pytest.approx(det.figures())
    assert (s.e2e_precision, s.e2e_recall, s.e2e_hmean) == pytest.approx(e2e.figures())


def test_failing_where_it_would_miss_does_not_rank_higher(tmp_path: Path) -> None:
    # identical output everywhere; "flaky" fails on the images where it misses
    res = compare(
        [
            ("steady", _Replay(_answers("first"))),
            ("flaky", _Replay(_answers("first"), fail=HARD)),
        ],
        _dataset(tmp_path, "icdar2015"),
    )
    steady, flaky = res.runs
    assert steady.scores.e2e_hmean is not None and flaky.scores.e2e_hmean is not None
    assert steady.scores.e2e_hmean > flaky.scores.e2e_hmean
    assert steady.scores.recall == pytest.approx(8 / 12)
    assert flaky.scores.recall == pytest.approx(6 / 12)
    assert [r.backend for r in rank_runs(res.runs, True)] == ["steady", "flaky"]
    assert recommendation(res.runs, True).startswith("Most accurate: steady ")


def _one_word(text: str) -> Page:
    return Page.from_words(
        [Word(text=text, geometry=Box(0, 0, 100, 30))], width=200, height=50
    )


@pytest.mark.parametrize(
    ("truth", "detected", "correct"),
    [("Hello", "HELLO", 1), ("(Hello!", "hello", 1), ("Hello", "HELLO!", 0)],
)
def test_score_page_default_is_the_official_end_to_end_rule(
    truth: str, detected: str, correct: int
) -> None:
    s = score_page(_one_word(truth), _one_word(detected))
    official = evaluate_image(
        [([0, 0, 100, 0, 100, 30, 0, 30], truth)],
        [([0, 0, 100, 0, 100, 30, 0, 30], detected)],
        end_to_end=True,
    )
    assert s.e2e_matched == official.matched == correct
    # the custom protocol compares exactly unless told otherwise
    custom = score_page(
        _one_word(truth), _one_word(detected), options=ScoringOptions(protocol="custom")
    )
    assert custom.e2e_matched == 0
    # a normalisation given wins over the protocol's
    exact = ScoringOptions(normalization=Normalization())
    assert (
        score_page(_one_word(truth), _one_word(detected), options=exact).e2e_matched
        == 0
    )


def test_score_page_default_matches_the_official_script_on_real_data(
    shared_dir: Path,
) -> None:
    root = shared_dir / "data" / "icdar2015"
    folder = root / "ch4_training_localization_transcription_gt"
    rng = random.Random(3)
    edits = (str.lower, str.upper, lambda t: t + "!", lambda t: t.strip("!?.,:"))
    ours: list[Scores] = []
    ref = Totals()
    for sample in load_icdar2015(root).samples:
        gt = read_gt((folder / f"gt_{sample.id}.txt").read_text(encoding="utf-8-sig"))
        dets = [(p, rng.choice(edits)(t)) for p, t in gt if t != "###"]
        words = [
            Word(text=t, geometry=Quad([(p[i], p[i + 1]) for i in range(0, 8, 2)]))
            for p, t in dets
        ]
        pred = Page(width=sample.truth.width, height=sample.truth.height)
        if words:
            pred = Page.from_words(
                words, width=sample.truth.width, height=sample.truth.height
            )
        submitted = [
            (
                [float(v) for xy in w.geometry.to_quad().points.tolist() for v in xy],
                w.text,
            )
            for w in pred.words
        ]
        ours.append(
            score_page(
                sample.truth,
                pred,
                ignore=sample.ignore,
                truth_elements=sample.regions(),
            )
        )
        t = evaluate_image(gt, submitted, end_to_end=True)
        ref.matched += t.matched
        ref.gt += t.gt
        ref.det += t.det
    total = aggregate(ours)
    assert (total.e2e_matched, total.e2e_n_truth, total.e2e_n_pred) == (
        ref.matched,
        ref.gt,
        ref.det,
    )
    assert total.e2e_hmean == pytest.approx(ref.figures()[2])


def test_compare_keeps_what_the_dataset_declares(tmp_path: Path) -> None:
    # the json kind declares exact comparison: "Hello" is not "HELLO" there
    Image.new("RGB", (200, 50), "white").save(tmp_path / "card.png")
    (tmp_path / "card.json").write_text(_one_word("Hello").to_json())
    res = compare(
        [("upper", _Replay({"card": [((0, 0, 100, 30), "HELLO")]}))],
        load_dataset(f"json:{tmp_path}"),
    )
    (run,) = res.runs
    assert (run.scores.matched, run.scores.e2e_matched) == (1, 0)


@pytest.mark.parametrize(
    "normalization",
    [
        None,
        Normalization(),
        Normalization(nfkc=True),
        Normalization(ignore_case=True),
        NORMALIZATIONS["icdar2015"],
    ],
)
@pytest.mark.parametrize(
    ("truth", "detected"),
    [
        ("Theatre", "THEATRE"),
        ("Theatre", "Theatre."),  # no edge allowance, no punctuation folding
        ("CAFE's", "cafe"),
        ("(Hello)", "HELLO"),
        ("Straße", "STRASSE"),
        ("ﬁne", "fine"),  # no NFKC
    ],
)
def test_word_spotting_compares_upper_cased_whatever_the_normalization(
    normalization: Normalization | None, truth: str, detected: str
) -> None:
    official = evaluate_image(
        [([0, 0, 100, 0, 100, 30, 0, 30], truth)],
        [([0, 0, 100, 0, 100, 30, 0, 30], detected)],
        end_to_end=True,
        word_spotting=True,
    )
    opts = ScoringOptions(normalization=normalization, word_spotting=True)
    s = score_page(_one_word(truth), _one_word(detected), options=opts)
    assert (s.e2e_matched, s.e2e_n_truth, s.e2e_n_pred) == (
        official.matched,
        official.gt,
        official.det,
    )


def test_word_spotting_ignores_punctuation_folding() -> None:
    opts = ScoringOptions(
        normalization=Normalization(ignore_punctuation=True, ignore_case=True),
        word_spotting=True,
    )
    s = score_page(_one_word("Theatre"), _one_word("Theatre."), options=opts)
    assert s.e2e_matched == 0


@pytest.mark.parametrize("name", sorted(NORMALIZATIONS))
def test_scoring_options_take_a_preset_name(name: str, tmp_path: Path) -> None:
    opts = ScoringOptions(normalization=name)
    assert opts.normalization == NORMALIZATIONS[name]
    assert ScoringOptions.from_dict(opts.to_dict()).normalization == opts.normalization
    res = compare(
        [("all", _Replay(_answers("first")))],
        _dataset(tmp_path, "icdar2015"),
        options=opts,
    )
    (run,) = res.runs
    assert run.failed == 0
    assert f"text normalisation on {res.datasets[0].name}: {name} (" in res.table()
    assert CompareResult.from_json(res.to_json()).to_json() == res.to_json()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"normalization": "icdar"},
            "normalization must be a unocr.metrics.Normalization, a preset name "
            "('exact', 'ignore-case' or 'icdar2015') or None, got 'icdar'",
        ),
        ({"normalization": 5}, "normalization must be a unocr.metrics.Normalization"),
        (
            {"normalization": {"ignore_case": True}},
            "or None, got {'ignore_case': True}",
        ),
        ({"word_spotting": "no"}, "word_spotting must be True or False, got 'no'"),
        ({"word_spotting": 1}, "word_spotting must be True or False, got 1"),
        ({"word_spotting": None}, "word_spotting must be True or False, got None"),
        ({"protocol": None}, "protocol must be 'icdar2015' or 'custom', got None"),
        ({"matching": 3}, "matching must be 'first-come', 'optimal' or 'greedy'"),
        ({"iou_threshold": None}, "iou_threshold must be a number from 0 to 1"),
        ({"ignore_overlap": "0.5"}, "ignore_overlap must be a number from 0 to 1"),
    ],
)
def test_scoring_options_refuse_what_they_cannot_use(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        ScoringOptions(**kwargs)


def _run(name: str, matched: int, n_truth: int, n_pred: int) -> RunResult:
    """A run on icdar2015 with ``matched`` right of ``n_pred`` detections."""
    from dataclasses import replace

    from .test_compare_ranking import _run as ranked

    return replace(
        ranked(name, matched, n_truth, n_pred, matched, 0.1), dataset="icdar2015"
    )


def test_report_does_not_bold_a_tie_on_too_few_items() -> None:
    res = CompareResult(
        backends=("tiny", "big"),
        datasets=(DatasetInfo("icdar2015", "icdar2015", "data", 5, True),),
        runs=(_run("tiny", 2, 60, 2), _run("big", 40, 60, 40)),
        skipped=(),
        options=ScoringOptions(),
    )
    html = render_html(res, previews=0)
    table = html.split("Ranking by accuracy")[1].split("</table>")[0]
    precision = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table)[1:]:
        cells = re.findall(r"<td([^>]*)>(.*?)</td>", row)
        engine = re.sub("<.*?>", " ", cells[1][1]).split()[0]
        precision[engine] = (cells[4][0], re.sub("<.*?>", " ", cells[4][1]).split())
    # both 1.000; only the one resting on 40 detections is the best
    assert precision == {
        "big": (" class=best", ["1.000", "40/40"]),
        "tiny": ("", ["1.000", "2/2"]),
    }


# ------------------------------------- 6. arguments of another kind, typed errors
def _text_dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "texts"
    folder.mkdir()
    Image.new("RGB", (40, 20), "white").save(folder / "a.png")
    (folder / "a.txt").write_text("hello\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "datasets",
    [
        lambda p: p,  # a bare path: no kind
        lambda p: [p],
        lambda p: 42,
        lambda p: [None],
    ],
    ids=["path", "list-of-path", "int", "list-of-none"],
)
def test_a_dataset_of_another_kind_is_a_typed_error(tmp_path: Path, datasets) -> None:
    from unocr.errors import DatasetError

    with pytest.raises((ConfigError, DatasetError)) as info:
        compare("tesseract", datasets(_text_dataset(tmp_path)), limit=1)
    assert "text:" in str(info.value) or "kind:path" in str(info.value).lower()


def test_a_kind_and_path_pair_is_a_dataset_as_load_dataset_takes_it(
    tmp_path: Path,
) -> None:
    folder = _text_dataset(tmp_path)
    result = compare([_Replay({"a": []})], [("text", folder)], limit=1)
    assert [r.dataset for r in result.runs] == ["texts"]
    assert result.runs[0].scores.images == 1


@pytest.mark.parametrize("backends", [None, 3, [None]], ids=["none", "int", "list"])
def test_engines_of_another_kind_are_a_typed_error(tmp_path: Path, backends) -> None:
    from unocr.errors import ComparisonError

    with pytest.raises((ConfigError, ComparisonError), match="engine"):
        compare(backends, f"text:{_text_dataset(tmp_path)}", limit=1)


# ------------------------- 7. results saved before failed images were scored
def test_a_result_saved_before_failures_were_scored_does_not_merge_with_a_new_one(
    tmp_path: Path,
) -> None:
    """A ``unocr.compare/2`` file left failed images out of its figures: it
    still loads and merges with its like, never with a newer result."""
    import json

    from unocr.comparison import load_result, merge_results
    from unocr.errors import ComparisonError

    kind = _dataset(tmp_path, "icdar2015")
    old = compare([("old", _Replay(_answers("first"), fail=HARD))], kind)
    data = json.loads(old.to_json())
    data["schema"] = "unocr.compare/2"
    for run in data["runs"]:
        run.pop("failures_scored")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = load_result(path)
    assert not loaded.runs[0].failures_scored
    assert "scored as empty pages" not in loaded.table()
    assert "left out of the figures" in loaded.table()
    clean = compare([("clean", _Replay(_answers("first")))], kind)
    assert clean.runs[0].failures_scored
    with pytest.raises(ComparisonError, match="older unocr"):
        merge_results([loaded, clean], ["old.json", "new.json"])
    # a run of an old file without failures scores the same under both rules
    data["runs"][0]["images_failed"] = 0
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_result(path).runs[0].failures_scored
    new = compare([("new", _Replay(_answers("first"), fail=HARD))], kind)
    assert new.to_dict()["schema"] == "unocr.compare/3"
    assert merge_results([new, clean]).runs[0].failures_scored
