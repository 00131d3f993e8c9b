"""Engine and dataset names shown as written in the report's plots, and the
recommendation when some engine's accuracy is undefined (hand-made results, no
engine)."""

from __future__ import annotations

from typing import Any

import pytest

from unocr.comparison import CompareResult, DatasetInfo, RunResult, render_html
from unocr.comparison.ranking import recommendation
from unocr.comparison.results import ImageResult
from unocr.metrics import Scores, ScoringOptions, speed_stats


def _run(name: str, dataset: str, scores: Scores, latency: float) -> RunResult:
    images = (ImageResult(id="a", image="a.png", ok=True, latency=latency),)
    return RunResult(
        backend=name,
        dataset=dataset,
        images=images,
        scores=scores,
        speed=speed_stats([latency], wall_seconds=latency),
    )


def _text_scores(chars: int, errors: int) -> Scores:
    """Text-only scores: ``errors`` edits against ``chars`` ground-truth characters."""
    cer = errors / chars if chars else (0.0 if errors == 0 else None)
    return Scores(
        images=1,
        localized=False,
        page_chars=chars,
        page_char_errors=errors,
        cer=cer,
        page_words=1 if chars else 0,
        wer=cer,
    )


def _localized_scores() -> Scores:
    return Scores(
        images=1,
        n_truth=1,
        n_pred=1,
        matched=1,
        e2e_matched=1,
        e2e_n_truth=1,
        e2e_n_pred=1,
        precision=1.0,
        recall=1.0,
        hmean=1.0,
        e2e_precision=1.0,
        e2e_recall=1.0,
        e2e_hmean=1.0,
        page_chars=2,
        cer=0.0,
        page_words=1,
        wer=0.0,
    )


# names that matplotlib would read as mathtext or TeX, or leave out of a legend
ENGINES = ("price in $\\US$", "_fast", "cost $1 or $2", "a\\b $x$ \\$")
DATASET = "icdar $\\alpha$ _set"


def _result(engines: tuple[str, ...]) -> CompareResult:
    runs = tuple(
        _run(name, DATASET, _localized_scores(), 0.1 * (k + 1))
        for k, name in enumerate(engines)
    )
    return CompareResult(
        backends=engines,
        datasets=(
            DatasetInfo(
                name=DATASET, kind="icdar2015", path="ic", images=1, localized=True
            ),
        ),
        runs=runs,
        skipped=(),
        options=ScoringOptions(),
    )


def test_plots_show_every_engine_and_dataset_as_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Law: labels with ``$``, ``\\`` or a leading ``_`` keep both plots; every
    engine is in the legend, and every label is drawn as written (neither
    mathtext nor TeX)."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    figures: list[Any] = []
    savefig = Figure.savefig

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        figures.append(self)
        return savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    notes: list[str] = []
    page = render_html(_result(ENGINES), previews=0, notes=notes)
    assert notes == []
    assert page.count("data:image/png;base64,") == 2
    assert len(figures) == 2

    legends = [leg for fig in figures for leg in fig.legends]
    assert len(legends) == 1
    assert [t.get_text() for t in legends[0].get_texts()] == list(ENGINES)

    labels = set(ENGINES) | {DATASET, f"latency per image, {DATASET}"}
    drawn: dict[str, int] = {}
    for fig in figures:  # after drawing: ticks made while drawing count too
        for text in fig.findobj(Text):
            if text.get_visible() and text.get_text() in labels:
                assert not text.get_parse_math(), text.get_text()
                assert not text.get_usetex(), text.get_text()
                drawn[text.get_text()] = drawn.get(text.get_text(), 0) + 1
    assert set(drawn) == labels
    # legend + latency tick for each engine; two bar-chart ticks for the dataset
    assert all(drawn[e] == 2 for e in ENGINES)


def test_undefined_accuracy_still_counts_for_speed() -> None:
    """Law: an engine whose CER is undefined (empty ground truth, some text
    read) ran: it can be the fastest, the text never says only one engine
    ran, and the accuracy claims say they leave it out."""
    noisy = _run("noisy", "txt", _text_scores(0, 4), 0.01)
    silent = _run("silent", "txt", _text_scores(0, 0), 0.5)
    assert noisy.scores.cer is None
    said = recommendation([noisy, silent], False)
    assert "Only one engine ran" not in said
    assert said.startswith("Most accurate: silent (CER 0.000).")
    assert (
        "Left out of the accuracy claims (CER undefined: the ground truth has "
        "no text): noisy." in said
    )
    assert "Fastest: noisy (0.010 s median per image)." in said
    assert "Best accuracy per second: silent" in said


def test_no_engine_with_defined_accuracy() -> None:
    """Law: with every accuracy undefined none is most accurate, the fastest
    is still named, and several engines are not one."""
    a = _run("a", "txt", _text_scores(0, 4), 0.2)
    b = _run("b", "txt", _text_scores(0, 3), 0.1)
    said = recommendation([a, b], False)
    assert said == (
        "No engine is most accurate (CER undefined: the ground truth has no "
        "text). Fastest: b (0.100 s median per image)."
    )
    one = recommendation([a], False)
    assert one.startswith("Only one engine ran. No engine is most accurate")
    assert "Fastest: a" in one
