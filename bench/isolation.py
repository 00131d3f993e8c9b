"""Cost of running an engine in a worker process, side by side with in process.

One command, from the repository root:

    .venv/bin/python bench/isolation.py [--repeat 5] [IMAGE ...]

Two figures, each measured in one run against its reference:

1. **Transfer**: the median wall-clock milliseconds to send a decoded
   2000x3000 RGB image to a worker and get its answer
   (``IsolatedBackend.transfer``: pixels packed into shared memory, message
   over the pipe, the worker rebuilding the image, reply), next to a plain
   in-process copy of the same 18 MB (the machine's memory speed, for scale).
2. **Per-page overhead**: RapidOCR's median seconds per ``read()`` in process
   and isolated (``isolate=True``), the two interleaved image by image and
   round by round so that other load on the machine hits both alike, and
   their ratio (isolated / in process), per image and over all images.

Images default to the project's own fixtures (a scanned page and a receipt);
pass others to measure them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import unocr
from unocr.image import load_image

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DEFAULT_IMAGES = [
    FIXTURES / "dl" / "phototest.tif",
    FIXTURES / "dl" / "X51008123586.jpg",
]


def transfer(repeat: int) -> None:
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (2000, 3000, 3), dtype=np.uint8)
    image = load_image(pixels)
    raw = image.image.tobytes()
    target = bytearray(len(raw))
    copies, sends = [], []
    # Any engine hosts the worker: the transfer does not call it.
    with unocr.get_backend("tesseract", isolate=True) as iso:
        (reply,) = iso.transfer([image], digest=True)
        import hashlib

        assert reply["digest"] == hashlib.sha256(raw).hexdigest()
        for _ in range(repeat * 4):
            start = time.perf_counter()
            target[:] = raw
            copies.append(time.perf_counter() - start)
            start = time.perf_counter()
            iso.transfer([image])
            sends.append(time.perf_counter() - start)
    print("transfer of a 2000x3000 RGB image (18 MB), median of", len(sends))
    print(f"  to a worker and back: {statistics.median(sends) * 1e3:7.1f} ms")
    print(f"  in-process copy:      {statistics.median(copies) * 1e3:7.1f} ms")


def per_page(images: list[Path], repeat: int) -> None:
    local = unocr.get_backend("rapidocr", isolate=False)
    iso = unocr.get_backend("rapidocr", isolate=True)
    times: dict[tuple[str, Path], list[float]] = {}
    with local, iso:
        for path in images:  # warm-up: first calls allocate buffers
            local.read(path)
            iso.read(path)
        for _ in range(repeat):
            for path in images:
                for name, engine in (("local", local), ("isolated", iso)):
                    start = time.perf_counter()
                    engine.read(path)
                    times.setdefault((name, path), []).append(
                        time.perf_counter() - start
                    )
    print(f"RapidOCR read(), median seconds over {repeat} interleaved rounds")
    print(f"  {'image':28} {'in process':>10} {'isolated':>10} {'ratio':>7}")
    total_local = total_iso = 0.0
    for path in images:
        a = statistics.median(times[("local", path)])
        b = statistics.median(times[("isolated", path)])
        total_local += a
        total_iso += b
        print(f"  {path.name:28} {a:10.3f} {b:10.3f} {b / a:7.3f}")
    print(
        f"  {'all images':28} {total_local:10.3f} {total_iso:10.3f} "
        f"{total_iso / total_local:7.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("images", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    transfer(args.repeat)
    per_page(args.images or DEFAULT_IMAGES, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
