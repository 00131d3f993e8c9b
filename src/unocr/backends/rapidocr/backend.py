"""The ``rapidocr`` backend: RapidOCR 3 with its bundled PP-OCRv6 models, offline.

It runs the ``rapidocr`` package (3.x, ``pip install 'unocr[rapidocr]'``),
whose wheel ships the PP-OCRv6 small detection and recognition models and the
text-direction classifier as ONNX files. The models are always passed by path,
so RapidOCR never downloads anything. Inference runs on ONNX Runtime (the
default) or OpenVINO (``inference="openvino"``, ``pip install
'unocr[rapidocr-openvino]'``). See ``docs/backends/rapidocr.md``.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image
from rapidocr import EngineType, RapidOCR
from rapidocr.ch_ppocr_rec import TextRecInput

from unocr.backends import catalog
from unocr.backends.base import Crops, Languages, Readings, Stopwatch
from unocr.backends.options import check_choice, check_count, check_number
from unocr.backends.pooled import PooledBackend
from unocr.backends.rapidocr.convert import (
    crops_to_texts,
    detections_to_blocks,
    rapidocr_to_blocks,
)
from unocr.backends.rapidocr.models import BUNDLED_LANGUAGES, bundled_models
from unocr.backends.rapidocr.settings import MAX_SIDE, check_engine_options
from unocr.backends.rapidocr.sizing import clip_output, fit_image
from unocr.errors import (
    BackendUnavailableError,
    ConfigError,
    LanguageUnavailableError,
)
from unocr.geometry.crop import pad_to_ratio
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.languages import model_language, normalize_languages, text_language
from unocr.model import Block

__all__ = ["RapidOcrBackend"]

_FIX_MODELS = (
    "reinstall the engine with pip install --force-reinstall 'unocr[rapidocr]' "
    "(the rapidocr wheel ships its models)"
)
#: Inference engines and the extra that installs each.
_INFERENCE = {"onnxruntime": "rapidocr", "openvino": "rapidocr-openvino"}


def _existing_file(path: str | Path | None, what: str) -> Path | None:
    if path is None:
        return None
    p = Path(path).expanduser()
    if not os.path.isfile(p):  # (os.path: False for a name too long, no OSError)
        raise BackendUnavailableError(
            f"RapidOCR {what} {str(p)!r} does not exist or is not a file.",
            backend="rapidocr",
            fix=f"pass the path of an existing file as {what}=",
        )
    return p


def _readable(lang: str, languages: tuple[str, ...]) -> bool:
    """Whether a model reading ``languages`` reads ``lang``.

    Codes are compared as :func:`~unocr.languages.model_language` reads them
    (``zh-TW`` is Traditional Chinese, ``nb-NO`` Norwegian). A model language
    without a script subtag reads the language in any script (``zh`` reads
    ``zh-Hant``); one with a script subtag reads that script, and a code
    that names none where the language has no usual script (``uz-Latn``
    reads ``uz`` and ``uz-Latn-UZ``, not ``uz-Cyrl``; ``sr-Latn`` reads
    ``sr-Latn-RS``, not ``sr``, which is Cyrillic).
    """
    wanted, wanted_script = model_language(lang)
    for code in languages:
        language, script = model_language(code)
        scripted = any(len(s) == 4 and s.isalpha() for s in code.split("-")[1:])
        if language == wanted and (not scripted or wanted_script in (None, script)):
            return True
    return False


@catalog.builtin("rapidocr")
class RapidOcrBackend(PooledBackend):
    """RapidOCR 3 (PaddleOCR's PP-OCRv6 models on ONNX Runtime or OpenVINO).

    Lines come back as native quads with the engine's confidence (the mean
    probability of their characters). With ``word_boxes=True`` (the default)
    RapidOCR also locates every word: those are native words with their own
    confidence. With ``char_boxes=True`` it locates every character instead:
    those become native symbols, grouped into (synthesised) words at the
    line's spaces. With neither, words are synthesised by splitting each line
    quad in proportion to character counts.

    The bundled recognition model reads Chinese, Japanese, English and
    Latin-script languages (:data:`~unocr.backends.rapidocr.models.BUNDLED_LANGUAGES`).
    Any other language needs a PP-OCR recognition model by path
    (``rec_model_path=``, ``rec_keys_path=``, ``model_languages=``).

    Args:
        languages: Default languages (ISO 639 codes); ``None`` for the models'.
        max_pixels: Refuse larger images before decoding; ``None``: no limit.
        inference: ``"onnxruntime"`` (default) or ``"openvino"``.
        device: ``"cpu"`` or ``"cuda"`` (ONNX Runtime only; needs the
            ``onnxruntime-gpu`` package with a working CUDA).
        text_score: Drop lines whose confidence is below this, in [0, 1]
            (default 0.5).
        box_thresh: Minimum mean detector score inside a text box, in [0, 1]
            (default 0.5).
        det_thresh: Detector pixel threshold, in [0, 1] (default 0.3).
        unclip_ratio: How far detected boxes are grown around the text
            (default 1.6; larger gives looser boxes).
        det_limit_type: How the detector resizes the image: ``"min"`` (the
            default) scales the shorter side up to ``det_limit_side_len``;
            ``"max"`` only shrinks images whose longer side exceeds it.
        det_limit_side_len: Side length in pixels for ``det_limit_type``
            (default 736, at most
            :data:`~unocr.backends.rapidocr.settings.MAX_SIDE`).
        use_cls: Run the 0/180 degree text-direction classifier (default True).
        word_boxes: Ask for per-word boxes (``return_word_box``).
        char_boxes: Ask for per-character boxes (``return_single_char_box``);
            implies ``word_boxes``.
        det_model_path: Detection ONNX model instead of the bundled one.
        cls_model_path: Direction classifier ONNX model instead of the bundled one.
        rec_model_path: Recognition ONNX model, e.g. for another language.
        rec_keys_path: The character list (one per line) matching
            ``rec_model_path``, unless that model embeds it.
        model_languages: ISO 639 codes the supplied ``rec_model_path`` reads;
            when omitted, any requested language is passed to it unchecked.
        threads: Compute threads per engine instance (ONNX Runtime intra-op
            threads, OpenVINO inference threads); ``None``: every core for
            one image, split among ``read_many``'s workers.
        timeout: Seconds to wait for one image; then
            :class:`~unocr.errors.EngineTimeoutError` (the engine finishes the
            image in the background, see :mod:`unocr.backends.deadline`).
        engine_options: Further RapidOCR parameters (its dotted
            ``config.yaml`` keys, e.g. ``{"Global.max_side_len": 1500}``),
            each checked against RapidOCR's defaults: a known key, a value of
            the default's type (a string names an enum value), side lengths
            at most :data:`~unocr.backends.rapidocr.settings.MAX_SIDE`.

    Thin images, which RapidOCR would enlarge to gigabytes, are padded
    first, and an image whose detector input would still exceed
    ``max_pixels`` is refused before the engine runs
    (:mod:`unocr.backends.rapidocr.sizing`; ``docs/backends/rapidocr.md``,
    *Thin images and memory*).

    Raises:
        unocr.errors.ConfigError: An option out of range, or an
            ``engine_options`` key or value RapidOCR does not take.
        unocr.errors.BackendUnavailableError: The inference engine or CUDA is
            not installed, a model file is missing, or the engine could not be
            built.
        unocr.errors.LanguageUnavailableError: A default language the models
            cannot read.
    """

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        inference: Literal["onnxruntime", "openvino"] = "onnxruntime",
        device: Literal["cpu", "cuda"] = "cpu",
        text_score: float = 0.5,
        box_thresh: float = 0.5,
        det_thresh: float = 0.3,
        unclip_ratio: float = 1.6,
        det_limit_type: Literal["min", "max"] = "min",
        det_limit_side_len: int = 736,
        use_cls: bool = True,
        word_boxes: bool = True,
        char_boxes: bool = False,
        det_model_path: str | Path | None = None,
        cls_model_path: str | Path | None = None,
        rec_model_path: str | Path | None = None,
        rec_keys_path: str | Path | None = None,
        model_languages: str | Sequence[str] | None = None,
        threads: int | None = None,
        timeout: float | None = None,
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            languages=languages, max_pixels=max_pixels, threads=threads, timeout=timeout
        )
        check_choice(inference, "inference", _INFERENCE)
        check_choice(device, "device", ("cpu", "cuda"))
        check_choice(det_limit_type, "det_limit_type", ("min", "max"))
        self.inference = inference
        self.device = device
        self.unit: Literal["word", "char"] = "char" if char_boxes else "word"
        if importlib.util.find_spec(inference) is None:
            raise BackendUnavailableError(
                f"RapidOCR inference={inference!r} needs the Python package "
                f"{inference!r}, which is not installed.",
                backend=self.name,
                fix=f"pip install 'unocr[{_INFERENCE[inference]}]'",
            )

        bundled = bundled_models()
        paths: dict[str, Path] = {}
        for stage, value in (
            ("det", det_model_path),
            ("cls", cls_model_path),
            ("rec", rec_model_path),
        ):
            given = _existing_file(value, f"{stage}_model_path")
            if given is not None:
                paths[stage] = given
            elif stage in bundled and bundled[stage].is_file():
                paths[stage] = bundled[stage]
            else:
                raise BackendUnavailableError(
                    f"RapidOCR's bundled {stage} model is missing "
                    f"({bundled.get(stage, 'rapidocr/models')}).",
                    backend=self.name,
                    fix=_FIX_MODELS,
                )
        keys = _existing_file(rec_keys_path, "rec_keys_path")

        #: Languages the recognition model reads; ``None``: not checked.
        self.model_languages: tuple[str, ...] | None
        if rec_model_path is None:
            self.model_languages = BUNDLED_LANGUAGES
        elif model_languages is None:
            self.model_languages = None
        else:
            self.model_languages = normalize_languages(model_languages)
        self._check_languages(self.languages)

        engine_type = EngineType(inference)
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.text_score": check_number(text_score, "text_score", maximum=1),
            "Global.use_cls": bool(use_cls),
            "Global.return_word_box": bool(word_boxes or char_boxes),
            "Global.return_single_char_box": bool(char_boxes),
            "Det.thresh": check_number(det_thresh, "det_thresh", maximum=1),
            "Det.box_thresh": check_number(box_thresh, "box_thresh", maximum=1),
            "Det.unclip_ratio": check_number(unclip_ratio, "unclip_ratio", above=True),
            "Det.limit_type": det_limit_type,
            "Det.limit_side_len": check_count(
                det_limit_side_len, "det_limit_side_len", maximum=MAX_SIDE
            ),
        }
        for section, stage in (("Det", "det"), ("Cls", "cls"), ("Rec", "rec")):
            params[f"{section}.engine_type"] = engine_type
            params[f"{section}.model_path"] = str(paths[stage])
        if keys is not None:
            params["Rec.rec_keys_path"] = str(keys)
        if device == "cuda":
            if inference != "onnxruntime":
                raise ConfigError("device='cuda' needs inference='onnxruntime'")
            self._check_cuda()
            params["EngineConfig.onnxruntime.use_cuda"] = True
        params.update(check_engine_options(engine_options))
        self._params = params
        self._engines.prime()

    # ------------------------------------------------------------- plumbing
    def _check_cuda(self) -> None:
        import onnxruntime

        providers = onnxruntime.get_available_providers()
        if "CUDAExecutionProvider" not in providers:
            raise BackendUnavailableError(
                "device='cuda' was requested but this ONNX Runtime has no CUDA "
                f"provider (available: {', '.join(providers)}).",
                backend=self.name,
                fix="pip uninstall -y onnxruntime && pip install onnxruntime-gpu "
                "(matching your CUDA and cuDNN versions), or use device='cpu'",
            )

    def _build(self, threads: int | None) -> Any:
        """A RapidOCR engine with ``threads`` compute threads, models loaded."""
        params = dict(self._params)
        if threads is not None:
            if self.inference == "onnxruntime":
                params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
                params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
            else:
                params["EngineConfig.openvino.inference_num_threads"] = threads
        try:
            engine: Any = RapidOCR(params=params)
            # Load the three models now, not on the first image.
            engine._load_det_model()
            if params["Global.use_cls"]:
                engine._load_cls_model()
            engine._load_rec_model()
        except Exception as exc:
            raise BackendUnavailableError(
                f"RapidOCR could not load its models: {type(exc).__name__}: {exc}",
                backend=self.name,
                fix="check the model paths and engine_options, or " + _FIX_MODELS,
            ) from exc
        return engine

    def _check_languages(self, languages: tuple[str, ...]) -> None:
        if self.model_languages is None:
            return
        for lang in languages:
            if not _readable(lang, self.model_languages):
                raise LanguageUnavailableError(
                    f"RapidOCR's recognition model reads "
                    f"{', '.join(self.model_languages)}; not {lang!r}. Nothing "
                    "is downloaded.",
                    language=lang,
                    backend=self.name,
                    fix=(
                        "pass a PP-OCR recognition model for that language as "
                        "rec_model_path= (an ONNX file), its character list as "
                        f"rec_keys_path= and model_languages=[{lang!r}]"
                    ),
                )

    # --------------------------------------------------------------- engine
    def _run(self, bgr: np.ndarray[Any, Any]) -> Any:
        with self._engines.engine() as engine:
            fitted = fit_image(engine, bgr, self.max_pixels)
            return clip_output(_read_turned(engine, fitted), fitted, bgr)

    def _checked_run(
        self,
        image: LoadedImage,
        languages: tuple[str, ...],
        clock: Stopwatch,
        run: Callable[[np.ndarray[Any, Any]], Any],
    ) -> Any:
        """``run`` on the image's BGR pixels, timed, for readable languages."""
        self._check_languages(languages)
        self._check_open()
        return self._run_timed(clock, lambda: run(_bgr(image.image)), image.name)

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        output = self._checked_run(image, languages, clock, self._run)
        with clock.time("convert"):
            return rapidocr_to_blocks(
                output, unit=self.unit, language=text_language(languages)
            )

    # --------------------------------------------------------------- stages
    def _detect(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        output = self._checked_run(
            image, languages, clock, lambda bgr: self._run_stage(bgr, rec=False)
        )
        with clock.time("convert"):
            return detections_to_blocks(getattr(output, "boxes", None))

    def _recognize_crops(
        self, crops: Crops, languages: Languages, clock: Stopwatch
    ) -> Readings:
        self._check_languages(languages)
        self._check_open()
        output = self._run_timed(
            clock,
            # thin crops padded first: the recognizer scales each to its height
            lambda: self._read_crops([_bgr(pad_to_ratio(c)) for c in crops]),
            f"{len(crops)} crops",
        )
        with clock.time("convert"):
            return crops_to_texts(output, len(crops))

    def _run_stage(self, bgr: np.ndarray[Any, Any], *, rec: bool) -> Any:
        """The engine's own pipeline with recognition (and direction) off.

        RapidOCR keeps ``use_cls``/``use_rec`` on the engine, so they are set
        back on the engine (which this thread holds alone) afterwards.
        """
        with self._engines.engine() as engine:
            fitted = fit_image(engine, bgr, self.max_pixels)
            kept = engine.use_cls, engine.use_rec
            try:
                output = engine(fitted, use_cls=False, use_rec=rec)
                return clip_output(output, fitted, bgr)
            finally:
                engine.use_cls, engine.use_rec = kept

    def _read_crops(self, bgr: list[np.ndarray[Any, Any]]) -> Any:
        """The direction classifier (if on) and the recognizer, all crops at once."""
        with self._engines.engine() as engine:
            if engine.use_cls:
                bgr = engine.text_cls(bgr).img_list
            return engine.text_rec(TextRecInput(img=bgr, return_word_box=False))


def _read_turned(engine: Any, bgr: np.ndarray[Any, Any]) -> Any:
    """The engine's output on an image, with the lines its classifier turned.

    RapidOCR leaves its direction classifier's results out of its output,
    but mirrors the word and character boxes of the lines it turned (see
    :mod:`unocr.backends.rapidocr.convert`). So the engine's steps are
    recorded while it reads (its ``run_ocr_steps`` wrapped on this instance,
    which the calling thread holds alone, for this call only), and the
    output gets ``turned``: one flag per output line, true where the
    classifier turned the line's crop by 180 degrees. Lines are matched as
    RapidOCR keeps them: those with blank text dropped first, then those
    scoring below its ``text_score``. Nothing is set where the classifier
    did not run, or where the recorded steps do not line up with the output.

    Args:
        engine: A RapidOCR engine, borrowed from the pool.
        bgr: The image's pixels, (H, W, 3) uint8 in BGR order.

    Returns:
        The engine's output, with ``turned`` (a list of N bools for its N
        lines) where known.
    """
    recorded: list[tuple[Any, ...]] = []
    run_steps = engine.run_ocr_steps

    def recording(*args: Any, **kwargs: Any) -> Any:
        steps = run_steps(*args, **kwargs)
        det, cls, rec, _ = steps
        # before RapidOCR filters its results (it rebinds these attributes)
        recorded.append((det.boxes, det.scores, cls.cls_res, rec.txts, rec.scores))
        return steps

    engine.run_ocr_steps = recording
    try:
        output = engine(bgr)
    finally:
        del engine.run_ocr_steps
    if len(recorded) == 1 and engine.text_cls is not None:
        boxes, box_scores, labels, txts, scores = recorded[0]
        turned = _turned(
            boxes,
            box_scores,
            labels,
            txts,
            scores,
            cls_thresh=engine.text_cls.cls_thresh,
            text_score=engine.text_score,
        )
        lines = getattr(output, "txts", None)
        if turned is not None and lines is not None and len(turned) == len(lines):
            output.turned = turned
    return output


def _turned(
    boxes: Any,
    box_scores: Any,
    labels: Any,
    txts: Any,
    scores: Any,
    *,
    cls_thresh: float,
    text_score: float,
) -> list[bool] | None:
    """Which of the lines RapidOCR outputs its classifier turned by 180 degrees.

    Args:
        boxes: The detector's (N, 4, 2) line corners, or ``None``.
        box_scores: The detector's N box scores, or ``None``.
        labels: The classifier's N ``(label, score)`` pairs (label ``"0"`` or
            ``"180"``, score in [0, 1]), or ``None`` where it did not run.
        txts: The recognizer's N texts, or ``None``.
        scores: The recognizer's N text confidences, in [0, 1].
        cls_thresh: The classifier score above which RapidOCR turns a crop.
        text_score: RapidOCR's ``text_score``: lines scoring below are dropped.

    Returns:
        One flag per line RapidOCR keeps, in its order; ``None`` where the
        steps' results do not line up (or the classifier did not run).
    """
    if boxes is None or box_scores is None or labels is None or txts is None:
        return None
    if scores is None or not len(boxes) == len(labels) == len(txts) == len(scores):
        return None
    # RapidOCR's order: blank texts dropped, then low scores (build_final_output)
    kept = [i for i, text in enumerate(txts) if str(text).strip()]
    kept = [i for i in kept if not scores[i] < text_score]
    return [
        "180" in str(labels[i][0]) and float(labels[i][1]) > cls_thresh for i in kept
    ]


def _bgr(image: Image.Image) -> np.ndarray[Any, Any]:
    """An RGB image's pixels in the BGR order RapidOCR takes (OpenCV's)."""
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
