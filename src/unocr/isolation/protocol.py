"""The wire format between a parent process and an engine's worker process.

A message is a fixed 8-byte prefix, a JSON header and an optional binary blob::

    <uint32 little-endian: header length> <uint32: blob length> <header> <blob>

The header is a JSON object (UTF-8); the blob carries raw bytes (an image's
encoded file, or its pixels when no shared memory is available). Pages travel
in their lossless JSON form (:mod:`unocr.model.serialize`), errors as their
class name, base classes and attributes so that the parent raises the same
typed error the engine raised (or, for a plugin's class the parent lacks, the
nearest :mod:`unocr.errors` class it derives from).
"""

from __future__ import annotations

import importlib
import json
import struct
import sys
from typing import Any, BinaryIO

from unocr.errors import ProtocolError, RecognitionError, UnocrError

__all__ = [
    "PROTOCOL",
    "SYS_PATH_VARIABLE",
    "ProtocolError",
    "error_from_dict",
    "error_to_dict",
    "read_message",
    "write_message",
]

#: Version of this format; parent and worker refuse to talk across versions.
PROTOCOL = 2

#: The environment variable by which a worker running the caller's own
#: interpreter gets the caller's ``sys.path`` (JSON list), first in its own:
#: an engine module beside the caller's script imports there as it does here.
SYS_PATH_VARIABLE = "UNOCR_WORKER_SYS_PATH"

_PREFIX = struct.Struct("<II")
#: Largest header accepted, in bytes (a page of ~100 000 words).
MAX_HEADER = 256 * 1024 * 1024


def write_message(
    stream: BinaryIO, header: dict[str, Any], *blobs: bytes | memoryview
) -> None:
    """Send one message and flush it.

    Args:
        stream: A binary stream (a pipe).
        header: JSON-serialisable mapping.
        *blobs: Raw byte strings, sent back to back as the message's blob.
    """
    head = json.dumps(header, separators=(",", ":"), allow_nan=True).encode()
    size = sum(len(b) for b in blobs)
    stream.write(_PREFIX.pack(len(head), size) + head)
    for blob in blobs:
        stream.write(blob)
    stream.flush()


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        got = 0 if data is None else len(data)
        raise ProtocolError(f"the pipe closed after {got} of {n} bytes")
    return data


def read_message(stream: BinaryIO) -> tuple[dict[str, Any], bytes]:
    """Receive one message.

    Args:
        stream: A buffered binary stream (a pipe).

    Returns:
        The header and the blob (``b""`` when there is none).

    Raises:
        ProtocolError: The stream ended or does not carry a message.
    """
    head_len, blob_len = _PREFIX.unpack(_read_exact(stream, _PREFIX.size))
    if head_len > MAX_HEADER:
        raise ProtocolError(f"message header of {head_len} bytes is not plausible")
    try:
        header = json.loads(_read_exact(stream, head_len))
    except ValueError as exc:
        raise ProtocolError(f"message header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise ProtocolError("message header is not a JSON object")
    blob = _read_exact(stream, blob_len) if blob_len else b""
    return header, blob


def _plain(value: Any) -> Any:
    """``value`` if JSON can carry it unchanged, else its ``repr``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return repr(value)


def error_to_dict(err: UnocrError) -> dict[str, Any]:
    """Describe a unocr error so :func:`error_from_dict` rebuilds it.

    Args:
        err: Any :class:`~unocr.errors.UnocrError`.

    Returns:
        Its class (module and name), its base classes that are unocr errors
        (``"module:name"``, nearest first), ``args`` and attributes as JSON
        values.
    """
    cls = type(err)
    return {
        "module": cls.__module__,
        "type": cls.__qualname__,
        "bases": [
            f"{base.__module__}:{base.__qualname__}"
            for base in cls.__mro__[1:]
            if issubclass(base, UnocrError)
        ],
        "args": [_plain(a) for a in err.args],
        "state": {k: _plain(v) for k, v in vars(err).items()},
    }


def _error_class(module: Any, name: Any) -> type[UnocrError] | None:
    """The error class ``module``.``name``, or ``None``.

    One of unocr's modules is imported; any other module only if this process
    has imported it already (a plugin's, where it was registered).
    """
    if not isinstance(module, str) or not isinstance(name, str):
        return None
    if module.startswith("unocr."):
        try:
            found: Any = importlib.import_module(module)
        except ImportError:
            return None
    else:  # no other module is imported on a worker's word
        found = sys.modules.get(module)
    for part in name.split("."):
        found = getattr(found, part, None)
    if isinstance(found, type) and issubclass(found, UnocrError):
        return found
    return None


def _nearest_class(data: dict[str, Any]) -> type[UnocrError] | None:
    """The error's own class, else the nearest base class of it found."""
    names: list[tuple[Any, Any]] = [(data.get("module"), data.get("type"))]
    for base in data.get("bases") or ():
        if isinstance(base, str) and ":" in base:
            module, _, name = base.partition(":")
            names.append((module, name))
    for module, name in names:
        cls = _error_class(module, name)
        if cls is not None:
            return cls
    return None


def error_from_dict(data: dict[str, Any]) -> UnocrError:
    """Rebuild an error described by :func:`error_to_dict`.

    A class the parent lacks (an engine's own, from a module that only the
    worker's environment has, or that this process has not imported) becomes
    the nearest of its base classes the parent has, e.g.
    :class:`~unocr.errors.AuthenticationError` for a plugin's
    ``QuotaError(AuthenticationError)``, with the same message and
    attributes; so ``except`` clauses catch it as in process. With none
    (a description without bases), a :class:`~unocr.errors.RecognitionError`.

    Args:
        data: The description.

    Returns:
        The error, of the same class where possible.
    """
    args = tuple(data.get("args") or ())
    state = dict(data.get("state") or {})
    cls = _nearest_class(data)
    if cls is None:
        message = str(state.get("message") or (args[0] if args else "engine error"))
        err = RecognitionError(
            f"{message} (raised as {data.get('type')} in the worker)",
            backend=state.get("backend"),
            item=state.get("item"),
        )
        return err
    if "stderr" in state and isinstance(state["stderr"], list):
        state["stderr"] = tuple(state["stderr"])
    return cls.from_state(args, state)
