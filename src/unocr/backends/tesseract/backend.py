"""The Tesseract backend: Tesseract 4/5 LSTM through its ``tesseract`` program.

Each recognition runs one ``tesseract`` process reading the image from standard
input and writing TSV to standard output (:mod:`.process`), read by the pure
:mod:`unocr.formats.tsv`. Two details make it fast and safe:

* **One engine thread per call.** Tesseract's OpenMP threads oversubscribe
  small machines badly (a page can take several times longer than with one
  thread), so the child runs with ``OMP_THREAD_LIMIT=1`` -- set in the child's
  environment only, never in :data:`os.environ`. Parallelism comes from
  ``read_many(..., workers=N)``, which runs N processes at once.
* **Time-outs leave nothing behind.** On expiry the process group is killed and
  reaped, and :class:`~unocr.errors.EngineTimeoutError` names the image.

The image Tesseract reads is the original file's bytes when they show exactly
the upright image unocr decoded (so results equal ``tesseract FILE``, including
the resolution stored in the file); otherwise the decoded RGB pixels (PPM, with
``--dpi`` when the image carries a resolution).

Optional in-process path: where ``tesserocr`` (built against the same Tesseract
version as the program) is installed, ``engine="tesserocr"`` runs Tesseract in
this process with one ``TessBaseAPI`` per thread, fed the same bytes and the same
settings, producing the same TSV. ``engine="auto"`` (the default) takes it only
when OpenMP in this process is limited to one thread (``OMP_THREAD_LIMIT=1`` set
before Python started), because that limit cannot be set from inside a running
process and without it the in-process engine is slower than the program.
"""

from __future__ import annotations

import ctypes
import os
import shlex
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import pytesseract
from PIL import Image

from unocr.backends import catalog
from unocr.backends.base import (
    Backend,
    Crops,
    Languages,
    Readings,
    Stopwatch,
)
from unocr.backends.deadline import (
    cancelled_error,
    current_cancellation,
)
from unocr.backends.options import check_choice, check_seconds
from unocr.backends.tesseract import process
from unocr.backends.tesseract.crops import (
    SINGLE_LINE_PSM,
    line_of,
    multipage_tiff,
    split_pages,
    with_margin,
)
from unocr.backends.tesseract.install import ENGINE_ENV
from unocr.backends.tesseract.install import probe as _probe
from unocr.backends.tesseract.languages import (
    FolderChoice,
    element_language,
    install_fix,
    model_name,
    requested_languages,
)
from unocr.errors import (
    BackendUnavailableError,
    ConfigError,
    EngineTimeoutError,
    LanguageUnavailableError,
    ProcessCancelled,
    ProcessTimeout,
    RecognitionError,
)
from unocr.formats.tsv import blocks_from_rows, parse_tsv
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage, real_dpi
from unocr.model import Block

__all__ = ["TesseractBackend"]

_NAME = "tesseract"
_APT = "tesseract-ocr"
_INSTALL = f"apt-get install {_APT} (macOS: brew install tesseract)"
#: Encoded formats Leptonica (Tesseract's image library) decodes like Pillow.
_DIRECT_FORMATS = frozenset({"PNG", "JPEG", "TIFF", "BMP", "PPM", "GIF", "WEBP"})
_PSM_RANGE = range(14)
_OEM_RANGE = range(4)

Engine = Literal["auto", "binary", "tesserocr"]


def _resolve_program(cmd: str | os.PathLike[str]) -> str:
    if not isinstance(cmd, (str, os.PathLike)):
        raise ConfigError(
            f"tesseract_cmd must be the program's name or path, got {cmd!r}; "
            "e.g. tesseract_cmd='/usr/local/bin/tesseract'",
            option="tesseract_cmd",
        )
    found = shutil.which(os.fspath(cmd))
    if found is None:
        raise BackendUnavailableError(
            f"the Tesseract program {os.fspath(cmd)!r} was not found (not on PATH, "
            "or not an executable file); pass tesseract_cmd='/path/to/tesseract' "
            "if it is installed elsewhere.",
            backend=_NAME,
            fix=_INSTALL,
        )
    return found


@dataclass(frozen=True)
class _Settings:
    """Engine settings shared by both paths."""

    psm: int | None
    oem: int | None
    dpi: int | None
    variables: tuple[tuple[str, str], ...]
    extra_args: tuple[str, ...]
    tessdata_dir: str | None = None


#: Page segmentation modes that read no text, and why (``tesseract --help-psm``).
_NO_TEXT_PSM = {
    0: "only detects orientation and script (OSD)",
    2: "finds the layout without reading it (Tesseract: not implemented)",
}


def _split(config: str | Sequence[str]) -> list[str]:
    """``config`` as a list of arguments, split like a shell command line."""
    if isinstance(config, str):
        try:
            return shlex.split(config)
        except ValueError as exc:
            raise ConfigError(
                f"config {config!r} cannot be split into arguments ({exc}); close "
                "its quotes or escape the quote character, e.g. "
                "config=\"-c tessedit_char_whitelist='0123'\", or give a list",
                option="config",
            ) from None
    if isinstance(config, (list, tuple)) and all(
        isinstance(t, (str, int, float)) for t in config
    ):
        return [str(t) for t in config]
    raise ConfigError(
        "config must be a string of Tesseract arguments or a list of them, "
        f"got {config!r}; e.g. config='-c preserve_interword_spaces=1'",
        option="config",
    )


def _whole(option: str, value: str) -> int:
    """A whole-number value given in ``config``."""
    try:
        return int(value)
    except ValueError:
        raise ConfigError(
            f"config: {option} needs a whole number, got {value!r}", option="config"
        ) from None


def _check_psm(psm: int | None, given: str) -> None:
    """Refuse a mode that is no mode or reads no text.

    Args:
        psm: The mode.
        given: The option that gave it, ``"psm"`` or ``"config"`` (``--psm``).
    """
    if psm is None:
        return
    if psm not in _PSM_RANGE:
        raise ConfigError(f"psm must be an integer 0-13, got {psm!r}", option=given)
    if psm in _NO_TEXT_PSM:
        raise ConfigError(
            f"psm={psm} {_NO_TEXT_PSM[psm]}: it reads no text. Use psm=1 "
            "(automatic layout with orientation detection), psm=3 (automatic "
            "layout, Tesseract's default) or another mode of tesseract --help-psm",
            option=given,
        )


def _parse_config(
    config: str | Sequence[str], psm: int | None, oem: int | None
) -> _Settings:
    # The option each mode comes from: the keyword wins over config's --psm.
    psm_from = "psm" if psm is not None else "config"
    oem_from = "oem" if oem is not None else "config"
    tokens = _split(config)
    variables: dict[str, str] = {}
    extra: list[str] = []
    dpi: int | None = None
    tessdata_dir: str | None = None
    it = iter(tokens)
    for tok in it:
        if tok in ("-c", "--psm", "--oem", "--dpi", "-l", "--tessdata-dir"):
            value = next(it, None)
            if value is None:
                raise ConfigError(f"config: {tok} needs a value", option="config")
            if tok == "-c":
                name, sep, val = value.partition("=")
                if not sep or not name:
                    raise ConfigError(
                        f"config: expected -c NAME=VALUE, got -c {value}",
                        option="config",
                    )
                if name == "user_defined_dpi":  # the same setting as --dpi
                    dpi = _whole(f"-c {name}", val) or None
                else:
                    variables[name] = val
            elif tok == "--psm":
                psm = _whole(tok, value) if psm is None else psm
            elif tok == "--oem":
                oem = _whole(tok, value) if oem is None else oem
            elif tok == "--dpi":
                dpi = _whole(tok, value)
            elif tok == "--tessdata-dir":
                tessdata_dir = value
            else:
                raise ConfigError(
                    "config: choose languages with languages=['en', 'ko'], not -l",
                    option="config",
                )
        else:
            extra.append(tok)
    _check_psm(psm, psm_from)
    if oem is not None and oem not in _OEM_RANGE:
        raise ConfigError(f"oem must be an integer 0-3, got {oem!r}", option=oem_from)
    if dpi is not None and dpi <= 0:
        raise ConfigError(
            f"--dpi must be a positive integer, got {dpi!r}", option="config"
        )
    return _Settings(
        psm, oem, dpi, tuple(variables.items()), tuple(extra), tessdata_dir
    )


def _image_dpi(image: LoadedImage) -> int | None:
    """The image's resolution as Tesseract's ``--dpi`` takes it (whole dpi), if any."""
    dpi: Any = image.image.info.get("dpi")
    return round(float(dpi[0])) if real_dpi(dpi) else None


def _direct_bytes(image: LoadedImage) -> bytes | None:
    """The original file bytes where Tesseract can read them unchanged."""
    if image.encoded is not None and image.format in _DIRECT_FORMATS:
        return image.encoded
    return None


def _openmp_thread_limit() -> int | None:
    """OpenMP's thread limit in this process, or None if OpenMP is not loaded."""
    try:
        lib = ctypes.CDLL("libgomp.so.1", mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        return int(lib.omp_get_thread_limit())
    except (OSError, AttributeError):
        return None


@catalog.builtin(_NAME)
class TesseractBackend(Backend):
    """Tesseract OCR (registered name ``"tesseract"``).

    Blocks are Tesseract's paragraphs, then its lines and words, all native
    (``native=True``), as axis-aligned :class:`~unocr.geometry.Box` in the
    pixels of the image as displayed; word confidence is Tesseract's 0-100
    divided by 100 (see :mod:`unocr.formats.tsv`).

    Args:
        languages: ISO 639 codes (``"en"``, ``["en", "ko"]``); Tesseract's own
            names are accepted too (``"chi_sim"``), and so is the file name of
            a model of your own in the tessdata folder (``"xyz"`` for
            ``xyz.traineddata``). ``None`` reads English (Tesseract's default
            model ``eng``).
        max_pixels: Refuse larger images before decoding them.
        psm: Page segmentation mode 1 or 3-13 (``tesseract --help-psm``);
            default 3. Modes 0 (orientation and script detection only) and 2
            (layout without reading) read no text and are refused.
        oem: OCR engine mode 0-3 (``tesseract --help-oem``); default 3.
        config: Further ``tesseract`` options as a string or list, e.g.
            ``"-c preserve_interword_spaces=1 --dpi 300"``. ``-c NAME=VALUE``,
            ``--psm``, ``--oem``, ``--dpi`` and ``--tessdata-dir`` work on both
            engine paths; any other option forces the ``tesseract`` program.
        timeout: Seconds one image may take; the process is then killed and
            :class:`~unocr.errors.EngineTimeoutError` raised. ``None``: no limit.
        tesseract_cmd: The ``tesseract`` program (name on ``PATH`` or path);
            default ``pytesseract.pytesseract.tesseract_cmd`` (``"tesseract"``).
        engine: ``"binary"`` (the program), ``"tesserocr"`` (in-process, needs
            the ``tesserocr`` package) or ``"auto"`` (see the module docstring).

    Raises:
        unocr.errors.BackendUnavailableError: The program is missing, or
            ``engine="tesserocr"`` without a usable ``tesserocr``.
        unocr.errors.LanguageUnavailableError: A language's traineddata is not
            installed; the message names the package.
        unocr.errors.LanguageCodeError: A language is no ISO 639 code and no
            model's name in the tessdata folder.
        unocr.errors.ConfigError: An invalid option.

    Examples:
        >>> with TesseractBackend(languages="en", timeout=60) as ocr:  # doctest: +SKIP
        ...     print(ocr.read("samples/phototest.png").text)
    """

    thread_safe: ClassVar[bool] = True

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        psm: int | None = None,
        oem: int | None = None,
        config: str | Sequence[str] = "",
        timeout: float | None = None,
        tesseract_cmd: str | os.PathLike[str] | None = None,
        engine: Engine = "auto",
    ) -> None:
        # The languages are read once the tessdata folder is known: a model
        # of one's own there is asked for by its file's name.
        super().__init__(max_pixels=max_pixels)
        self.timeout = check_seconds(timeout, "timeout")
        check_choice(engine, "engine", ("auto", "binary", "tesserocr"))
        self._settings = _parse_config(config, psm, oem)
        cmd = (
            tesseract_cmd
            if tesseract_cmd is not None
            else pytesseract.pytesseract.tesseract_cmd
        )
        self.tesseract_cmd: str = _resolve_program(cmd)
        prefix = os.environ.get("TESSDATA_PREFIX")
        self._install = _probe(self.tesseract_cmd, prefix, self._settings.tessdata_dir)
        #: What chose the tessdata folder (``None``: Tesseract's own).
        self._folder_choice: FolderChoice | None = (
            "--tessdata-dir"
            if self._settings.tessdata_dir is not None
            else "TESSDATA_PREFIX"
            if prefix
            else None
        )
        self.languages = requested_languages(languages, self._install.languages)
        self._tess_languages(self.languages)  # fail early on missing traineddata
        #: Every in-process engine alive, idle (in ``_idle``) or lent to a read.
        self._apis: list[Any] = []
        self._idle: dict[str, list[Any]] = {}
        self._apis_lock = threading.Lock()
        self._tesserocr: Any = None
        #: The engine path in use: ``"binary"`` or ``"tesserocr"``.
        self.engine: Literal["binary", "tesserocr"] = self._choose_engine(engine)

    # ----------------------------------------------------------- configuration
    def _choose_engine(self, wanted: Engine) -> Literal["binary", "tesserocr"]:
        if wanted == "binary":
            return "binary"
        try:
            import tesserocr
        except ImportError as exc:
            if wanted == "auto":
                return "binary"
            raise BackendUnavailableError(
                "engine='tesserocr' needs the tesserocr package.",
                backend=_NAME,
                fix="apt-get install libtesseract-dev libleptonica-dev && "
                "pip install --no-binary tesserocr tesserocr",
            ) from exc
        lib_version = str(tesserocr.tesseract_version()).split()[1]
        problems = []
        if lib_version != self._install.version:
            problems.append(
                f"tesserocr uses Tesseract {lib_version} but {self.tesseract_cmd} "
                f"is {self._install.version}"
            )
        if self._settings.extra_args:
            problems.append(
                "config options other than -c/--psm/--oem/--dpi/--tessdata-dir need "
                "the program: " + " ".join(self._settings.extra_args)
            )
        if wanted == "tesserocr":
            if self._settings.extra_args:
                raise ConfigError(
                    f"{problems[-1]}; use engine='binary' for them, or drop them",
                    option="config",
                )
            self._tesserocr = tesserocr
            return "tesserocr"
        limit = _openmp_thread_limit()
        if problems or limit not in (None, 1):
            return "binary"
        self._tesserocr = tesserocr
        return "tesserocr"

    def _languages(self, languages: str | Sequence[str] | None) -> tuple[str, ...]:
        """A call's languages; a model of one's own by its file's name too."""
        if languages is None:
            return self.languages
        return requested_languages(languages, self._install.languages) or self.languages

    def _tess_languages(self, languages: tuple[str, ...]) -> tuple[str, ...]:
        """Map ISO codes to installed traineddata names, or raise naming the fix."""
        installed = self._install.languages
        names = tuple(model_name(code, installed) for code in languages) or ("eng",)
        for code, tess in zip(languages or ("en",), names, strict=True):
            if tess not in installed:
                where = f" in {self._install.datadir}" if self._install.datadir else ""
                raise LanguageUnavailableError(
                    f"Tesseract has no model for language {code!r} ({tess}.traineddata"
                    f" not found{where}; installed: "
                    f"{', '.join(sorted(installed)) or 'none'}).",
                    language=code,
                    backend=_NAME,
                    fix=install_fix(
                        tess, self._install.datadir, chosen_by=self._folder_choice
                    ),
                )
        return names

    def __repr__(self) -> str:
        langs = ",".join(self.languages) or "default"
        return (
            f"<TesseractBackend {self.tesseract_cmd!r} engine={self.engine} "
            f"version={self._install.version} languages={langs}>"
        )

    # --------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Release in-process engines (the program path holds no resources).

        Idle engines end now. An engine a read on another thread is using
        ends when that read hands it back (:meth:`_release`), so the read
        returns its page instead of running on a freed engine.
        """
        super().close()  # before taking the lock: _release then ends its engine
        with self._apis_lock:
            idle = [api for apis in self._idle.values() for api in apis]
            self._idle.clear()
            for api in idle:
                self._apis.remove(api)
        for api in idle:
            api.End()

    # ------------------------------------------------------------- recognition
    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        names = self._tess_languages(languages)
        with clock.time("engine"):
            if self.engine == "tesserocr":
                tsv = self._run_tesserocr(image, names)
            else:
                tsv = self._run_program(image, names)
        with clock.time("convert"):
            return blocks_from_rows(
                parse_tsv(tsv), language=element_language(languages, names)
            )

    def _dpi(self, image: LoadedImage) -> int | None:
        return self._settings.dpi or _image_dpi(image)

    def _run_program(
        self, image: LoadedImage, names: tuple[str, ...], *, psm: int | None = None
    ) -> str:
        s = self._settings
        psm = s.psm if psm is None else psm
        data = _direct_bytes(image)
        args = [self.tesseract_cmd, "stdin", "stdout"]
        if s.tessdata_dir is not None:
            args += ["--tessdata-dir", s.tessdata_dir]
        args += ["-l", "+".join(names)]
        if psm is not None:
            args += ["--psm", str(psm)]
        if s.oem is not None:
            args += ["--oem", str(s.oem)]
        if data is None:
            data = _ppm(image)
            dpi = self._dpi(image)
        else:
            dpi = s.dpi
        if dpi is not None:
            args += ["--dpi", str(dpi)]
        for name, value in s.variables:
            args += ["-c", f"{name}={value}"]
        args += [*s.extra_args, "-c", "tessedit_create_tsv=1"]
        try:
            result = process.run(
                args,
                stdin=data,
                timeout=self.timeout,
                env=process.child_environment(ENGINE_ENV),
                cancel=current_cancellation(),
            )
        except ProcessTimeout as exc:
            raise self._timeout_error(image) from exc
        except ProcessCancelled as exc:
            raise cancelled_error(_NAME, image.name) from exc
        except OSError as exc:
            raise BackendUnavailableError(
                f"the Tesseract program {self.tesseract_cmd!r} cannot be run "
                f"({exc.strerror or exc}).",
                backend=_NAME,
                fix=_INSTALL,
                item=image.name,
            ) from exc
        if result.returncode != 0:
            err = result.stderr.decode("utf-8", "replace").strip()
            raise RecognitionError(
                f"tesseract failed on {image.name} (exit status "
                f"{result.returncode}): {err[-500:] or 'no message'}",
                backend=_NAME,
                item=image.name,
            )
        return result.stdout.decode("utf-8", "replace")

    def _timeout_error(self, image: LoadedImage) -> EngineTimeoutError:
        timeout = self.timeout or 0.0
        return EngineTimeoutError(
            f"tesseract did not finish {image.name} within {timeout:g} s and was "
            "stopped; allow more time for large or dense pages (timeout= in "
            "Python, --timeout on the command line).",
            timeout=timeout,
            backend=_NAME,
            item=image.name,
        )

    # ------------------------------------------------------- in-process path
    def _acquire(self, lang: str, psm: int | None = None) -> Any:
        """An idle in-process engine for ``lang`` (and ``psm``), or a new one.

        Engines are pooled, not kept per thread: ``read_many`` starts new worker
        threads on every call, and one model per dead thread would pile up.
        """
        psm = self._settings.psm if psm is None else psm
        with self._apis_lock:
            idle = self._idle.get(_pool_key(lang, psm))
            if idle:
                return idle.pop()
        s = self._settings
        kwargs: dict[str, Any] = {"lang": lang, "init": True}
        datadir = s.tessdata_dir or self._install.datadir
        if datadir:
            kwargs["path"] = datadir
        if s.oem is not None:
            kwargs["oem"] = s.oem
        if s.variables:
            kwargs["variables"] = dict(s.variables)
        api = self._tesserocr.PyTessBaseAPI(**kwargs)
        if psm is not None:
            api.SetPageSegMode(psm)
        with self._apis_lock:
            self._apis.append(api)
        return api

    def _release(self, lang: str, api: Any, psm: int | None = None) -> None:
        """Pool an engine a read is done with; end it once the backend is closed."""
        key = _pool_key(lang, self._settings.psm if psm is None else psm)
        with self._apis_lock:
            if not self.closed:
                self._idle.setdefault(key, []).append(api)
                return
            self._apis.remove(api)
        api.End()

    def _run_tesserocr(self, image: LoadedImage, names: tuple[str, ...]) -> str:
        lang = "+".join(names)
        api = self._acquire(lang)
        try:
            return self._run_api(api, image)
        finally:
            self._release(lang, api)

    def _run_api(self, api: Any, image: LoadedImage) -> str:
        data = _direct_bytes(image)
        if data is not None:
            fd, path = tempfile.mkstemp(prefix="unocr-tess-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                api.SetImageFile(path)
            finally:
                os.unlink(path)
            dpi = self._settings.dpi
        else:
            rgb = image.image
            api.SetImageBytes(rgb.tobytes(), rgb.width, rgb.height, 3, 3 * rgb.width)
            dpi = self._dpi(image)
        # The program's --dpi sets this variable; 0 = the image's own resolution.
        api.SetVariable("user_defined_dpi", str(dpi or 0))
        timeout_ms = 0 if self.timeout is None else max(1, round(self.timeout * 1000))
        if not api.Recognize(timeout=timeout_ms):
            if self.timeout is not None:
                raise self._timeout_error(image)
            raise RecognitionError(
                f"tesseract (in-process) failed on {image.name}",
                backend=_NAME,
                item=image.name,
            )
        return str(api.GetTSVText(0))

    # ------------------------------------------------------------------ stages
    def _detect(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        # Tesseract finds its layout while it reads: the regions are the
        # read's blocks, lines and words (the base class drops their text).
        return self._recognize(image, languages, clock)

    def _recognize_crops(
        self, crops: Crops, languages: Languages, clock: Stopwatch
    ) -> Readings:
        names = self._tess_languages(languages)
        with clock.time("convert"):
            padded = [with_margin(c) for c in crops]
        with clock.time("engine"):
            if self.engine == "tesserocr":
                tsvs = self._crops_tesserocr(padded, names)
            else:
                stack = LoadedImage(
                    image=padded[0],
                    name=f"{len(crops)} crops",
                    decode_seconds=0.0,
                    encoded=multipage_tiff(padded),
                    format="TIFF",
                )
                tsv = self._run_program(stack, names, psm=SINGLE_LINE_PSM)
        with clock.time("convert"):
            if self.engine == "tesserocr":
                pages = [parse_tsv(t) for t in tsvs]
            else:
                pages = split_pages(parse_tsv(tsv), len(crops))
            return [line_of(rows) for rows in pages]

    def _crops_tesserocr(
        self, crops: list[Image.Image], names: tuple[str, ...]
    ) -> list[str]:
        """Every crop through one in-process engine: one TSV per crop."""
        lang = "+".join(names)
        api = self._acquire(lang, SINGLE_LINE_PSM)
        try:
            return [
                self._run_api(
                    api, LoadedImage(image=c, name=f"crop {i}", decode_seconds=0.0)
                )
                for i, c in enumerate(crops)
            ]
        finally:
            self._release(lang, api, SINGLE_LINE_PSM)


def _pool_key(lang: str, psm: int | None) -> str:
    return lang if psm is None else f"{lang} psm{psm}"


def _ppm(image: LoadedImage) -> bytes:
    """Binary PPM (P6) of the decoded RGB pixels: no resolution, no compression."""
    rgb = image.image
    header = f"P6\n{rgb.width} {rgb.height}\n255\n".encode("ascii")
    return header + rgb.tobytes()
