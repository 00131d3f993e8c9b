"""How long evaluation takes: unocr.metrics against a naive nested-loop matcher.

Synthetic data: ``--images`` pages with ``--boxes`` ground-truth quads each
(slightly rotated words on a grid, 5 % of them don't-care), and predictions
that find 90 % of the words with a few pixels of jitter, read 80 % of them
right, and add 10 % false alarms.

Timed:

* ``unocr.metrics.score_page``: the full per-image evaluation (don't-care
  discard, vectorised IoU matrix, one-to-one matching, end to end, CER/WER
  over matched pairs and over the page text);
* ``match_detections`` alone (the detection protocol);
* a naive matcher as in the official ICDAR 2015 script: shapely polygons,
  IoU of every (truth, detection) pair in two nested Python loops, then
  first-come matching. It runs on ``--naive-images`` pages and its cost is
  extrapolated to all pages.

Run: ``python bench/metrics.py`` (defaults: 500 images x 200 quads).
"""

from __future__ import annotations

import argparse
import math
import random
import string
import time

import numpy as np
import shapely

from unocr.geometry import Box, Quad, enclosing_box
from unocr.metrics import match_detections, score_page
from unocr.model import Block, Line, Page, Word


def _quad(cx: float, cy: float, w: float, h: float, angle: float) -> np.ndarray:
    t = math.radians(angle)
    c, s = math.cos(t), math.sin(t)
    corners = np.array(
        [[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]]
    )
    rot = np.array([[c, -s], [s, c]])
    return corners @ rot.T + [cx, cy]


def _word(rng: random.Random) -> str:
    return "".join(
        rng.choices(string.ascii_letters + string.digits, k=rng.randint(2, 9))
    )


def _page(words: list[Word], width: int, height: int) -> Page:
    """Ten words per line, in order (fast; Page.from_words would sort them)."""
    lines = [
        Line(
            text=" ".join(w.text for w in chunk),
            geometry=enclosing_box(w.geometry for w in chunk),
            words=tuple(chunk),
        )
        for chunk in (words[i : i + 10] for i in range(0, len(words), 10))
    ]
    block = Block(
        text="\n".join(li.text for li in lines),
        geometry=Box(0, 0, width, height),
        lines=tuple(lines),
    )
    return Page(width=width, height=height, blocks=(block,))


def make_image(
    rng: random.Random, n: int
) -> tuple[
    Page, Page, list[Quad], list[np.ndarray], list[np.ndarray], list[np.ndarray]
]:
    cols = 10
    rows = math.ceil(n / cols)
    truth_words: list[Word] = []
    pred_words: list[Word] = []
    ignore: list[Quad] = []
    gt_pts: list[np.ndarray] = []
    ig_pts: list[np.ndarray] = []
    pr_pts: list[np.ndarray] = []
    for i in range(n):
        r, c = divmod(i, cols)
        cx = 100 + c * 190 + rng.uniform(-10, 10)
        cy = 60 + r * 70 + rng.uniform(-5, 5)
        w, h = rng.uniform(90, 160), rng.uniform(28, 45)
        angle = rng.uniform(-8, 8)
        pts = _quad(cx, cy, w, h, angle)
        text = _word(rng)
        if rng.random() < 0.05:
            ignore.append(Quad(pts))
            ig_pts.append(pts)
        else:
            truth_words.append(Word(text=text, geometry=Quad(pts)))
            gt_pts.append(pts)
        if rng.random() < 0.9:
            p = _quad(
                cx + rng.uniform(-4, 4),
                cy + rng.uniform(-3, 3),
                w * rng.uniform(0.92, 1.08),
                h * rng.uniform(0.9, 1.1),
                angle + rng.uniform(-2, 2),
            )
            said = text if rng.random() < 0.8 else _word(rng)
            pred_words.append(Word(text=said, geometry=Quad(p)))
            pr_pts.append(p)
    for _ in range(n // 10):
        p = _quad(rng.uniform(50, 1900), rng.uniform(30, rows * 70), 120, 35, 0)
        pred_words.append(Word(text=_word(rng), geometry=Quad(p)))
        pr_pts.append(p)
    width, height = 2000, rows * 70 + 100
    truth = _page(truth_words, width, height)
    pred = _page(pred_words, width, height)
    return truth, pred, ignore, gt_pts, pr_pts, ig_pts


def naive(
    gt_pts: list[np.ndarray], pr_pts: list[np.ndarray], ig_pts: list[np.ndarray]
) -> int:
    """The official script's algorithm: nested loops over shapely polygons."""
    gts = [shapely.Polygon(p) for p in gt_pts]
    dets = [shapely.Polygon(p) for p in pr_pts]
    cares = [shapely.Polygon(p) for p in ig_pts]
    det_dont_care = set()
    for j, d in enumerate(dets):
        for dc in cares:
            if d.area > 0 and d.intersection(dc).area / d.area > 0.5:
                det_dont_care.add(j)
                break
    iou = np.zeros((len(gts), len(dets)))
    for i, g in enumerate(gts):
        for j, d in enumerate(dets):
            inter = g.intersection(d).area
            union = g.area + d.area - inter
            iou[i, j] = inter / union if union > 0 else 0.0
    gt_used = [False] * len(gts)
    det_used = [False] * len(dets)
    matched = 0
    for i in range(len(gts)):
        for j in range(len(dets)):
            if gt_used[i] or det_used[j] or j in det_dont_care:
                continue
            if iou[i, j] > 0.5:  # IOU_CONSTRAINT, strictly greater
                gt_used[i] = det_used[j] = True
                matched += 1
    return matched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--boxes", type=int, default=200)
    parser.add_argument("--naive-images", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    data = [make_image(rng, args.boxes) for _ in range(args.images)]
    setup = time.perf_counter() - t0
    print(
        f"{args.images} synthetic images x {args.boxes} quads "
        f"(built in {setup:.1f} s, not timed)"
    )

    t0 = time.perf_counter()
    matched = 0
    for truth, pred, ignore, *_ in data:
        matched += score_page(truth, pred, ignore=ignore).matched
    full = time.perf_counter() - t0

    t0 = time.perf_counter()
    matched_det = 0
    for truth, pred, ignore, *_ in data:
        m = match_detections(
            [w.geometry for w in truth.words], [w.geometry for w in pred.words], ignore
        )
        matched_det += m.matched
    det = time.perf_counter() - t0

    k = max(1, min(args.naive_images, args.images))
    t0 = time.perf_counter()
    matched_naive = 0
    for _truth, _pred, _ignore, gt_pts, pr_pts, ig_pts in data[:k]:
        matched_naive += naive(gt_pts, pr_pts, ig_pts)
    naive_s = time.perf_counter() - t0
    naive_all = naive_s / k * args.images

    ref = sum(
        match_detections(
            [w.geometry for w in t.words], [w.geometry for w in p.words], ig
        ).matched
        for t, p, ig, *_ in data[:k]
    )
    assert ref == matched_naive, (ref, matched_naive)
    assert matched == matched_det

    print(f"{'method':<44}{'total s':>10}{'ms/image':>10}{'vs naive':>10}")
    rows = [
        ("unocr score_page (all metrics)", full),
        ("unocr match_detections (detection only)", det),
        (f"naive nested loops (measured on {k}, extrapolated)", naive_all),
    ]
    for name, secs in rows:
        print(
            f"{name:<44}{secs:>10.2f}{secs / args.images * 1e3:>10.1f}"
            f"{naive_all / secs:>9.1f}x"
        )
    print(f"matches: {matched} (naive agrees on the first {k} images: {matched_naive})")


if __name__ == "__main__":
    main()
