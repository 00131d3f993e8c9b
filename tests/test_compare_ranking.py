"""Ranking, recommendation and "best" marks on hand-made results."""

from __future__ import annotations

import re

from unocr.comparison import CompareResult, DatasetInfo, RunResult, render_html
from unocr.comparison.ranking import accuracy_per_second, rank_runs, recommendation
from unocr.comparison.results import ImageResult
from unocr.metrics import Scores, ScoringOptions, speed_stats


def _run(
    name: str, matched: int, n_truth: int, n_pred: int, e2e: int, latency: float
) -> RunResult:
    p = matched / n_pred if n_pred else 0.0
    r = matched / n_truth
    ep = e2e / n_pred if n_pred else 0.0
    er = e2e / n_truth
    scores = Scores(
        images=3,
        n_truth=n_truth,
        n_pred=n_pred,
        matched=matched,
        e2e_matched=e2e,
        e2e_n_truth=n_truth,
        e2e_n_pred=n_pred,
        precision=p,
        recall=r,
        hmean=2 * p * r / (p + r) if p + r else 0.0,
        e2e_precision=ep,
        e2e_recall=er,
        e2e_hmean=2 * ep * er / (ep + er) if ep + er else 0.0,
        page_chars=100,
        page_char_errors=10,
        cer=0.1,
    )
    images = tuple(
        ImageResult(id=f"i{k}", image=f"i{k}.png", ok=True, latency=latency)
        for k in range(3)
    )
    return RunResult(
        backend=name,
        dataset="ds",
        images=images,
        scores=scores,
        speed=speed_stats([latency] * 3, wall_seconds=3 * latency),
    )


# "tiny": 2 detections, both right, of 30 words; "solid": 24 of 30 found, 20 read right
TINY = _run("tiny", 2, 30, 2, 2, 0.1)
SOLID = _run("solid", 24, 30, 28, 20, 1.0)


def test_ranking_and_recommendation() -> None:
    assert [r.backend for r in rank_runs([TINY, SOLID], True)] == ["solid", "tiny"]
    text = recommendation([TINY, SOLID], True)
    assert text.startswith("Most accurate: solid (E2E hmean 0.690: 20 of 30 regions")
    assert "Fastest: tiny (0.100 s median per image)" in text
    # accuracy per second: tiny 0.125 / 0.1 s = 1.25 beats solid 0.690 / 1 s
    assert accuracy_per_second(TINY, True) == 2 * (1.0 * 2 / 30) / (1.0 + 2 / 30) / 0.1
    assert "Best accuracy per second: tiny (1.25 per second)" in text


def test_tiny_counts_are_never_marked_best() -> None:
    result = CompareResult(
        backends=("tiny", "solid"),
        datasets=(
            DatasetInfo(
                name="ds", kind="icdar2015", path="ds", images=3, localized=True
            ),
        ),
        runs=(TINY, SOLID),
        skipped=(),
        options=ScoringOptions(),
    )
    page = render_html(result, previews=0)
    rows = re.findall(r"<tr><td>\d</td><td class=t>(\w+).*?</tr>", page)
    assert rows == ["solid", "tiny"]
    tiny_row = re.search(r"<tr><td>2</td><td class=t>tiny.*?</tr>", page)
    assert tiny_row is not None
    # precision 1.000 from 2 detections: shown with its counts, not bold
    assert "<td>1.000<small>2/2</small></td>" in tiny_row.group(0)
    solid_row = re.search(r"<tr><td>1</td><td class=t>solid.*?</tr>", page)
    assert solid_row is not None
    assert "<td class=best>0.857<small>24/28</small></td>" in solid_row.group(0)
