"""The ``rapidocr`` backend: RapidOCR 3 with its bundled PP-OCRv6 models, offline.

It runs the ``rapidocr`` package (3.x, ``pip install 'unocr[rapidocr]'``),
whose wheel ships the PP-OCRv6 small detection and recognition models and the
text-direction classifier as ONNX files. The models are always passed by path,
so RapidOCR never downloads anything. Inference runs on ONNX Runtime (the
default) or OpenVINO (``inference="openvino"``, ``pip install
'unocr[rapidocr-openvino]'``). See ``docs/backends/rapidocr.md``.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import math
import os
import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Literal, cast

import numpy as np
from omegaconf import OmegaConf
from PIL import Image
from rapidocr import EngineType, RapidOCR
from rapidocr.ch_ppocr_rec import TextRecInput
from rapidocr.main import DEFAULT_CFG_PATH
from rapidocr.utils.parse_parameters import ParseParams

from unocr.backends import catalog
from unocr.backends.base import Capabilities, Stopwatch
from unocr.backends.options import (
    check_choice,
    check_count,
    check_number,
    describe_type,
    matches_type,
)
from unocr.backends.pooled import PooledBackend
from unocr.backends.rapidocr.convert import (
    crops_to_texts,
    detections_to_blocks,
    rapidocr_to_blocks,
)
from unocr.backends.rapidocr.models import BUNDLED_LANGUAGES, bundled_models
from unocr.errors import (
    BackendUnavailableError,
    ConfigError,
    LanguageUnavailableError,
    RecognitionError,
)
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.languages import model_language, normalize_languages
from unocr.limits import check_limit
from unocr.model import Block

__all__ = ["RapidOcrBackend"]

_FIX_MODELS = (
    "reinstall the engine with pip install --force-reinstall 'unocr[rapidocr]' "
    "(the rapidocr wheel ships its models)"
)
#: Inference engines and the extra that installs each.
_INFERENCE = {"onnxruntime": "rapidocr", "openvino": "rapidocr-openvino"}
#: Longest side a size setting may ask for, in pixels: the side of the
#: largest square image the default ``max_pixels`` lets in.
MAX_SIDE = math.isqrt(DEFAULT_MAX_PIXELS)
#: RapidOCR settings that are side lengths in pixels.
_SIDES = frozenset(
    {"Global.max_side_len", "Global.min_side_len", "Global.min_height",
     "Det.limit_side_len"}
)  # fmt: skip
#: Settings RapidOCR only takes as its own enum (its ``ParseParams.update_batch``).
_ENUMS = frozenset({"engine_type", "model_type", "ocr_version", "task_type"})


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
            (default 736, at most :data:`MAX_SIDE`).
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
            at most :data:`MAX_SIDE`.

    Thin images, which RapidOCR would enlarge to gigabytes, are padded
    first, and an image whose detector input would still exceed
    ``max_pixels`` is refused before the engine runs (``docs/backends/
    rapidocr.md``, *Thin images and memory*).

    Raises:
        unocr.errors.ConfigError: An option out of range, or an
            ``engine_options`` key or value RapidOCR does not take.
        unocr.errors.BackendUnavailableError: The inference engine or CUDA is
            not installed, a model file is missing, or the engine could not be
            built.
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
        params.update(_check_engine_options(engine_options))
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
            fitted = _fit(engine, bgr, self.max_pixels)
            return _within(engine(fitted), fitted, bgr)

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[Block, ...]:
        self._check_languages(languages)
        self._check_open()
        output = self._run_timed(
            clock, lambda: self._run(_bgr(image.image)), image.name
        )
        with clock.time("convert"):
            return rapidocr_to_blocks(output, unit=self.unit)

    # --------------------------------------------------------------- stages
    def _detect(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[Block, ...]:
        self._check_open()
        output = self._run_timed(
            clock, lambda: self._run_stage(_bgr(image.image), rec=False), image.name
        )
        with clock.time("convert"):
            return detections_to_blocks(getattr(output, "boxes", None))

    def _recognize_crops(
        self,
        crops: Sequence[Image.Image],
        languages: tuple[str, ...],
        clock: Stopwatch,
    ) -> list[tuple[str, float | None]]:
        self._check_languages(languages)
        self._check_open()
        output = self._run_timed(
            clock,
            lambda: self._read_crops([_bgr(c) for c in crops]),
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
            fitted = _fit(engine, bgr, self.max_pixels)
            kept = engine.use_cls, engine.use_rec
            try:
                return _within(engine(fitted, use_cls=False, use_rec=rec), fitted, bgr)
            finally:
                engine.use_cls, engine.use_rec = kept

    def _read_crops(self, bgr: list[np.ndarray[Any, Any]]) -> Any:
        """The direction classifier (if on) and the recognizer, all crops at once."""
        with self._engines.engine() as engine:
            if engine.use_cls:
                bgr = engine.text_cls(bgr).img_list
            return engine.text_rec(TextRecInput(img=bgr, return_word_box=False))


# --------------------------------------------------------------- settings
@functools.cache
def _defaults() -> dict[str, Any]:
    """RapidOCR's settings by dotted key (sections too), with their defaults."""
    tree = cast(
        "dict[str, Any]", OmegaConf.to_container(ParseParams.load(DEFAULT_CFG_PATH))
    )
    found: dict[str, Any] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for name, value in node.items():
            key = f"{prefix}.{name}"
            found[key] = value
            if isinstance(value, dict):
                walk(key, value)

    for section, node in tree.items():
        walk(section, node)
    return found


def _check_engine_options(options: object) -> dict[str, Any]:
    """``engine_options`` checked against RapidOCR's own settings.

    Args:
        options: The ``engine_options`` given, or ``None``.

    Returns:
        The settings to pass to RapidOCR (a string naming one of its enum
        values becomes that value).

    Raises:
        unocr.errors.ConfigError: Not a mapping of dotted keys, a key
            RapidOCR does not have (naming the closest), or a bad value.
    """
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise ConfigError(
            "engine_options must map RapidOCR's dotted setting names to values, "
            f"got {reprlib.repr(options)}; e.g. {{'Global.max_side_len': 1500}}"
        )
    checked: dict[str, Any] = {}
    for key, value in options.items():
        if not isinstance(key, str):
            raise ConfigError(
                "engine_options keys must be RapidOCR's dotted setting names "
                f"(e.g. 'Global.max_side_len'), got {key!r}"
            )
        checked[key] = _setting(key, value)
    return checked


def _setting(key: str, value: object) -> object:
    """One RapidOCR setting's value, checked against its default (see above)."""
    defaults = _defaults()
    name = f"engine_options[{key!r}]"
    if key not in defaults:
        if _free(key, defaults):
            return value
        close = difflib.get_close_matches(key, list(defaults), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(
            f"RapidOCR has no setting {key!r}{hint}; engine_options takes the "
            "dotted keys of its config.yaml, e.g. 'Global.max_side_len' or "
            "'Det.box_thresh'"
        )
    default = defaults[key]
    if isinstance(default, dict) and default:  # a section: each of its settings
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"{name} is a section of settings: give a mapping of them, or "
                f"set each as '{key}.NAME'; got {reprlib.repr(value)}"
            )
        return {k: _setting(f"{key}.{k}", v) for k, v in value.items()}
    if isinstance(default, Enum):
        kind = type(default)
        if isinstance(value, kind):
            return value
        if key.rsplit(".", 1)[1] not in _ENUMS and isinstance(value, str):
            return value  # e.g. a lang_type: RapidOCR takes any name
        return kind(check_choice(value, name, [m.value for m in kind]))
    if default is not None and matches_type(value, type(default)) is False:
        raise ConfigError(
            f"{name} must be {describe_type(type(default))}, got {reprlib.repr(value)}"
        )
    if key in _SIDES:
        check_count(value, name, maximum=MAX_SIDE)
    elif key == "Det.limit_type":
        check_choice(value, name, ("min", "max"))
    elif key == "Global.width_height_ratio" and value != -1:
        check_number(value, f"{name} (-1: off)", above=True)
    return value


def _free(key: str, defaults: Mapping[str, Any]) -> bool:
    """Whether ``key`` lies under an engine setting RapidOCR leaves open (``{}``)."""
    parts = key.split(".")
    heads = (".".join(parts[:n]) for n in range(2, len(parts)))
    return key.startswith("EngineConfig.") and any(
        head in defaults and defaults[head] in (None, {}) for head in heads
    )


# ----------------------------------------------------------------- sizes
def _scaled(height: int, width: int, ratio: float) -> tuple[int, int]:
    """RapidOCR's resize: each side scaled, truncated, rounded to 32 pixels."""
    return (
        int(round(int(height * ratio) / 32) * 32),
        int(round(int(width * ratio) / 32) * 32),
    )


@dataclass(frozen=True)
class _Resizing:
    """The RapidOCR 3 settings that decide the size of its detector's input."""

    preprocess: bool
    max_side_len: float
    min_side_len: float
    vertical_padding: bool
    min_height: int
    width_height_ratio: float
    limit_type: str
    limit_side_len: float

    @classmethod
    def of(cls, cfg: Any) -> _Resizing:
        """The settings of a RapidOCR engine's configuration."""
        g, det = cfg.Global, cfg.Det
        return cls(
            bool(g.use_preprocess_img),
            g.max_side_len,
            g.min_side_len,
            bool(g.use_vertical_padding),
            int(g.min_height),
            g.width_height_ratio,
            str(det.limit_type),
            det.limit_side_len,
        )

    def padded(self, height: int, width: int) -> tuple[int, int]:
        """The (height, width) unocr pads an image to at the bottom or right.

        RapidOCR pads a page more than ``width_height_ratio`` (8) times as
        wide as tall to 4:1 for its detector, but only after enlarging a page
        under ``min_side_len`` (30) px thick to that thickness, and never pads
        a tall page: a thin page became a detector input of tens of
        gigabytes. Such a page is padded first: a tall one to 4:1 (RapidOCR's
        rule for wide ones, turned), a wide one to ``min_side_len`` px.
        """
        ratio = self.width_height_ratio
        if ratio <= 0:  # RapidOCR's proportion rule is off
            return height, width
        if height > ratio * width:
            return height, max(int(height / ratio), self.min_height) * 2
        if self.preprocess and width > ratio * height and height < self.min_side_len:
            return math.ceil(self.min_side_len), width
        return height, width

    def detector(self, height: int, width: int) -> tuple[int, int] | None:
        """(height, width) of RapidOCR's detector input for an image.

        Returns:
            The size, or ``None`` where RapidOCR's first step shrinks a side
            to nothing (its ``ResizeImgError``).
        """
        h, w = height, width
        if self.preprocess:
            if max(h, w) > self.max_side_len:
                h, w = _scaled(h, w, self.max_side_len / (h if h > w else w))
                if h <= 0 or w <= 0:
                    return None
            if min(h, w) < self.min_side_len:
                h, w = _scaled(h, w, self.min_side_len / (h if h < w else w))
                if h <= 0 or w <= 0:
                    return None
        ratio = self.width_height_ratio
        if self.vertical_padding and (
            h <= self.min_height or (ratio != -1 and w / h > ratio)
        ):
            new_h = max(int(w / ratio), self.min_height) * 2
            h += 2 * int(abs(new_h - h) / 2)
        side = self.limit_side_len
        scale = 1.0
        if self.limit_type == "max" and max(h, w) > side:
            scale = side / (h if h > w else w)
        elif self.limit_type != "max" and min(h, w) < side:
            scale = side / (h if h < w else w)
        return _scaled(h, w, scale)


def _fit(engine: Any, bgr: np.ndarray[Any, Any], max_pixels: int | None) -> Any:
    """The image as RapidOCR can read it: padded where thin, or refused.

    A thin image is padded at the bottom or right with its background (the
    median colour of its edge), so coordinates need no mapping
    (:meth:`_Resizing.padded`). Then RapidOCR's own resizing is worked out
    before it runs: a page it would shrink to no rows, or whose padded size
    or detector input exceeds ``max_pixels``, is refused.

    Args:
        engine: The RapidOCR engine that will read the image.
        bgr: The image's pixels, BGR.
        max_pixels: The backend's pixel limit, ``None`` for none.

    Returns:
        ``bgr`` itself, or a padded copy.

    Raises:
        unocr.errors.RecognitionError: The image cannot be read within bounds;
            the message gives the sizes and what to do.
    """
    height, width = bgr.shape[:2]
    sizes = _Resizing.of(engine.cfg)
    padded = sizes.padded(height, width)
    shown = f"this {width}x{height}-pixel image"
    if padded != (height, width):
        shown += f" (padded to {padded[1]}x{padded[0]})"
        check_limit(
            padded[0] * padded[1],
            max_pixels,
            what=f"{shown[0].upper()}{shown[1:]}, too thin for RapidOCR as it "
            "is (or cut it into shorter pieces)",
            unit="pixels",
            argument="max_pixels",
            error=RecognitionError,
        )
    detector = sizes.detector(*padded)
    if detector is None:
        raise _too_long(sizes, shown, padded)
    if engine.use_det:
        check_limit(
            detector[0] * detector[1],
            max_pixels,
            what=f"RapidOCR would make a {detector[1]}x{detector[0]}-pixel "
            f"detector input of {shown} (lower det_limit_side_len or "
            "Global.max_side_len, use det_limit_type='max', or resize the image)",
            unit="pixels",
            argument="max_pixels",
            error=RecognitionError,
        )
    if padded == (height, width):
        return bgr
    edge = np.concatenate([bgr[0], bgr[-1], bgr[:, 0], bgr[:, -1]])
    out = np.empty((*padded, 3), np.uint8)
    out[:] = np.median(edge, axis=0).astype(np.uint8)
    out[:height, :width] = bgr
    return out


def _too_long(
    sizes: _Resizing, shown: str, padded: tuple[int, int]
) -> RecognitionError:
    """The error for a page RapidOCR shrinks to no rows, saying what to do."""
    longest, shortest = max(padded), min(padded)
    need = math.ceil(17 * longest / shortest)  # a side rounds to 32 px from 17
    while (
        need < longest and replace(sizes, max_side_len=need).detector(*padded) is None
    ):
        need += 1
    limit = sizes.max_side_len
    option = (
        f", or pass engine_options={{'Global.max_side_len': {need}}}"
        if need <= MAX_SIDE
        else ""
    )
    return RecognitionError(
        f"RapidOCR cannot read {shown}: it scales the long side down to "
        f"{limit:g} px (Global.max_side_len), leaving the short side under 16 "
        "px, so no row; cut the image into pieces at most "
        f"{math.floor(shortest * limit / 17)} px long{option}",
        backend="rapidocr",
    )


def _within(output: Any, fitted: Any, bgr: np.ndarray[Any, Any]) -> Any:
    """RapidOCR's output with its boxes cut back to the image before padding.

    RapidOCR cuts line boxes to the image it read; after padding that is the
    padded one, so they are cut again to the original, words too.
    """
    if fitted is bgr:
        return output
    top = np.array([bgr.shape[1], bgr.shape[0]], dtype=np.float64)
    boxes = getattr(output, "boxes", None)
    if boxes is None or not len(boxes):
        return output
    output.boxes = np.clip(np.asarray(boxes, dtype=np.float64), 0, top)
    lines = getattr(output, "word_results", None)
    if isinstance(lines, tuple):
        output.word_results = tuple(_words_within(items, top) for items in lines)
    return output


def _words_within(items: Any, top: np.ndarray[Any, Any]) -> Any:
    """One line's ``(text, score, box)`` items with each box cut to ``top``."""
    if not isinstance(items, (list, tuple)) or not all(
        isinstance(i, (list, tuple)) and len(i) == 3 for i in items
    ):
        return items  # not word items (RapidOCR's placeholder for none)
    return tuple(
        (t, s, None if b is None else np.clip(np.asarray(b), 0, top).tolist())
        for t, s, b in items
    )


def _bgr(image: Image.Image) -> np.ndarray[Any, Any]:
    """An RGB image's pixels in the BGR order RapidOCR takes (OpenCV's)."""
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
