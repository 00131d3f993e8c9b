"""Exceptions raised by unocr.

Every error unocr raises on purpose derives from :class:`UnocrError`, so one
``except unocr.errors.UnocrError`` catches them all. Each class also derives
from the closest built-in exception, so code written against the standard
library keeps working::

    UnocrError (Exception)
    ├── BackendNotFoundError (LookupError)       unknown engine name
    ├── UnknownOptionError (TypeError)           an engine option it does not have
    ├── BackendUnavailableError (ImportError)    engine known, not installed
    │   └── LanguageUnavailableError             language data not installed
    ├── AuthenticationError (PermissionError)    cloud credentials missing or refused
    ├── RegistrationError (ValueError)           backend name taken or invalid
    ├── LanguageCodeError (ValueError)           not an ISO 639 language code
    ├── ImageError (ValueError)                  input image unreadable or too large
    │   └── DocumentError                        PDF unreadable, too big, bad pages
    ├── GeometryError (ValueError)               invalid coordinates or shapes
    ├── ModelError (ValueError, TypeError)       a page or element given a bad field
    ├── FormatError (ValueError)                 malformed hOCR/ALTO/PAGE/TSV/JSON
    │   └── XmlSyntaxError                       not well-formed XML
    ├── DatasetError (ValueError)                malformed ground-truth files
    ├── ConfigError (ValueError)                 bad option value, unocr.toml setting
    ├── ComparisonError (ValueError)             bad engine spec, unmergeable results
    ├── StageUnavailableError (NotImplementedError)  engine lacks detect/recognize
    └── RecognitionError (RuntimeError)          the engine itself failed
        ├── EngineTimeoutError (TimeoutError)    the engine ran past its time-out
        ├── EngineCancelledError                 the read was cancelled (async task)
        └── EngineCrashedError                   an engine's worker process died
            ├── EngineMemoryError                ... stopped for using too much memory
            └── WorkerLostError                  ... an executor's worker was lost
                └── NoWorkersError               ... no Dask worker left to run it

Errors carry context where it applies: ``.backend`` (the engine's registered
name) and ``.item`` (the input that failed, e.g. a file name or a batch index).

The module also defines unocr's internal signals: exceptions that unocr raises
and catches itself, turning each into the error after its arrow (or, for the
command line, an exit status). They are not in ``__all__`` and do not derive
from :class:`UnocrError`, so ``except UnocrError`` never catches one::

    Internal signals (never reach a caller)
    ├── ProcessTimeout (Exception)      tesseract timed out -> EngineTimeoutError
    │                                   ... probing it -> BackendUnavailableError
    ├── ProcessCancelled (Exception)    tesseract cancelled -> EngineCancelledError
    ├── ProtocolError (Exception)       malformed worker message -> EngineCrashedError
    ├── LegacyFormatError (ValueError)  bad CRAFT .pth -> BackendUnavailableError
    └── UsageError (Exception)          CLI arguments that clash -> exit status 2
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import TypeVar

__all__ = [
    "AuthenticationError",
    "BackendNotFoundError",
    "BackendUnavailableError",
    "ComparisonError",
    "ConfigError",
    "DatasetError",
    "DocumentError",
    "EngineCancelledError",
    "EngineCrashedError",
    "EngineMemoryError",
    "EngineTimeoutError",
    "FormatError",
    "GeometryError",
    "ImageError",
    "LanguageCodeError",
    "LanguageUnavailableError",
    "ModelError",
    "NoWorkersError",
    "RecognitionError",
    "RegistrationError",
    "StageUnavailableError",
    "UnknownOptionError",
    "UnocrError",
    "WorkerLostError",
    "XmlSyntaxError",
]

_E = TypeVar("_E", bound="UnocrError")


class UnocrError(Exception):
    """Base class of every error unocr raises on purpose.

    Args:
        message: What went wrong and how to fix it, in one sentence or two.
        backend: Registered name of the engine involved, if any.
        item: The input that failed (file name, index, ...), if any.
    """

    def __init__(
        self, message: str, *, backend: str | None = None, item: object = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.backend = backend
        self.item = item

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Keep every attribute across pickling (process pools, copies): the
        # subclasses' __init__ signatures differ, so rebuild without calling it.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))

    @classmethod
    def from_state(
        cls: type[_E], args: tuple[object, ...], state: dict[str, object]
    ) -> _E:
        """Rebuild an error of this class from its ``args`` and attributes.

        What unpickling does, for errors that travel another way (the
        isolation protocol sends them as JSON). ``__init__`` is not called,
        since the subclasses' signatures differ.

        Args:
            args: The exception's ``args``.
            state: Its attributes (``message``, ``backend``, ``item``...).

        Returns:
            The error, with exactly these ``args`` and attributes.
        """
        # The built-in base that fixes the instance layout (OSError for the
        # TimeoutError/PermissionError subclasses, ImportError...) must allocate it.
        err: _E | None = None
        for base in cls.__mro__:
            if base.__module__ == "builtins" and issubclass(base, BaseException):
                try:
                    err = base.__new__(cls)
                    break
                except TypeError:
                    continue
        assert err is not None
        err.args = args
        err.__dict__.update(state)
        return err


def _rebuild(
    cls: type[UnocrError], args: tuple[object, ...], state: dict[str, object]
) -> UnocrError:
    # The name pickles refer to.
    return cls.from_state(args, state)


class BackendNotFoundError(UnocrError, LookupError):
    """No engine is registered under the requested name.

    Attributes:
        name: The name that was asked for.
        known: Every registered name, sorted.
        suggestion: The closest known name, or ``None``.
    """

    def __init__(
        self, name: str, known: list[str], suggestion: str | None = None
    ) -> None:
        hint = f" Did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(
            f"unknown OCR backend {name!r}.{hint} Known backends: {', '.join(known)}.",
            backend=name,
        )
        self.name = name
        self.known = known
        self.suggestion = suggestion


class UnknownOptionError(UnocrError, TypeError):
    """An engine was given a keyword option it does not have.

    Attributes:
        option: The unknown name.
        known: The engine's options, sorted (a tuple, whatever sequence
            was given).
        suggestion: The closest known option, or ``None``.
    """

    def __init__(
        self,
        option: str,
        known: Sequence[str],
        suggestion: str | None = None,
        *,
        backend: str | None = None,
    ) -> None:
        hint = f" Did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(
            f"the {backend or 'selected'} backend has no option {option!r}.{hint} "
            f"Its options: {', '.join(known)}.",
            backend=backend,
        )
        self.option = option
        self.known = tuple(known)
        self.suggestion = suggestion


class _WithFix(UnocrError):
    """An error whose message ends with how to fix it (``Fix: ...``).

    Attributes:
        fix: What to do, e.g. the command to run; ``None`` when unknown.
    """

    def __init__(
        self,
        message: str,
        *,
        backend: str | None = None,
        fix: str | None = None,
        item: object = None,
    ) -> None:
        full = f"{message} Fix: {fix}" if fix else message
        super().__init__(full, backend=backend, item=item)
        self.fix = fix


class BackendUnavailableError(_WithFix, ImportError):
    """The engine is known but cannot run here (package, binary or data missing).

    Attributes:
        fix: The exact command(s) that make it available.
    """


class LanguageUnavailableError(BackendUnavailableError):
    """The engine cannot read a requested language (no model or traineddata).

    Attributes:
        language: The requested language (ISO 639 code as the user gave it).
        source: The file that gave the language (an engine's ``languages`` in
            ``unocr.toml``), or ``None`` for an argument.
    """

    source: str | None = None

    def __init__(
        self,
        message: str,
        *,
        language: str,
        backend: str | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(message, backend=backend, fix=fix)
        self.language = language


class AuthenticationError(_WithFix, PermissionError):
    """A cloud engine has no credentials, or the service refused them.

    The message never contains the credentials or API key themselves.

    Attributes:
        fix: How to give the engine credentials it can use.
    """


class RegistrationError(UnocrError, ValueError):
    """A backend name is already taken, or not a valid name."""


class LanguageCodeError(UnocrError, ValueError):
    """A language was not given as an ISO 639 code (the message names the right one).

    Attributes:
        source: The file that gave the code (an engine's ``languages`` in
            ``unocr.toml``), or ``None`` for an argument.
    """

    source: str | None = None


class ImageError(UnocrError, ValueError):
    """An input image is missing, corrupt, unsupported or too large."""


class DocumentError(ImageError):
    """A document (PDF, multi-page TIFF) cannot be read as asked.

    Corrupt, truncated, empty or encrypted (no or wrong password), more pages
    or larger pages than the limits allow, or a page range outside it. The
    message names the file.

    Attributes:
        needs_password: ``True`` when the PDF is encrypted and the password
            was missing or wrong.
    """

    def __init__(
        self,
        message: str,
        *,
        item: object = None,
        backend: str | None = None,
        needs_password: bool = False,
    ) -> None:
        super().__init__(message, backend=backend, item=item)
        self.needs_password = needs_password


class GeometryError(UnocrError, ValueError):
    """Coordinates or shapes are invalid (NaN, wrong shape, degenerate)."""


class ModelError(UnocrError, ValueError, TypeError):
    """A page or element was built with a field it cannot hold.

    Raised by the constructors of :mod:`unocr.model` (``Word``, ``Line``,
    ``Block``, ``Page``, ...): a confidence outside [0, 1], a text that is not
    a string, a child of the wrong level (a ``Word`` among a line's ``words``
    is right, a ``Line`` is not), a page size that is not a whole number.
    The message names the field and the value. It is both a ``ValueError``
    and a ``TypeError`` (as the built-in checks it replaces were, by field),
    so code written against either keeps working. Readers of files raise
    :class:`FormatError` instead, and engines :class:`RecognitionError`, when
    what they read cannot make a valid element.
    """


class FormatError(UnocrError, ValueError):
    """A serialised OCR result (hOCR, ALTO, PAGE-XML, TSV, JSON) is malformed."""


class XmlSyntaxError(FormatError):
    """An XML document (hOCR, ALTO, PAGE-XML) is not well-formed XML."""


class DatasetError(UnocrError, ValueError):
    """A ground-truth dataset folder or annotation file is malformed."""


class ComparisonError(UnocrError, ValueError):
    """An engine comparison cannot be set up or combined as asked.

    Raised for a malformed engine spec (``-b 'tesseract:psm'``), two engines
    with one label, or comparison results that cannot be merged (different
    datasets or scoring protocols).
    """


class StageUnavailableError(UnocrError, NotImplementedError):
    """An engine was asked for a stage (``detect``/``recognize``) it does not have.

    Attributes:
        stage: The stage asked for.
        available: The stages the engine has, possibly empty.
    """

    def __init__(
        self,
        stage: str,
        available: tuple[str, ...],
        *,
        backend: str | None = None,
        role: str | None = None,
    ) -> None:
        has = ", ".join(available) if available else "no separate stages"
        use = f" as the {role}" if role else ""
        fix = (
            "run unocr backends to see each engine's stages"
            if not available
            else f"use it only for {has}"
        )
        super().__init__(
            f"the {backend or 'selected'} backend cannot be used{use}: it has no "
            f"{stage} stage (it has: {has}); {fix}.",
            backend=backend,
        )
        self.stage = stage
        self.available = available


class RecognitionError(UnocrError, RuntimeError):
    """The engine failed while recognising an image.

    The engine's own exception is kept as ``__cause__``.
    """


class EngineTimeoutError(RecognitionError, builtins.TimeoutError):
    """The engine did not finish within its time-out; its work was stopped.

    Attributes:
        timeout: The limit that was exceeded, in seconds.
        stderr: For an isolated engine, the worker's last lines of standard
            error (the worker was stopped and is replaced); else ``()``.
    """

    def __init__(
        self,
        message: str,
        *,
        timeout: float,
        backend: str | None = None,
        item: object = None,
        stderr: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, backend=backend, item=item)
        self.timeout = timeout
        self.stderr = stderr


class EngineCancelledError(RecognitionError):
    """The read was cancelled before the engine finished; its work was stopped.

    Raised inside the worker thread of a cancelled :func:`unocr.aread` (the
    awaiting task itself sees :class:`asyncio.CancelledError`); an engine that
    runs a program (Tesseract) has had that program killed.
    """


class ConfigError(UnocrError, ValueError):
    """An option has a value it cannot take, or ``unocr.toml`` is invalid.

    The option may be an engine's (``get_backend("tesseract", psm=20)``), a
    call's (``read_many(..., workers=0)``, ``draw_page(..., level="x")``), an
    isolation option (``processes=0``) or a setting of ``unocr.toml``. Also
    raised when an engine option cannot be pickled for an executor's worker
    processes (``read_many(..., executor=...)``); the message names it.

    Attributes:
        source: Where the bad setting came from (a file path or an environment
            variable), or ``None`` for an argument.
        option: The option whose value was refused, when the check that
            raised knows it (``"psm"``), else ``None``.
    """

    option: str | None = None

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        backend: str | None = None,
        option: str | None = None,
    ) -> None:
        super().__init__(message, backend=backend)
        self.source = source
        self.option = option


class EngineCrashedError(RecognitionError):
    """The worker process hosting an isolated engine died during a call.

    The worker was stopped and is replaced for the next item.

    Attributes:
        exitcode: The worker's exit status; negative for a signal (``-11``:
            segmentation fault), ``None`` if unknown.
        stderr: The worker's last lines of standard error, oldest first.
    """

    def __init__(
        self,
        message: str,
        *,
        exitcode: int | None = None,
        stderr: tuple[str, ...] = (),
        backend: str | None = None,
        item: object = None,
    ) -> None:
        super().__init__(message, backend=backend, item=item)
        self.exitcode = exitcode
        self.stderr = stderr


class EngineMemoryError(EngineCrashedError):
    """An isolated engine's worker went over its ``max_memory`` and was stopped.

    Attributes:
        max_memory: The limit, in bytes.
        used: The resident memory measured when it was stopped, in bytes.
    """

    def __init__(
        self,
        message: str,
        *,
        max_memory: int,
        used: int,
        stderr: tuple[str, ...] = (),
        backend: str | None = None,
        item: object = None,
    ) -> None:
        super().__init__(
            message, exitcode=None, stderr=stderr, backend=backend, item=item
        )
        self.max_memory = max_memory
        self.used = used


class WorkerLostError(EngineCrashedError):
    """An executor's worker process was lost before an item of a batch finished.

    Raised per item by ``read_many(..., executor=...)`` and :mod:`unocr.dask`
    when a ``ProcessPoolExecutor`` worker dies (the pool is then broken: make a
    new one to retry the failed items) or Dask gives up on a task whose
    workers kept dying (``KilledWorker``). The items that finished keep their
    pages.

    Attributes:
        reason: The executor's own exception, as ``"Type: message"``.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str = "",
        backend: str | None = None,
        item: object = None,
    ) -> None:
        super().__init__(message, backend=backend, item=item)
        self.reason = reason


class NoWorkersError(WorkerLostError):
    """No running Dask worker could take an item of a batch for the time allowed.

    Raised per item by :func:`unocr.dask.map_pages` and ``read_many(...,
    executor=client.get_executor())`` when the cluster has had no running
    worker (all closed, retired, lost or paused) for ``timeout`` seconds, or
    when the scheduler's own ``distributed.scheduler.no-workers-timeout``
    failed the task (``NoWorkerError``, or ``NoValidWorkerError`` when no
    worker satisfies the task's restrictions). The items that finished keep
    their pages; start workers and retry the failed ones.

    Attributes:
        reason: Dask's own exception, as ``"Type: message"``.
        timeout: How long the batch waited for a worker, in seconds (``None``
            when Dask did not say).
    """

    def __init__(
        self,
        message: str,
        *,
        timeout: float | None = None,
        reason: str = "",
        backend: str | None = None,
        item: object = None,
    ) -> None:
        super().__init__(message, reason=reason, backend=backend, item=item)
        self.timeout = timeout


# ------------------------------------------------------------ internal signals
# Raised and caught inside unocr; never reach a caller (see the module docstring).


class ProcessTimeout(Exception):
    """The program ran past its time-out and was killed (and reaped).

    Internal signal: raised by :func:`unocr.backends.tesseract.process.run`.
    The Tesseract backend catches it and raises :class:`EngineTimeoutError`
    from it for a read, or :class:`BackendUnavailableError` when the program
    did not answer ``--version`` or ``--list-langs`` in time. Not an
    :class:`UnocrError`.

    Args:
        pid: Process id of the killed program.
        timeout: The limit, in seconds.

    Attributes:
        pid: Process id of the killed program.
        timeout: The limit, in seconds.
    """

    def __init__(self, pid: int, timeout: float) -> None:
        super().__init__(f"process {pid} killed after {timeout:g} s")
        self.pid = pid
        self.timeout = timeout


class ProcessCancelled(Exception):
    """The program was killed (and reaped) because its work was cancelled.

    Internal signal: raised by :func:`unocr.backends.tesseract.process.run`
    when its ``cancel`` token is cancelled (a cancelled :func:`unocr.aread`,
    a batch stopped early by an exception such as ``KeyboardInterrupt``).
    The Tesseract backend catches it and raises :class:`EngineCancelledError`
    from it. Not an :class:`UnocrError`.

    Args:
        pid: Process id of the killed program; ``0`` when the cancellation
            came before the program started.

    Attributes:
        pid: Process id of the killed program, or ``0`` (never started).
    """

    def __init__(self, pid: int) -> None:
        super().__init__(f"process {pid} killed on cancellation")
        self.pid = pid


class ProtocolError(Exception):
    """The other side sent something that is not a message, or closed the pipe.

    Internal signal: raised by :func:`unocr.isolation.protocol.read_message`
    (the stream ended mid-message, or what it carries is not a message). The
    parent's worker handle catches it, kills the worker and raises
    :class:`EngineCrashedError`; in a worker it ends the loop that serves the
    parent (the parent closed the pipe). Not an :class:`UnocrError`.
    """


class LegacyFormatError(ValueError):
    """The file is not a legacy PyTorch state dict of plain tensors.

    Internal signal: raised by
    :func:`unocr.backends.keras_ocr.torch_legacy.read_legacy_state_dict`
    (wrong magic number or protocol, truncated, an object other than plain
    tensors). The keras-ocr backend catches it while loading the CRAFT
    weights and raises :class:`BackendUnavailableError` from it, naming the
    file and the intact one to use. Not an :class:`UnocrError`.
    """


class UsageError(Exception):
    """A combination of arguments that cannot work (exit status 2).

    Internal signal: raised by the command line's sub-commands (``unocr read``,
    ``convert``, ``compare``) when their arguments clash, e.g. an output that
    is one of the inputs or an output suffix that names no format. The
    sub-command, or :func:`unocr.cli.main`, catches it and prints the usage
    line and the message as argparse does, ending with exit status 2. Not an
    :class:`UnocrError`.
    """
