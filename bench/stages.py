"""Tesseract's recognition stage: how the crops of one page are best batched.

``Backend.recognize(image, regions)`` on Tesseract reads every region in
single-line mode (``--psm 7``). One run, the same real pages (the Tesseract
test pages and SROIE receipts in tests/fixtures/tesseract), the regions being
Tesseract's own detected lines, side by side:

* ``process per crop``  -- one ``tesseract`` process per region
  (``recognize(image, [region])`` for each region: what a loop over crops
  with pytesseract costs);
* ``one TIFF``          -- every crop a page of one multi-page TIFF read by
  one ``tesseract`` process (what unocr does on the program path);
* ``in-process``        -- where tesserocr is installed: the crops one after
  another through one in-process engine (``engine="tesserocr"``), measured in
  a child Python started with ``OMP_THREAD_LIMIT=1``.

Per-page figures are the median of ``--repeat`` runs, interleaved page by
page so that machine load affects every variant alike; the texts of the
variants are compared too.

Usage::

    python bench/stages.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import unocr
from unocr.geometry import Geometry

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "tesseract"
PAGES = ("phototest.tif", "eurotext.tif", "X51008123586.jpg", "X51005442394.jpg")

INPROCESS = """
import json, sys, time
import unocr
from unocr.geometry import geometry_from_dict
path, regions = sys.argv[1], [geometry_from_dict(r) for r in json.loads(sys.argv[2])]
b = unocr.get_backend("tesseract", engine="tesserocr")
b.recognize(path, regions[:1])
t = time.perf_counter()
texts = [r.text for r in b.recognize(path, regions)]
print(json.dumps({"seconds": time.perf_counter() - t, "texts": texts}))
"""


def in_process(path: Path, regions: list[Geometry]) -> tuple[float, list[str]] | None:
    """Seconds and texts of the in-process engine on one page, or None."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return None
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    shapes = json.dumps([r.to_dict() for r in regions])
    result = subprocess.run(
        [sys.executable, "-c", INPROCESS, str(path), shapes],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(result.stdout)
    return float(out["seconds"]), list(out["texts"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per page (median)")
    args = parser.parse_args()
    if shutil.which("tesseract") is None:
        print(
            "tesseract is not installed: apt-get install tesseract-ocr", file=sys.stderr
        )
        return 1
    backend = unocr.get_backend("tesseract", engine="binary")
    pages = [FIXTURES / name for name in PAGES]
    regions = {p: [li.geometry for li in backend.detect(p).lines] for p in pages}
    times: dict[str, dict[Path, list[float]]] = {
        k: {p: [] for p in pages} for k in ("per crop", "one TIFF", "in-process")
    }
    texts: dict[str, dict[Path, list[str]]] = {k: {} for k in times}
    for _ in range(args.repeat):
        for p in pages:
            start = time.perf_counter()
            single = [backend.recognize(p, [r])[0].text for r in regions[p]]
            times["per crop"][p].append(time.perf_counter() - start)
            start = time.perf_counter()
            batch = [r.text for r in backend.recognize(p, regions[p])]
            times["one TIFF"][p].append(time.perf_counter() - start)
            texts["per crop"][p], texts["one TIFF"][p] = single, batch
            inproc = in_process(p, regions[p])
            if inproc is not None:
                times["in-process"][p].append(inproc[0])
                texts["in-process"][p] = inproc[1]

    variants = [k for k in times if all(times[k][p] for p in pages)]
    print(
        f"tesseract {backend._install.version}, median of {args.repeat} runs, seconds"
    )
    print(f"{'page':<20} {'crops':>5} " + " ".join(f"{k:>12}" for k in variants))
    totals = dict.fromkeys(variants, 0.0)
    for p in pages:
        row = []
        for k in variants:
            t = statistics.median(times[k][p])
            totals[k] += t
            row.append(f"{t:12.3f}")
        print(f"{p.name:<20} {len(regions[p]):>5} " + " ".join(row))
    crops = sum(len(regions[p]) for p in pages)
    print(
        f"{'total':<20} {crops:>5} " + " ".join(f"{totals[k]:12.3f}" for k in variants)
    )
    base = totals["per crop"]
    print("speed-up over a process per crop: " + ", ".join(
        f"{k} {base / totals[k]:.1f}x" for k in variants if k != "per crop"
    ))  # fmt: skip
    for k in variants:
        same = sum(
            a == b
            for p in pages
            for a, b in zip(texts["per crop"][p], texts[k][p], strict=True)
        )
        print(f"{k}: {same}/{crops} crops read exactly as by a process per crop")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
