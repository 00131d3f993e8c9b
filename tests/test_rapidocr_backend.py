"""The rapidocr backend on real images with its real, bundled PP-OCR models.

Accuracy bounds (set with rapidocr-onnxruntime 1.4.4 / PP-OCRv4; measured again
with rapidocr 3.10 / PP-OCRv6 small):

* phototest.tif, a clean 200 dpi page: CER 0.000 against the ground truth
  (both model lines). The bound 0.02 (about 6 of 286 characters) leaves room
  for another ONNX Runtime build or CPU to flip a character, while any real
  regression (a line missed, a wrong model, mis-ordered lines) costs far more.
* the SROIE receipt: PP-OCR drops inter-word spaces on receipt print and mixes
  case, which the receipt's upper-case ground truth does not; the text is
  therefore compared upper-cased with all whitespace removed. Measured CER
  0.006 (PP-OCRv6; 0.011 with PP-OCRv4). The bound 0.05 is far above both.
* boxes: 96 % of the receipt's ground-truth line boxes have a recognised line
  with IoU >= 0.5 (bound 90 %), and every recognised line lies at least 66 %
  inside ground-truth boxes (bound 50 %: RapidOCR's boxes are padded by its
  unclip ratio, the ground truth is tight).
"""

from __future__ import annotations

import re
import socket
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

import unocr
from unocr.backends.base import ItemFailure
from unocr.errors import BackendUnavailableError, LanguageUnavailableError
from unocr.geometry import Box, Quad, intersection_matrix, iou_matrix
from unocr.model import Line, Page

pytest.importorskip(
    "rapidocr",
    reason="RapidOCR is not installed: pip install 'unocr[rapidocr]'",
)

from unocr.backends.rapidocr.backend import RapidOcrBackend
from unocr.backends.rapidocr.models import BUNDLED_LANGUAGES, bundled_models

FIXTURES = Path(__file__).parent / "fixtures" / "dl"
PHOTOTEST = FIXTURES / "phototest.tif"
RECEIPT = FIXTURES / "X51008123586.jpg"


#: The text of :func:`_first_line`.
FIRST_LINE = "This is a lot of 12 point text to test the"


def _first_line() -> Image.Image:
    """Line 1 of the test page, RGB (:data:`FIRST_LINE`)."""
    return Image.open(PHOTOTEST).convert("RGB").crop((20, 84, 640, 122))


def _read_first_line(**options: Any) -> Page:
    """:func:`_first_line` read by a backend with ``options``.

    ``det_limit_type="max"``: RapidOCR's default enlarges short crops ~5
    times, which breaks their lines into fragments.
    """
    with RapidOcrBackend(det_limit_type="max", **options) as b:
        return b.read(_first_line())


def _cer(reference: str, hypothesis: str) -> float:
    return Levenshtein.distance(reference, hypothesis) / max(1, len(reference))


def _reading_order(items: Sequence[tuple[Box, str]]) -> str:
    """Text of boxes in rows (centres within half a box height), left to right.

    The same rule orders the ground truth and the result, so the comparison
    does not depend on either side's own line order.
    """
    rows: list[tuple[float, list[tuple[Box, str]]]] = []
    for box, text in sorted(items, key=lambda it: (it[0].y0 + it[0].y1) / 2):
        cy = (box.y0 + box.y1) / 2
        if rows and abs(cy - rows[-1][0]) < (box.y1 - box.y0) / 2:
            rows[-1][1].append((box, text))
        else:
            rows.append((cy, [(box, text)]))
    return "\n".join(
        " ".join(t for _, t in sorted(row, key=lambda it: it[0].x0)) for _, row in rows
    )


def _sroie_ground_truth(path: Path) -> list[tuple[Quad, str]]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            parts = raw.split(",", 8)
            coords = np.array([float(v) for v in parts[:8]]).reshape(4, 2)
            out.append((Quad.from_points(coords), parts[8]))
    return out


@pytest.fixture(scope="module")
def backend() -> Iterator[RapidOcrBackend]:
    with RapidOcrBackend() as b:
        yield b


@pytest.fixture(scope="module")
def phototest_page(backend: RapidOcrBackend) -> Page:
    return backend.read(PHOTOTEST)


@pytest.fixture(scope="module")
def receipt_page(backend: RapidOcrBackend) -> Page:
    return backend.read(RECEIPT)


def test_phototest_text_matches_ground_truth(phototest_page: Page) -> None:
    truth = "\n".join(
        line for line in (FIXTURES / "phototest.txt").read_text().splitlines() if line
    )
    ocr = "\n".join(line.text for line in phototest_page.lines)
    assert _cer(truth, ocr) <= 0.02, ocr
    assert phototest_page.backend == "rapidocr"
    assert (phototest_page.width, phototest_page.height) == (640, 480)
    assert phototest_page.timings.engine > 0.0


def test_phototest_structure_and_native_word_boxes_on_ink(
    phototest_page: Page,
) -> None:
    ink = np.asarray(Image.open(PHOTOTEST).convert("L")) < 128
    assert len(phototest_page.lines) == 8
    for line in phototest_page.lines:
        assert line.native and isinstance(line.geometry, Quad)
        assert line.confidence is not None and 0.9 <= line.confidence <= 1.0
        assert [w.text for w in line.words] == line.text.split()
        for word in line.words:
            assert word.native and word.symbols == ()
            assert word.confidence is not None and 0.0 <= word.confidence <= 1.0
            inside = line.geometry.intersection_area(word.geometry) / word.geometry.area
            assert inside >= 0.9
            b = word.geometry.bounds
            patch = ink[int(b.y0) : int(b.y1) + 1, int(b.x0) : int(b.x1) + 1]
            # Glyphs cover 10-40 % of a word box on this page; a box beside
            # its word covers background (0 %).
            assert patch.mean() > 0.05, word.text


def test_output_equals_the_raw_engine_on_the_same_file(
    backend: RapidOcrBackend, phototest_page: Page
) -> None:
    from rapidocr import RapidOCR

    raw = RapidOCR(params=dict(backend._params))(str(PHOTOTEST))
    assert [li.text for li in phototest_page.lines] == list(raw.txts)
    assert [li.confidence for li in phototest_page.lines] == pytest.approx(
        list(raw.scores), abs=1e-6
    )
    for line, box in zip(phototest_page.lines, raw.boxes, strict=True):
        np.testing.assert_allclose(line.geometry.points, box, atol=1e-3)
    assert len(raw.word_results) == len(phototest_page.lines)
    for line, items in zip(phototest_page.lines, raw.word_results, strict=True):
        assert [(w.text, w.confidence) for w in line.words] == [
            (t, pytest.approx(s, abs=1e-6)) for t, s, _ in items
        ]
        for word, (_, _, pts) in zip(line.words, items, strict=True):
            np.testing.assert_allclose(word.geometry.points, pts, atol=1e-3)


def test_character_boxes_become_native_symbols() -> None:
    page = _read_first_line(char_boxes=True)
    assert " ".join(li.text for li in page.lines) == FIRST_LINE
    for word in page.words:
        assert not word.native
        assert "".join(s.text for s in word.symbols) == word.text
        for symbol in word.symbols:
            assert symbol.native and symbol.confidence is not None
            over = word.geometry.intersection_area(symbol.geometry)
            assert over / max(symbol.geometry.area, 1e-9) >= 0.9


def test_receipt_text_matches_ground_truth(receipt_page: Page) -> None:
    truth = _sroie_ground_truth(RECEIPT.with_suffix(".txt"))
    ref = _reading_order([(q.bounds, t) for q, t in truth])
    hyp = _reading_order([(li.geometry.bounds, li.text) for li in receipt_page.lines])

    def squash(s: str) -> str:
        return "".join(s.upper().split())

    assert _cer(squash(ref), squash(hyp)) <= 0.05, hyp


def test_receipt_boxes_land_on_ground_truth_lines(receipt_page: Page) -> None:
    truth = [q for q, _ in _sroie_ground_truth(RECEIPT.with_suffix(".txt"))]
    lines: list[Line] = list(receipt_page.lines)
    found = [li.geometry for li in lines]
    iou = iou_matrix(truth, found)
    assert (iou.max(axis=1) >= 0.5).mean() >= 0.9
    inter = intersection_matrix(truth, found)
    inside = inter.sum(axis=0) / np.array([g.area for g in found])
    assert inside.min() >= 0.5


def test_word_boxes_off_synthesises_words_from_the_line() -> None:
    page = _read_first_line(word_boxes=False)
    assert " ".join(li.text for li in page.lines) == FIRST_LINE
    for line in page.lines:
        assert [w.text for w in line.words] == line.text.split()
        assert all(not w.native and w.symbols == () for w in line.words)
    assert page.symbols == ()


def test_public_api_and_read_many_with_a_bad_item() -> None:
    small = Image.open(PHOTOTEST).convert("RGB").crop((20, 80, 640, 230))
    # det_limit_type="max": RapidOCR's default enlarges short crops ~5 times,
    # which breaks their lines into fragments.
    page = unocr.read(small, backend="rapidocr", det_limit_type="max")
    assert page.backend == "rapidocr"
    assert [li.text for li in page.lines] == [
        FIRST_LINE,
        "ocr code and see if it works on all types",
        "of file format.",
        "The quick brown dog jumped over the",
    ]
    results = unocr.read_many(
        [small, b"not an image", np.asarray(small)],
        backend="rapidocr",
        errors="return",
        det_limit_type="max",
    )
    assert isinstance(results[0], Page) and isinstance(results[2], Page)
    assert isinstance(results[1], ItemFailure) and results[1].index == 1
    assert results[2].text == results[0].text == page.text


def test_blank_image_gives_an_empty_page(backend: RapidOcrBackend) -> None:
    page = backend.read(Image.new("RGB", (200, 100), "white"))
    assert (page.width, page.height, page.blocks) == (200, 100, ())


def test_languages_beyond_the_bundled_models_need_model_files(
    backend: RapidOcrBackend,
) -> None:
    assert RapidOcrBackend.capabilities.languages == BUNDLED_LANGUAGES
    assert {"zh", "en", "ja", "de", "fr", "vi"} <= set(BUNDLED_LANGUAGES)
    with pytest.raises(LanguageUnavailableError, match="rec_model_path") as info:
        RapidOcrBackend(languages=["ko"])
    assert info.value.language == "ko"
    assert info.value.backend == "rapidocr"
    blank = Image.new("RGB", (40, 40), "white")
    # the Cyrillic and Arabic scripts of languages it reads in Latin script
    for unreadable in ("ru", "ar", "sr", "hi", "uz-Cyrl", "az-Cyrl", "bs-Cyrl",
                       "ku-Arab", "ms-Arab"):  # fmt: skip
        with pytest.raises(LanguageUnavailableError):
            backend.read(blank, languages=unreadable)
        with pytest.raises(LanguageUnavailableError):
            RapidOcrBackend(languages=unreadable)
    for readable in ("zh,en", "de", "zh-Hant", "sr-Latn", "ja", "uz", "uz-Latn-UZ",
                     "az", "bs", "ku", "ms"):  # fmt: skip
        assert backend.read(blank, languages=readable).blocks == ()


def test_a_supplied_recognition_model_declares_its_languages() -> None:
    # Any ONNX recognition model file works here; the bundled one stands in
    # for a user's Korean model (construction only, nothing is read).
    with RapidOcrBackend(
        rec_model_path=bundled_models()["rec"],
        model_languages=["ko"],
        languages="ko",
    ) as b:
        assert b.model_languages == ("ko",)
        with pytest.raises(LanguageUnavailableError):
            b.read(Image.new("RGB", (40, 40), "white"), languages="ja")


def test_missing_model_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="rec_model_path"):
        RapidOcrBackend(rec_model_path=tmp_path / "missing.onnx")


def test_unknown_device_and_unavailable_cuda() -> None:
    import onnxruntime

    with pytest.raises(ValueError, match="device"):
        RapidOcrBackend(device="tpu")  # type: ignore[arg-type]
    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("CUDA is available here")
    with pytest.raises(BackendUnavailableError, match="onnxruntime-gpu"):
        RapidOcrBackend(device="cuda")


def test_models_are_bundled_and_nothing_touches_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    package_dir = Path(sys.modules["rapidocr"].__file__ or "").parent
    for path in bundled_models().values():
        assert path.is_file() and path.parent.parent == package_dir

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert _read_first_line().text == FIRST_LINE


def _session_threads(b: RapidOcrBackend) -> set[int]:
    with b._engines.engine() as engine:
        stages = (engine.text_det, engine.text_cls, engine.text_rec)
        return {
            s.session.session.get_session_options().intra_op_num_threads for s in stages
        }


def test_threads_set_onnx_runtime_intra_op_threads_and_workers_split_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unocr.backends import pool

    with pytest.raises(ValueError, match="threads"):
        RapidOcrBackend(threads=0)
    with RapidOcrBackend(threads=1) as b:
        assert _session_threads(b) == {1}
        with b._engines.split(4):  # an explicit threads= is never overridden
            assert _session_threads(b) == {1}
    monkeypatch.setattr(pool, "cpu_cores", lambda: 4)
    with RapidOcrBackend() as b:
        assert b._engines.threads is None
        with b._engines.split(2) as per_worker:
            assert per_worker == 2 and _session_threads(b) == {2}
        assert b._engines.threads is None
        small = _first_line()
        pages = b.read_many([small, small, small], workers=3)
        assert len({p.text for p in pages if isinstance(p, Page)}) == 1


def test_timeout_raises_a_typed_error() -> None:
    from unocr.errors import EngineTimeoutError

    with pytest.raises(ValueError, match="timeout"):
        RapidOcrBackend(timeout=-1)
    with RapidOcrBackend(timeout=1e-4) as b, pytest.raises(EngineTimeoutError) as info:
        b.read(PHOTOTEST)
    assert info.value.timeout == 1e-4 and info.value.backend == "rapidocr"
    assert "timeout=" in str(info.value)


def test_every_stage_keeps_the_timeout_and_times_the_engine() -> None:
    """Detection and crop recognition run within ``timeout`` as a read does."""
    from unocr.errors import EngineTimeoutError

    region = Box(0, 0, 200, 40)
    with RapidOcrBackend(timeout=1e-4) as b:
        with pytest.raises(EngineTimeoutError, match="timeout="):
            b.detect(PHOTOTEST)
        with pytest.raises(EngineTimeoutError, match="1 crops"):
            b.recognize(PHOTOTEST, [region])
    with RapidOcrBackend(timeout=600) as b:
        assert b.detect(PHOTOTEST).timings.engine > 0.0
        assert len(b.recognize(PHOTOTEST, [region])) == 1


def test_inference_engine_is_chosen_by_option() -> None:
    import importlib.util

    with pytest.raises(ValueError, match="inference"):
        RapidOcrBackend(inference="tensorflow")  # type: ignore[arg-type]
    if importlib.util.find_spec("openvino") is None:
        with pytest.raises(BackendUnavailableError, match="rapidocr-openvino"):
            RapidOcrBackend(inference="openvino")
        return
    one_line = _first_line()
    with RapidOcrBackend(inference="openvino", det_limit_type="max") as b:
        page = b.read(one_line)
        with b._engines.engine() as engine:
            assert type(engine.text_det.session).__name__ == "OpenVINOInferSession"
    assert page.text == FIRST_LINE


def test_unreadable_image_is_a_typed_error(backend: RapidOcrBackend) -> None:
    from unocr.errors import ImageError

    with pytest.raises(ImageError):
        backend.read(b"not an image")


def test_cli_timeout_exits_cleanly_with_status_1(tmp_path: Path) -> None:
    import subprocess

    small = tmp_path / "line.png"
    _first_line().save(small)
    done = subprocess.run(
        [sys.executable, "-m", "unocr", "read", str(small), "-b", "rapidocr",
         "--timeout", "0.001"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    # 1, not an abort: the abandoned engine call ends before the process does.
    assert done.returncode == 1, done.stderr
    assert "did not finish" in done.stderr and "--timeout" in done.stderr


#: Reads blank thin strips under a 6 GiB address-space cap (so a regression
#: fails instead of exhausting the machine) and prints, per strip, what came
#: back, then how much the peak resident memory grew over a warm engine, in KiB.
_THIN_STRIPS = """
import resource, sys
cap = 6 * 1024**3
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from PIL import Image
import unocr
with unocr.get_backend("rapidocr", threads=1) as ocr:
    ocr.read(Image.new("RGB", (900, 500), "white"))  # the engine's arenas warm
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for size in [(1, 500), (500, 1), (2, 400), (10, 300), (20, 400)]:
        try:
            page = ocr.read(Image.new("RGB", size, "white"))
            print(size, "empty" if page.blocks == () else page.text, flush=True)
        except BaseException as exc:
            print(size, type(exc).__name__, str(exc)[:300], flush=True)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_thin_strips_read_as_empty_pages_in_bounded_memory() -> None:
    # RapidOCR enlarges a side under 30 px to 30 and its detector the short
    # side to 736: a 1 x 500 strip asked for a 345184 x 736 detector input
    # (2.8 GiB, then more), 20 x 400 took 1.9 GB and half a minute. Padded,
    # each is a detector input of at most 3008 x 736, like any text line.
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _THIN_STRIPS],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *reads, grown = done.stdout.splitlines()
    assert reads == [
        f"{size} empty" for size in ["(1, 500)", "(500, 1)", "(2, 400)", "(10, 300)",
                                     "(20, 400)"]
    ]  # fmt: skip
    assert int(grown) < 600 * 1024, f"peak memory grew {int(grown) // 1024} MiB"


def _rotated_line(height: int) -> Image.Image:
    """:func:`_first_line` scaled to ``height`` px, then turned to read upwards."""
    line = _first_line()
    width = round(line.width * height / line.height)
    return line.resize((width, height), Image.Resampling.LANCZOS).rotate(
        90, expand=True
    )


@pytest.mark.parametrize("height", [38, 20])
def test_a_tall_line_is_padded_and_read_whole_inside_the_image(
    backend: RapidOcrBackend, height: int
) -> None:
    # Unpadded, RapidOCR enlarged the 38 x 620 line to a 736 x 12000 detector
    # input (45 s, 1.6 GB) and read "2 / of / a / .is / This".
    image = _rotated_line(height)
    page = backend.read(image)
    assert page.text == FIRST_LINE
    assert (page.width, page.height) == image.size
    for element in (*page.lines, *page.words):
        b = element.geometry.bounds
        assert 0 <= b.x0 <= b.x1 <= image.width and 0 <= b.y0 <= b.y1 <= image.height


def test_a_short_wide_line_is_padded_not_enlarged(backend: RapidOcrBackend) -> None:
    # 20 px tall: RapidOCR enlarged it 1.5 times and read two fragments.
    line = _first_line()
    image = line.resize((round(line.width * 20 / line.height), 20))
    page = backend.read(image)
    assert page.text == FIRST_LINE
    assert all(w.geometry.bounds.y1 <= 20 for w in page.words)


@pytest.mark.parametrize("vertical", [False, True])
def test_a_strip_too_long_to_pad_or_shrink_says_what_to_do(
    backend: RapidOcrBackend, vertical: bool
) -> None:
    def strip(short: int, long: int) -> Image.Image:
        size = (short, long) if vertical else (long, short)
        return Image.new("RGB", size, "white")

    # 25 x 3000 failed before (RapidOCR shrank it to no rows); padded it reads
    assert backend.read(strip(25, 3000)).blocks == ()
    if vertical:  # padded to 4:1, 10 x 3000 needs 750 x 3000 pixels
        with (
            RapidOcrBackend(max_pixels=2_000_000) as small,
            pytest.raises(unocr.errors.RecognitionError) as caught,
        ):
            small.read(strip(10, 3000))
        message = str(caught.value)
        assert "10x3000" in message and "750x3000" in message
        assert "max_pixels=2250000" in message
        return
    # padded to 30 px tall, 6000 px long shrinks to 2000 x 10: no rows left
    with pytest.raises(unocr.errors.RecognitionError) as caught:
        backend.read(strip(10, 6000))
    message = str(caught.value)
    assert "6000x10" in message and "Global.max_side_len" in message
    # the option the message gives makes the refused page readable
    need = int(message.rsplit("'Global.max_side_len': ", 1)[1].split("}")[0])
    with unocr.get_backend(
        "rapidocr", engine_options={"Global.max_side_len": need}
    ) as wider:
        assert wider.read(strip(10, 6000)).words == ()


def test_a_detector_input_over_max_pixels_is_refused_before_the_engine() -> None:
    # det_limit_side_len=2000 enlarges a 900 x 500 page to 3584 x 1984
    with (
        RapidOcrBackend(det_limit_side_len=2000, max_pixels=2_000_000) as b,
        pytest.raises(unocr.errors.RecognitionError) as caught,
    ):
        b.read(Image.new("RGB", (900, 500), "white"))
    message = str(caught.value)
    assert "900x500" in message and "3584x1984" in message
    assert "det_limit_side_len" in message and "max_pixels=7110656" in message
    assert caught.value.__cause__ is None  # refused, not failed


def test_engine_options_are_rapidocr_settings_of_their_type() -> None:
    from rapidocr import EngineType

    options = {
        "Global.max_side_len": 1500,
        "Det.std": [0.5, 0.5, 0.5],
        "Det.engine_type": "onnxruntime",  # RapidOCR wants its enum: converted
        "EngineConfig.onnxruntime.cpu_ep_cfg": {
            "arena_extend_strategy": "kSameAsRequested"
        },
    }
    with RapidOcrBackend(engine_options=options) as b:
        assert b._params["Global.max_side_len"] == 1500
        assert b._params["Det.engine_type"] is EngineType.ONNXRUNTIME
    for bad, says in [
        ({"Global.max_side_lenn": 3000}, "did you mean 'Global.max_side_len'"),
        (
            {"Det.limit_side_len": "big"},
            "['Det.limit_side_len'] must be int, got 'big'",
        ),
        ({"Global.use_cls": 1}, "['Global.use_cls'] must be bool, got 1"),
        ({"Global.text_score": "0.5"}, "['Global.text_score'] must be float"),
        ({"Global.max_side_len": 10**6}, "must be at most 10,000"),
        ({"Det.limit_type": "middle"}, "['Det.limit_type'] must be 'min' or 'max'"),
        ({"Det.engine_type": "tpu"}, "['Det.engine_type'] must be 'onnxruntime', "),
        ({"EngineConfig.onnxruntime.cpu_ep_cfg": {"x": 1}}, "no setting"),
        ({3: 1}, "engine_options keys must be"),
    ]:
        with pytest.raises(unocr.errors.ConfigError, match=re.escape(says)):
            RapidOcrBackend(engine_options=bad)  # type: ignore[dict-item]
