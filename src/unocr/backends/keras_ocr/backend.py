"""The ``keras-ocr`` backend: CRAFT text detector + CRNN recognizer on TensorFlow.

Importing this module imports TensorFlow (through keras-ocr); the registry does
that only when the name ``keras-ocr`` is first used. TensorFlow's C++ log level
is set to warnings-off (``TF_CPP_MIN_LOG_LEVEL=2``) unless the variable is
already set, and its Python and absl loggers are turned down to errors.

keras-ocr needs numpy<2 and a TensorFlow with Keras 2 (2.12-2.15): install
``pip install 'unocr[keras-ocr]'`` in an environment of its own. Its pretrained
weights are never downloaded: see :class:`KerasOcrBackend` and
``docs/backends/keras-ocr.md``.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import keras_ocr
import numpy as np

from unocr.backends import catalog
from unocr.backends.base import Backend, Capabilities, Stopwatch
from unocr.backends.keras_ocr.convert import keras_ocr_to_blocks
from unocr.errors import (
    BackendUnavailableError,
    LanguageUnavailableError,
    RecognitionError,
    UnocrError,
)
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.model import Block

__all__ = [
    "DETECTOR_WEIGHTS",
    "MAX_PADDING",
    "RECOGNIZER_WEIGHTS",
    "KerasOcrBackend",
    "cache_dir",
    "size_groups",
]

# TensorFlow's Python logger and absl's (which TensorFlow also writes to): errors
# only, unless the application has set a level itself.
for _name in ("tensorflow", "absl"):
    _logger = logging.getLogger(_name)
    if _logger.level in (logging.NOTSET, logging.WARNING, logging.INFO):
        _logger.setLevel(logging.ERROR)

#: File name keras-ocr gives the pretrained CRAFT detector weights (Keras h5).
DETECTOR_WEIGHTS: str = keras_ocr.detection.PRETRAINED_WEIGHTS[
    ("clovaai_general", False)
]["filename"]
#: File name keras-ocr gives the pretrained CRNN recognizer weights (with top).
RECOGNIZER_WEIGHTS: str = keras_ocr.recognition.PRETRAINED_WEIGHTS["kurapan"][
    "weights"
]["top"]["filename"]
_RELEASE = "https://github.com/faustomorales/keras-ocr/releases/tag/v0.8.4"
#: Largest ratio of padded to real pixels accepted when batching images.
MAX_PADDING = 1.3


def cache_dir() -> Path:
    """keras-ocr's weights folder: ``$KERAS_OCR_CACHE_DIR`` or ``~/.keras-ocr``."""
    return Path(keras_ocr.tools.get_default_cache_dir()).expanduser()


def _resolve_weights(
    detector_weights: str | os.PathLike[str] | None,
    recognizer_weights: str | os.PathLike[str] | None,
) -> tuple[Path, Path]:
    """Find both weight files locally, or raise naming every missing one."""
    folder = cache_dir()
    wanted = (
        ("detector", detector_weights, DETECTOR_WEIGHTS),
        ("recognizer", recognizer_weights, RECOGNIZER_WEIGHTS),
    )
    found: list[Path] = []
    missing: list[str] = []
    for role, explicit, filename in wanted:
        path = (
            Path(explicit).expanduser() if explicit is not None else folder / filename
        )
        found.append(path)
        if not path.is_file():
            how = f"from {role}_weights=" if explicit is not None else "cache folder"
            missing.append(f"{role} weights {path} ({how})")
    if missing:
        raise BackendUnavailableError(
            "keras-ocr's pretrained weights are not on this machine and unocr never "
            f"downloads them; missing: {'; '.join(missing)}.",
            backend="keras-ocr",
            fix=(
                f"put {DETECTOR_WEIGHTS} (CRAFT detector) and {RECOGNIZER_WEIGHTS} "
                f"(CRNN recognizer), from the assets of {_RELEASE}, into {folder} "
                "(or set KERAS_OCR_CACHE_DIR to their folder), or pass their paths as "
                "detector_weights= and recognizer_weights=, or use pretrained=False "
                "for untrained (random) models"
            ),
        )
    return found[0], found[1]


def size_groups(
    sizes: Sequence[tuple[int, int]], max_padding: float = MAX_PADDING
) -> list[list[int]]:
    """Group images for batching so that padding stays small.

    keras-ocr pads every image of a ``Pipeline.recognize`` call to the largest
    width and height among them; a small image batched with a large one costs
    as much as the large one. Images are sorted by size and a group grows
    while its padded area (``n * max_width * max_height``) stays within
    ``max_padding`` times the images' own total area.

    Args:
        sizes: ``(width, height)`` of each image, in pixels.
        max_padding: Largest allowed ratio of padded to real pixels (>= 1).

    Returns:
        Groups of indices into ``sizes``, smallest images first.

    Examples:
        >>> size_groups([(640, 480), (100, 50), (640, 480), (110, 50)])
        [[1, 3], [0, 2]]
    """
    order = sorted(range(len(sizes)), key=lambda i: (sizes[i][1], sizes[i][0], i))
    groups: list[list[int]] = []
    current: list[int] = []
    for i in order:
        candidate = [*current, i]
        width = max(sizes[j][0] for j in candidate)
        height = max(sizes[j][1] for j in candidate)
        real = sum(sizes[j][0] * sizes[j][1] for j in candidate)
        if current and len(candidate) * width * height > max_padding * max(real, 1):
            groups.append(current)
            candidate = [i]
        current = candidate
    if current:
        groups.append(current)
    return groups


class KerasOcrBackend(Backend):
    """keras-ocr: CRAFT word detection and a CRNN recognizer, on TensorFlow.

    The pipeline (both models) is built once per backend object. ``read_many``
    hands :attr:`batch_size` images at a time to :meth:`_recognize_batch`,
    which sends images of similar size together in one
    ``Pipeline.recognize`` call (see :func:`size_groups`: keras-ocr pads a
    batch to its largest image).

    keras-ocr reports words only, as rotated quads, with **no confidence**:
    every ``confidence`` is ``None``. Lines and blocks are synthesised
    (``native=False``). Its recognizer reads digits and the letters a-z and
    returns lower case (language ``"en"``).

    Weights are taken, never downloaded, from ``detector_weights=`` and
    ``recognizer_weights=`` or from keras-ocr's cache folder
    (``$KERAS_OCR_CACHE_DIR`` or ``~/.keras-ocr``) under the names keras-ocr
    uses, ``craft_mlt_25k.h5`` and ``crnn_kurapan.h5``.

    Args:
        languages: Default languages; only English (``"en"``) is readable.
        max_pixels: Refuse larger images before decoding; ``None``: no limit.
        pretrained: ``False`` builds both models with random weights (nothing
            is read from disk), for tests and for training from scratch.
        detector_weights: Path of the CRAFT detector weights (``.h5``).
        recognizer_weights: Path of the CRNN recognizer weights (``.h5``).
        scale: keras-ocr's up-scaling factor applied before detection (2).
        max_size: Longest image side after scaling, in pixels (2048).
        detection_threshold: Minimum peak text score of a word region (0.7).
        text_threshold: Text-map binarisation threshold (0.4).
        link_threshold: Link-map binarisation threshold (0.4).
        size_threshold: Minimum word region area, in detector pixels (10).

    Raises:
        unocr.errors.BackendUnavailableError: Pretrained weights missing, or a
            weights file keras-ocr cannot load.
        unocr.errors.LanguageUnavailableError: A language other than English.
    """

    name: ClassVar[str] = "keras-ocr"
    capabilities: ClassVar[Capabilities] = catalog.capabilities("keras-ocr")
    batch_size: ClassVar[int] = 4
    # One TensorFlow graph per backend; calls run one at a time.
    thread_safe: ClassVar[bool] = False

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        pretrained: bool = True,
        detector_weights: str | os.PathLike[str] | None = None,
        recognizer_weights: str | os.PathLike[str] | None = None,
        scale: float = 2,
        max_size: int = 2048,
        detection_threshold: float = 0.7,
        text_threshold: float = 0.4,
        link_threshold: float = 0.4,
        size_threshold: int = 10,
    ) -> None:
        super().__init__(languages=languages, max_pixels=max_pixels)
        self._check_languages(self.languages)
        self.pretrained = bool(pretrained)
        weights: tuple[Path, Path] | None = None
        if self.pretrained:
            weights = _resolve_weights(detector_weights, recognizer_weights)
        self.detection_kwargs: dict[str, Any] = {
            "detection_threshold": float(detection_threshold),
            "text_threshold": float(text_threshold),
            "link_threshold": float(link_threshold),
            "size_threshold": int(size_threshold),
            "verbose": 0,
        }
        self.recognition_kwargs: dict[str, Any] = {"verbose": 0}
        try:
            detector = keras_ocr.detection.Detector(weights=None)
            recognizer = keras_ocr.recognition.Recognizer(
                alphabet=keras_ocr.recognition.DEFAULT_ALPHABET, weights=None
            )
            if weights is not None:
                # What keras-ocr does after its download step, minus the download.
                detector.model.load_weights(str(weights[0]))
                recognizer.model.load_weights(str(weights[1]))
        except Exception as exc:  # h5py, Keras and TensorFlow errors alike
            raise BackendUnavailableError(
                f"keras-ocr could not load its weights: {type(exc).__name__}: {exc}",
                backend=self.name,
                fix=f"replace {DETECTOR_WEIGHTS} and {RECOGNIZER_WEIGHTS} with intact "
                f"copies from {_RELEASE}",
            ) from exc
        self._pipeline: Any = keras_ocr.pipeline.Pipeline(
            detector=detector, recognizer=recognizer, scale=scale, max_size=max_size
        )

    def _check_languages(self, languages: tuple[str, ...]) -> None:
        for lang in languages:
            if lang.split("-")[0] != "en":
                raise LanguageUnavailableError(
                    f"keras-ocr's recognizer reads only digits and the letters a-z "
                    f"(English), not {lang!r}.",
                    language=lang,
                    backend=self.name,
                    fix="use languages=['en'] or another backend (e.g. tesseract or "
                    "rapidocr) for that language",
                )

    def close(self) -> None:
        """Drop the models (TensorFlow frees them when no longer referenced)."""
        self._pipeline = None
        super().close()

    def _run(
        self,
        images: Sequence[LoadedImage],
        languages: tuple[str, ...],
        clocks: Sequence[Stopwatch],
    ) -> list[tuple[Block, ...]]:
        """One ``Pipeline.recognize`` call for all ``images``.

        The call's engine time is shared equally among the images' clocks.
        """
        self._check_languages(languages)
        pipeline = self._pipeline
        if pipeline is None:
            self._check_open()
            raise AssertionError("unreachable: open backend without a pipeline")
        arrays = [np.asarray(img.image, dtype=np.uint8) for img in images]
        batch = Stopwatch()
        try:
            with batch.time("engine"):
                predictions = pipeline.recognize(
                    arrays,
                    detection_kwargs=self.detection_kwargs,
                    recognition_kwargs=self.recognition_kwargs,
                )
        except UnocrError:
            raise
        except Exception as exc:
            names = ", ".join(img.name for img in images)
            raise RecognitionError(
                f"keras-ocr failed on {names}: {type(exc).__name__}: {exc}",
                backend=self.name,
            ) from exc
        share = batch.timings().engine / max(1, len(images))
        out: list[tuple[Block, ...]] = []
        for img, preds, clock in zip(images, predictions, clocks, strict=True):
            clock.add("engine", share)
            with clock.time("convert"):
                out.append(
                    keras_ocr_to_blocks(preds, width=img.width, height=img.height)
                )
        return out

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> tuple[Block, ...]:
        return self._run([image], languages, [clock])[0]

    def _recognize_batch(
        self,
        images: Sequence[LoadedImage],
        languages: tuple[str, ...],
        clocks: Sequence[Stopwatch],
    ) -> list[Sequence[Block] | UnocrError]:
        """Recognise ``images`` in as few pipeline calls as padding allows.

        Images are grouped by :func:`size_groups`; each group is one
        ``Pipeline.recognize`` call whose engine time is shared equally among
        its images. If a group fails, its images are retried one at a time so
        one bad image does not fail the others.
        """
        self._check_languages(languages)
        out: list[Sequence[Block] | UnocrError | None] = [None] * len(images)
        for group in size_groups([(img.width, img.height) for img in images]):
            members = [images[i] for i in group]
            member_clocks = [clocks[i] for i in group]
            try:
                found: Sequence[Sequence[Block] | UnocrError] = self._run(
                    members, languages, member_clocks
                )
            except UnocrError as group_error:
                if len(members) == 1:
                    found = [group_error]
                else:
                    found = [
                        self._run_one(img, languages, clock)
                        for img, clock in zip(members, member_clocks, strict=True)
                    ]
            for i, result in zip(group, found, strict=True):
                out[i] = result
        return [r for r in out if r is not None]

    def _run_one(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> Sequence[Block] | UnocrError:
        try:
            return self._run([image], languages, [clock])[0]
        except UnocrError as err:
            return err
