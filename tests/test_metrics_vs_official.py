"""unocr.metrics against a literal model of the official ICDAR 2015 scripts.

Real ground truth (the shared ICDAR 2015 sample, and a synthetic set on an
integer grid where IoU ties at exactly 0.5 are frequent); detections made
from it with integer jitter, case and punctuation changes, split and merged
boxes, false alarms and detections on don't-care regions, in shuffled order.
Every count and rate must agree exactly.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from unocr.datasets import load_icdar2015
from unocr.errors import GeometryError
from unocr.geometry import Polygon, Quad
from unocr.metrics import NORMALIZATIONS, ScoringOptions, aggregate, score_page
from unocr.model import Page, Word

from .official_icdar2015 import Totals, evaluate_image, read_gt

EDITS = (
    lambda t: t,
    lambda t: t,
    str.lower,
    str.upper,
    lambda t: t + "!",
    lambda t: "(" + t,
    lambda t: t[1:] if len(t) > 1 else t,
    lambda t: t[:-1] if len(t) > 1 else t,
    lambda t: t + "x",
)


def _detections(
    gt: list[tuple[list[float], str]], rng: random.Random, width: int, height: int
) -> list[tuple[list[float], str]]:
    dets: list[tuple[list[float], str]] = []
    for points, text in gt:
        if rng.random() < 0.15:
            continue  # a miss
        shift = [float(round(v + rng.randint(-4, 4))) for v in points]
        label = "noise" if text == "###" else rng.choice(EDITS)(text)
        dets.append((shift, label))
        if rng.random() < 0.1:  # a duplicate on the same word
            dets.append(([v + rng.randint(-2, 2) for v in points], label))
    for _ in range(rng.randint(0, 3)):  # false alarms
        x, y = rng.randint(0, width - 40), rng.randint(0, height - 20)
        dets.append(([x, y, x + 40, y, x + 40, y + 20, x, y + 20], "FALSE"))
    rng.shuffle(dets)
    return dets


def _page(dets: list[tuple[list[float], str]], width: int, height: int) -> Page:
    words = []
    for points, text in dets:
        pts = [(points[i], points[i + 1]) for i in range(0, 8, 2)]
        try:
            geometry: Quad | Polygon = Quad(pts)
        except GeometryError:
            geometry = Polygon(pts)
        words.append(Word(text=text, geometry=geometry))
    return (
        Page.from_words(words, width=width, height=height)
        if words
        else Page(width=width, height=height)
    )


def _check(
    samples: list[tuple[object, str, Page, list[tuple[list[float], str]]]],
) -> None:
    for word_spotting in (False, True):
        opts = ScoringOptions(
            normalization=NORMALIZATIONS["icdar2015"], word_spotting=word_spotting
        )
        ours = []
        det_ref, e2e_ref = Totals(), Totals()
        for sample, gt_text, pred, _ in samples:
            ours.append(
                score_page(
                    sample.truth,  # type: ignore[attr-defined]
                    pred,
                    ignore=sample.ignore,  # type: ignore[attr-defined]
                    options=opts,
                    truth_elements=sample.regions(),  # type: ignore[attr-defined]
                )
            )
            # the submission's order is the page's word order
            submitted = [
                (
                    [
                        float(v)
                        for xy in w.geometry.to_quad().points.tolist()
                        for v in xy
                    ],
                    w.text,
                )
                for w in pred.words
            ]
            gt = read_gt(gt_text)
            for totals, e2e in ((det_ref, False), (e2e_ref, True)):
                t = evaluate_image(
                    gt, submitted, end_to_end=e2e, word_spotting=word_spotting
                )
                totals.matched += t.matched
                totals.gt += t.gt
                totals.det += t.det
        total = aggregate(ours, opts)
        if not word_spotting:
            assert (total.matched, total.n_truth, total.n_pred) == (
                det_ref.matched,
                det_ref.gt,
                det_ref.det,
            )
            assert (total.precision, total.recall, total.hmean) == pytest.approx(
                det_ref.figures(), abs=1e-12
            )
        assert (total.e2e_matched, total.e2e_n_truth, total.e2e_n_pred) == (
            e2e_ref.matched,
            e2e_ref.gt,
            e2e_ref.det,
        )
        assert (
            total.e2e_precision,
            total.e2e_recall,
            total.e2e_hmean,
        ) == pytest.approx(e2e_ref.figures(), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shared_icdar2015_matches_the_official_model(
    shared_dir: Path, seed: int
) -> None:
    ds = load_icdar2015(shared_dir / "data" / "icdar2015")
    rng = random.Random(seed)
    folder = (
        shared_dir / "data" / "icdar2015" / "ch4_training_localization_transcription_gt"
    )
    samples = []
    for sample in ds.samples:
        gt_text = (folder / f"gt_{sample.id}.txt").read_text(encoding="utf-8-sig")
        dets = _detections(
            read_gt(gt_text), rng, sample.truth.width, sample.truth.height
        )
        samples.append(
            (
                sample,
                gt_text,
                _page(dets, sample.truth.width, sample.truth.height),
                dets,
            )
        )
    _check(samples)


def test_integer_grid_with_ties_matches_the_official_model(tmp_path: Path) -> None:
    """Boxes on a 5 px grid that overlap each other, detections at IoU exactly 0.5.

    A detection twice as wide as its word has IoU 0.5 (a tie, no match); one
    shifted by a quarter of the width has IoU 0.6; overlapping words make
    first-come, optimal and greedy matching disagree.
    """
    from PIL import Image

    rng = random.Random(7)
    words = ["Hello", "WORLD", "it's", "A-B", "x", "CAFE's", "(note)", "42", "###"]
    for i in range(40):
        Image.new("RGB", (200, 100), "white").save(tmp_path / f"img_{i}.png")
        lines = []
        for _ in range(rng.randint(0, 8)):
            x, y = rng.randrange(0, 120, 5), rng.randrange(0, 60, 5)
            w, h = rng.choice([20, 40]), rng.choice([10, 20])
            for dx in [0, *([rng.choice([5, 10])] if rng.random() < 0.5 else [])]:
                # sometimes a second, overlapping word beside the first
                box = f"{x + dx},{y},{x + dx + w},{y},{x + dx + w},{y + h},{x + dx},{y + h}"
                lines.append(f"{box},{rng.choice(words)}")
        (tmp_path / f"gt_img_{i}.txt").write_text("\n".join(lines), encoding="utf-8")
    ds = load_icdar2015(tmp_path)
    samples = []
    for sample in ds.samples:
        gt_text = (tmp_path / f"gt_{sample.id}.txt").read_text(encoding="utf-8")
        dets = []
        for points, text in read_gt(gt_text):
            x0, y0, x1, y1 = points[0], points[1], points[4], points[5]
            w = x1 - x0
            a, b = rng.choice(
                [(0, 0), (0, w), (w / 4, w / 4), (-w / 4, -w / 4), (w / 2, w / 2)]
            )
            box = [x0 + a, y0, x1 + b, y0, x1 + b, y1, x0 + a, y1]
            dets.append((box, rng.choice(EDITS)(text)))
        rng.shuffle(dets)
        samples.append((sample, gt_text, _page(dets, 200, 100), dets))
    _check(samples)
