"""The ``rapidocr`` backend: PP-OCR models on ONNX Runtime, fully offline.

It runs ``rapidocr_onnxruntime`` (the 1.x package, ``pip install
'unocr[rapidocr]'``), whose wheel ships the PP-OCRv4 detection and recognition
models and the text-direction classifier as ONNX files; nothing is downloaded,
ever. One engine (three ONNX Runtime sessions) is built per backend object and
reused for every call. See ``docs/backends/rapidocr.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import onnxruntime
import rapidocr_onnxruntime
from rapidocr_onnxruntime import RapidOCR

from unocr.backends import catalog
from unocr.backends.base import Backend, Capabilities, Stopwatch
from unocr.backends.rapidocr.convert import rapidocr_to_blocks
from unocr.errors import BackendUnavailableError, LanguageUnavailableError
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.languages import normalize_languages
from unocr.model import Block

__all__ = ["BUNDLED_LANGUAGES", "BUNDLED_MODELS", "RapidOcrBackend"]

#: Languages the models inside the ``rapidocr_onnxruntime`` wheel read.
BUNDLED_LANGUAGES: tuple[str, ...] = ("zh", "en")

_PACKAGE_DIR = Path(rapidocr_onnxruntime.__file__).resolve().parent
#: The ONNX files shipped in the wheel, by stage.
BUNDLED_MODELS: dict[str, Path] = {
    "det": _PACKAGE_DIR / "models" / "ch_PP-OCRv4_det_infer.onnx",
    "cls": _PACKAGE_DIR / "models" / "ch_ppocr_mobile_v2.0_cls_infer.onnx",
    "rec": _PACKAGE_DIR / "models" / "ch_PP-OCRv4_rec_infer.onnx",
}

_FIX_MODELS = (
    "reinstall the engine with pip install --force-reinstall 'unocr[rapidocr]' "
    "(the rapidocr-onnxruntime wheel ships its models)"
)


def _existing_file(path: str | Path | None, what: str) -> Path | None:
    if path is None:
        return None
    p = Path(path).expanduser()
    if not p.is_file():
        raise BackendUnavailableError(
            f"RapidOCR {what} {str(p)!r} does not exist or is not a file.",
            backend="rapidocr",
            fix=f"pass the path of an existing file as {what}=",
        )
    return p


class RapidOcrBackend(Backend):
    """RapidOCR (PaddleOCR's PP-OCR models run by ONNX Runtime).

    Lines come back as native quads with the engine's confidence (the mean
    probability of their characters). With ``word_boxes=True`` (the default)
    RapidOCR also locates every character; those become native symbols and
    words are grouped from them. Otherwise words are synthesised by splitting
    each line quad in proportion to character counts. Either way words are
    ``native=False``: RapidOCR reports lines, not words.

    The bundled models read Chinese and English (``languages=("zh", "en")``,
    the default). Any other language needs a recognition model and its
    character list supplied by path (``rec_model_path=``, ``rec_keys_path=``);
    name the languages it reads with ``model_languages=``.

    Args:
        languages: Default languages (ISO 639 codes); ``None`` for the models'.
        max_pixels: Refuse larger images before decoding; ``None``: no limit.
        device: ``"cpu"`` or ``"cuda"`` (needs the ``onnxruntime-gpu`` package
            with a working CUDA; never falls back silently).
        text_score: Drop lines whose confidence is below this, in [0, 1]
            (RapidOCR ``text_score``, default 0.5).
        box_thresh: Minimum mean detector score inside a text box, in [0, 1]
            (``det_box_thresh``, default 0.5).
        det_thresh: Detector pixel threshold, in [0, 1] (``det_thresh``, 0.3).
        unclip_ratio: How far detected boxes are grown around the text
            (``det_unclip_ratio``, default 1.6; larger gives looser boxes).
        det_limit_type: How the detector resizes the image: ``"min"`` (the
            default) scales the shorter side to ``det_limit_side_len``, which
            blows up short strips (a 150 px high crop is enlarged ~5 times and
            its lines break into fragments); ``"max"`` only shrinks pages whose
            longer side exceeds 960/1500/2000 px (RapidOCR's steps), better for
            crops and single lines.
        det_limit_side_len: Target of the shorter side for ``"min"`` (736).
        use_cls: Run the 0/180 degree text-direction classifier (default True).
        word_boxes: Ask RapidOCR for per-character boxes (``return_word_box``);
            adds 2-9 % to the time per page (``bench/dl.py``).
        det_model_path: Detection ONNX model to use instead of the bundled one.
        cls_model_path: Direction classifier ONNX model instead of the bundled one.
        rec_model_path: Recognition ONNX model, e.g. a PP-OCR model for
            another language.
        rec_keys_path: The character list (one per line) matching
            ``rec_model_path``, unless that model embeds it.
        model_languages: ISO 639 codes the supplied ``rec_model_path`` reads;
            when omitted, any requested language is passed to it unchecked.
        threads: ONNX Runtime intra-op threads per session (``None``: its
            default, all cores).
        engine_options: Further keyword options passed verbatim to
            ``rapidocr_onnxruntime.RapidOCR`` (its ``config.yaml`` keys, e.g.
            ``{"max_side_len": 1500, "det_limit_side_len": 960}``).

    Raises:
        ValueError: ``device`` is not ``"cpu"`` or ``"cuda"``.
        unocr.errors.BackendUnavailableError: CUDA requested but not usable,
            a model file missing, or the engine could not be built.
        unocr.errors.LanguageUnavailableError: A default language the models
            cannot read.
    """

    name: ClassVar[str] = "rapidocr"
    capabilities: ClassVar[Capabilities] = catalog.capabilities("rapidocr")

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        device: Literal["cpu", "cuda"] = "cpu",
        text_score: float = 0.5,
        box_thresh: float = 0.5,
        det_thresh: float = 0.3,
        unclip_ratio: float = 1.6,
        det_limit_type: Literal["min", "max"] = "min",
        det_limit_side_len: float = 736,
        use_cls: bool = True,
        word_boxes: bool = True,
        det_model_path: str | Path | None = None,
        cls_model_path: str | Path | None = None,
        rec_model_path: str | Path | None = None,
        rec_keys_path: str | Path | None = None,
        model_languages: str | Sequence[str] | None = None,
        threads: int | None = None,
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(languages=languages, max_pixels=max_pixels)
        if device not in ("cpu", "cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
        if det_limit_type not in ("min", "max"):
            raise ValueError(
                f"det_limit_type must be 'min' or 'max', got {det_limit_type!r}"
            )
        self.device = device
        self.text_score = float(text_score)
        self.box_thresh = float(box_thresh)
        self.unclip_ratio = float(unclip_ratio)
        self.word_boxes = bool(word_boxes)
        rec_model = _existing_file(rec_model_path, "rec_model_path")
        #: Languages the recognition model reads; ``None``: not checked.
        self.model_languages: tuple[str, ...] | None
        if rec_model is None:
            self.model_languages = BUNDLED_LANGUAGES
        elif model_languages is None:
            self.model_languages = None
        else:
            self.model_languages = normalize_languages(model_languages)
        self._check_languages(self.languages)

        options: dict[str, Any] = {
            "text_score": self.text_score,
            "use_cls": bool(use_cls),
            "det_box_thresh": self.box_thresh,
            "det_thresh": float(det_thresh),
            "det_unclip_ratio": self.unclip_ratio,
            "det_limit_type": det_limit_type,
            "det_limit_side_len": float(det_limit_side_len),
        }
        for key, value, what in (
            ("det_model_path", det_model_path, "det_model_path"),
            ("cls_model_path", cls_model_path, "cls_model_path"),
            ("rec_keys_path", rec_keys_path, "rec_keys_path"),
        ):
            path = _existing_file(value, what)
            if path is not None:
                options[key] = str(path)
        if rec_model is not None:
            options["rec_model_path"] = str(rec_model)
        else:
            missing = [str(p) for p in BUNDLED_MODELS.values() if not p.is_file()]
            if missing:
                raise BackendUnavailableError(
                    "RapidOCR's bundled model files are missing: "
                    f"{', '.join(missing)}.",
                    backend=self.name,
                    fix=_FIX_MODELS,
                )
        if threads is not None:
            options["intra_op_num_threads"] = int(threads)
        if device == "cuda":
            providers = onnxruntime.get_available_providers()
            if "CUDAExecutionProvider" not in providers:
                raise BackendUnavailableError(
                    "device='cuda' was requested but this ONNX Runtime has no CUDA "
                    f"provider (available: {', '.join(providers)}).",
                    backend=self.name,
                    fix="pip uninstall -y onnxruntime && pip install onnxruntime-gpu "
                    "(matching your CUDA and cuDNN versions), or use device='cpu'",
                )
            options.update(det_use_cuda=True, cls_use_cuda=True, rec_use_cuda=True)
        options.update(engine_options or {})
        # Per-call values (see _recognize) follow engine_options where given.
        self.text_score = float(options["text_score"])
        self.box_thresh = float(options["det_box_thresh"])
        self.unclip_ratio = float(options["det_unclip_ratio"])
        self._options = options
        try:
            self._engine: RapidOCR | None = RapidOCR(**options)
        except Exception as exc:
            raise BackendUnavailableError(
                f"RapidOCR could not load its models: {type(exc).__name__}: {exc}",
                backend=self.name,
                fix="check the model paths and engine_options, or " + _FIX_MODELS,
            ) from exc
        # RapidOCR keeps per-call state on the engine object (thresholds,
        # pre-processing); one call at a time keeps that consistent.
        self._engine_lock = threading.Lock()

    def _check_languages(self, languages: tuple[str, ...]) -> None:
        if self.model_languages is None:
            return
        readable_primary = {code.split("-")[0] for code in self.model_languages}
        for lang in languages:
            if lang.split("-")[0] not in readable_primary:
                readable = ", ".join(self.model_languages)
                raise LanguageUnavailableError(
                    f"RapidOCR's recognition model reads {readable}, not {lang!r}; "
                    "nothing is downloaded.",
                    language=lang,
                    backend=self.name,
                    fix=(
                        "pass a PP-OCR recognition model for that language as "
                        "rec_model_path= (an ONNX file), its character list as "
                        f"rec_keys_path= and model_languages=[{lang!r}]"
                    ),
                )

    def close(self) -> None:
        """Release the ONNX Runtime sessions."""
        self._engine = None
        super().close()

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[Block, ...]:
        self._check_languages(languages)
        engine = self._engine
        if engine is None:
            self._check_open()
            raise AssertionError("unreachable: open backend without an engine")
        with clock.time("engine"):
            # RapidOCR takes BGR arrays (OpenCV order).
            bgr = np.ascontiguousarray(np.asarray(image.image)[:, :, ::-1])
            with self._engine_lock:
                # Passing any keyword resets these three on the engine to
                # RapidOCR's defaults unless given, so always give them.
                result, _elapsed = engine(
                    bgr,
                    return_word_box=self.word_boxes,
                    box_thresh=self.box_thresh,
                    unclip_ratio=self.unclip_ratio,
                    text_score=self.text_score,
                )
        with clock.time("convert"):
            return rapidocr_to_blocks(result)
