"""Latency of the deep-learning backends: rapidocr vs keras-ocr, and keras-ocr batching.

One command, from the repository root, with either environment:

    .venv/bin/python bench/dl.py        # or: .venv-keras/bin/python bench/dl.py

keras-ocr needs its own environment (``scripts/keras-env``) and RapidOCR lives in
the main one: the part this interpreter cannot import runs in the other
environment's interpreter (``.venv-keras/bin/python`` or ``.venv/bin/python``,
see ``--keras-python`` / ``--rapidocr-python``), and the figures are printed
side by side. keras-ocr uses its pretrained weights
when they are in its cache folder, otherwise randomly initialised models
(``pretrained=False``), which the output says: the network's cost is the same,
but an untrained detector finds few words, so the recogniser's share (which
grows with the number of words) is missing from those figures.

Reported: the median wall-clock seconds of ``read()`` per image over
``--repeat`` runs after one warm-up call, and for keras-ocr the time of one
``read_many()`` (batches of ``KerasOcrBackend.batch_size`` images per
``Pipeline.recognize`` call, similar sizes grouped) against one ``read()`` per
image, in wall-clock and in CPU seconds of the process (all threads; less
sensitive to other load on the machine).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "dl"
SHARED_SROIE = ROOT.parent / "shared" / "data" / "sroie" / "task1train"


def default_images() -> list[Path]:
    images = [FIXTURES / "phototest.tif", FIXTURES / "X51008123586.jpg"]
    for stem in ("X51005442327", "X51005757353"):
        path = SHARED_SROIE / f"{stem}.jpg"
        if path.is_file():
            images.append(path)
    return images


def _median_read(backend: Any, image: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        backend.read(image)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_rapidocr(images: list[Path], repeat: int) -> dict[str, Any]:
    from unocr.backends.rapidocr.backend import RapidOcrBackend

    start = time.perf_counter()
    backend = RapidOcrBackend()
    load = time.perf_counter() - start
    backend.read(images[0])  # warm-up
    per_image = {str(p): _median_read(backend, p, repeat) for p in images}
    plain = RapidOcrBackend(word_boxes=False)
    plain.read(images[0])
    no_boxes = {str(p): _median_read(plain, p, repeat) for p in images}
    return {"load": load, "per_image": per_image, "no_word_boxes": no_boxes}


def bench_keras(images: list[Path], repeat: int) -> dict[str, Any]:
    from PIL import Image

    from unocr.backends.keras_ocr.backend import KerasOcrBackend
    from unocr.errors import BackendUnavailableError

    start = time.perf_counter()
    backend = KerasOcrBackend(download=False)
    pretrained = True
    load = time.perf_counter() - start
    try:
        backend.read(images[0])  # warm-up: the weights load, the graph is traced
    except BackendUnavailableError:  # no recognizer weights in the cache folder
        backend.close()
        start = time.perf_counter()
        backend = KerasOcrBackend(pretrained=False)
        pretrained = False
        load = time.perf_counter() - start
        backend.read(images[0])
    per_image = {str(p): _median_read(backend, p, repeat) for p in images}

    def one_by_one(items: list[Any]) -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        for item in items:
            backend.read(item)
        return time.perf_counter() - start, time.process_time() - cpu

    def batched(items: list[Any]) -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        backend.read_many(items)
        return time.perf_counter() - start, time.process_time() - cpu

    same = [Image.open(images[0]).convert("RGB")] * backend.batch_size
    sets = {
        "mixed sizes (the images above)": list(images),
        "same size (4 x image 1)": same,
    }
    batching = {}
    for label, items in sets.items():
        singles = [one_by_one(items) for _ in range(repeat)]
        batch = [batched(items) for _ in range(repeat)]
        batching[label] = {
            "images": len(items),
            "one_by_one": statistics.median(w for w, _ in singles),
            "batched": statistics.median(w for w, _ in batch),
            "one_by_one_cpu": statistics.median(c for _, c in singles),
            "batched_cpu": statistics.median(c for _, c in batch),
        }
    return {
        "pretrained": pretrained,
        "load": load,
        "batch_size": backend.batch_size,
        "per_image": per_image,
        "batching": batching,
    }


def in_subprocess(
    python: Path, part: str, images: list[Path], repeat: int
) -> dict[str, Any] | None:
    cmd = [str(python), str(Path(__file__).resolve()), "--part", part, "--json"]
    cmd += ["--repeat", str(repeat), *map(str, images)]
    # the child's errors and warnings reach the terminal: only its output is read
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    result: dict[str, Any] | None = json.loads(out.stdout.strip().splitlines()[-1]).get(
        part
    )
    return result


def _size(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as im:
        return f"{im.width}x{im.height}"


def report(images: list[Path], results: dict[str, Any]) -> None:
    rapid = results.get("rapidocr")
    keras = results.get("keras")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU cores")
    if rapid:
        print(
            f"rapidocr: engine load {rapid['load']:.2f} s (bundled PP-OCRv6 ONNX models)"
        )
    if keras:
        weights = (
            "pretrained weights"
            if keras["pretrained"]
            else (
                "pretrained=False: RANDOM weights (no weights on this machine); "
                "recognition cost of real words not included"
            )
        )
        print(f"keras-ocr: pipeline build {keras['load']:.2f} s, {weights}")
    print()
    print("Median seconds per read() (one image per call):")
    header = f"{'image':<22}{'size':>11}{'rapidocr':>10}{'(no word boxes)':>17}{'keras-ocr':>11}"
    print(header + f"{'keras/rapid':>13}")
    for path in images:
        key = str(path)
        r = rapid["per_image"][key] if rapid else None
        rn = rapid["no_word_boxes"][key] if rapid else None
        k = keras["per_image"][key] if keras else None
        ratio = f"{k / r:.1f}x" if r and k else "-"
        print(
            f"{path.name:<22}{_size(path):>11}"
            f"{(f'{r:.2f}' if r else '-'):>10}{(f'{rn:.2f}' if rn else '-'):>17}"
            f"{(f'{k:.2f}' if k else '-'):>11}{ratio:>13}"
        )
    if keras:
        print()
        print(
            f"keras-ocr read_many (batch_size={keras['batch_size']}) vs one read() "
            "per image, total seconds:"
        )
        print(
            f"{'set':<32}{'images':>7}{'one by one':>12}{'batched':>10}{'speed-up':>10}"
            f"{'CPU s: one by one':>19}{'batched':>9}"
        )
        for label, row in keras["batching"].items():
            speed = row["one_by_one"] / row["batched"]
            print(
                f"{label:<32}{row['images']:>7}{row['one_by_one']:>12.2f}"
                f"{row['batched']:>10.2f}{speed:>9.2f}x"
                f"{row['one_by_one_cpu']:>19.2f}{row['batched_cpu']:>9.2f}"
            )
    if not rapid:
        print(
            "\n(rapidocr not installed in this interpreter: pip install 'unocr[rapidocr]')"
        )
    if not keras:
        print(
            "\n(keras-ocr not available: run scripts/keras-env to create .venv-keras)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="*", type=Path, help="default: the dl fixtures")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement")
    parser.add_argument("--part", choices=("all", "rapidocr", "keras"), default="all")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument(
        "--keras-python",
        type=Path,
        default=ROOT / ".venv-keras" / "bin" / "python",
        help="interpreter with keras-ocr, used when this one lacks it",
    )
    parser.add_argument(
        "--rapidocr-python",
        type=Path,
        default=ROOT / ".venv" / "bin" / "python",
        help="interpreter with rapidocr, used when this one lacks it",
    )
    args = parser.parse_args(argv)
    images = [p.resolve() for p in args.images] or default_images()
    results: dict[str, Any] = {}
    here = args.part != "all"  # a sub-run measures only in this interpreter
    if args.part in ("all", "rapidocr"):
        if importlib.util.find_spec("rapidocr"):
            results["rapidocr"] = bench_rapidocr(images, args.repeat)
        elif not here and args.rapidocr_python.is_file():
            found = in_subprocess(args.rapidocr_python, "rapidocr", images, args.repeat)
            if found:
                results["rapidocr"] = found
    if args.part in ("all", "keras"):
        if importlib.util.find_spec("keras_ocr"):
            results["keras"] = bench_keras(images, args.repeat)
        elif not here and args.keras_python.is_file():
            found = in_subprocess(args.keras_python, "keras", images, args.repeat)
            if found:
                results["keras"] = found
    if args.json:
        print(json.dumps(results))
    else:
        report(images, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
