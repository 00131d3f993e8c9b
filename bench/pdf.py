"""PDF in and out: rendering, rendering + OCR, the text layer, save_pdf.

One run, side by side on the same pages (the Tesseract test pages and SROIE
receipts in tests/fixtures/tesseract, made into a scanned PDF whose pages render
at ``--dpi`` to the images' own pixel sizes, and the searchable PDF unocr writes
from their OCR):

* ``render``         -- PDFium rendering of every page at ``--dpi``, no OCR;
* ``image OCR``      -- ``unocr.read_many`` of the original image files;
* ``pixels OCR``     -- the same images decoded to RGB beforehand (an engine
  then gets pixels, as it does for a rendered PDF page, not the file);
* ``PDF OCR``        -- ``unocr.read_many`` of the scanned PDF (render + OCR),
  with 1 and 2 workers;
* ``text layer``     -- ``unocr.read_pages(..., text_layer=True)`` of the
  searchable PDF: words and boxes from the PDF itself, no engine;
* ``save_pdf``       -- writing the searchable PDF.

Figures are the median of ``--repeat`` runs, variants interleaved so that
machine load affects them alike. Pages per second are wall-clock.

Usage::

    python bench/pdf.py [--repeat 3] [--dpi 300]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image

import unocr
from _timing import run_times
from unocr.documents import DocumentOptions, PageRef, load_input

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "tesseract"
IMAGES = [
    FIXTURES / "phototest.tif",
    FIXTURES / "eurotext.tif",
    FIXTURES / "X51008123586.jpg",
    FIXTURES / "X51005442394.jpg",
]


def scanned_pdf(path: Path, dpi: float) -> Path:
    """One PDF page per image, at ``dpi``: rendered at ``dpi``, the pages have
    the images' own pixel sizes, so OCR of either sees the same pixels."""
    images = [Image.open(p).convert("RGB") for p in IMAGES]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)
    return path


def median_time(fn: Callable[[], object], repeat: int) -> float:
    return statistics.median(run_times(fn, repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dpi", type=float, default=300.0)
    args = parser.parse_args()
    n = len(IMAGES)
    with tempfile.TemporaryDirectory() as tmp:
        scan = scanned_pdf(Path(tmp) / "scan.pdf", args.dpi)
        engine = unocr.get_backend("tesseract")
        engine.read(IMAGES[0])  # warm-up (language probe)
        options = DocumentOptions(dpi=args.dpi)

        def render() -> None:
            for i in range(n):
                load_input(PageRef(str(scan), str(scan), i, "pdf", options))

        def image_ocr() -> None:
            unocr.read_many(IMAGES, backend=engine)

        rgb = [Image.open(p).convert("RGB") for p in IMAGES]

        def pixels_ocr() -> None:
            unocr.read_many(rgb, backend=engine)

        def pdf_ocr(workers: int) -> Callable[[], None]:
            return lambda: unocr.read_many(
                [scan], backend=engine, dpi=args.dpi, workers=workers
            )

        ocr_pages = [
            p for p in unocr.read_many([scan], backend=engine, dpi=args.dpi) if p
        ]
        searchable = Path(tmp) / "searchable.pdf"

        def save() -> None:
            unocr.save_pdf(ocr_pages, searchable)

        save()
        words = sum(len(p.words) for p in ocr_pages)

        def text_layer() -> None:
            list(unocr.read_pages(searchable, text_layer=True, dpi=args.dpi))

        variants = {
            "render": render,
            "image OCR": image_ocr,
            "pixels OCR": pixels_ocr,
            "PDF OCR, 1 worker": pdf_ocr(1),
            "PDF OCR, 2 workers": pdf_ocr(2),
            "text layer": text_layer,
            "save_pdf": save,
        }
        times: dict[str, list[float]] = {k: [] for k in variants}
        for _ in range(args.repeat):
            for name, fn in variants.items():
                times[name].append(median_time(fn, 1))
        med = {k: statistics.median(v) for k, v in times.items()}
        layer = list(unocr.read_pages(searchable, text_layer=True, dpi=args.dpi))
        engine.close()

    print(
        f"{n} pages ({words} words), {args.dpi:g} dpi, median of {args.repeat}, "
        f"{platform.processor() or platform.machine()}, unocr {unocr.__version__}"
    )
    print(f"{'variant':<22}{'s total':>9}{'ms/page':>9}{'pages/s':>9}")
    for name, seconds in med.items():
        print(f"{name:<22}{seconds:9.3f}{1000 * seconds / n:9.1f}{n / seconds:9.2f}")
    print()
    # PDFium orders the text layer by itself: compare the words, not their order
    same = sum(
        sorted(w.text for w in a.words) == sorted(w.text for w in b.words)
        for a, b in zip(ocr_pages, layer, strict=True)
    )
    print(f"text layer gives back exactly the OCR words on {same}/{n} pages")
    print("ratios:")
    print(
        f"  PDF OCR / image OCR                      : "
        f"{med['PDF OCR, 1 worker'] / med['image OCR']:5.2f}x"
    )
    print(
        f"  PDF OCR / pixels OCR (cost of rendering) : "
        f"{med['PDF OCR, 1 worker'] / med['pixels OCR']:5.2f}x"
    )
    print(
        f"  PDF OCR 1 / 2 workers (throughput gain)  : "
        f"{med['PDF OCR, 1 worker'] / med['PDF OCR, 2 workers']:5.2f}x"
    )
    print(
        f"  PDF OCR / text layer (born-digital gain) : "
        f"{med['PDF OCR, 1 worker'] / med['text layer']:5.0f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
