"""Download a model file once, verified by its SHA-256, into a cache folder.

Used by engines whose users expect weights to arrive on first use (keras-ocr).
The file is streamed into a temporary file beside its destination
(:func:`unocr._files.atomic_path`: created as any file is, its
permissions from the umask), checked against the expected checksum and only
then renamed into place, so an interrupted or corrupt transfer never leaves a
file that looks complete. A file already at the destination that fails the
checksum is removed when it cannot be replaced. ``UNOCR_OFFLINE=1`` in the
environment forbids every download.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import urllib.error
import urllib.request
from pathlib import Path

from unocr._files import atomic_path
from unocr.errors import BackendUnavailableError

__all__ = ["OFFLINE_ENV", "fetch_verified", "offline", "sha256_of"]

#: Environment variable that, set to a true value, forbids downloads.
OFFLINE_ENV = "UNOCR_OFFLINE"
_CHUNK = 1 << 20


def offline() -> bool:
    """Whether ``UNOCR_OFFLINE`` forbids downloads (any value but ``0``/empty)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("", "0", "false")


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The SHA-256 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _discard(target: Path, found: os.stat_result | None) -> None:
    """Remove the unverified file ``found`` at ``target``, unless since replaced."""
    if found is None:
        return
    with contextlib.suppress(OSError):
        if os.path.samestat(found, target.stat()):
            target.unlink()


def fetch_verified(
    url: str,
    sha256: str,
    dest: str | os.PathLike[str],
    *,
    backend: str,
    fix: str,
    timeout: float = 60.0,
) -> Path:
    """Return ``dest``, downloading it from ``url`` first unless it is intact.

    Args:
        url: Where the file is published.
        sha256: Its expected SHA-256, hex.
        dest: Where it belongs (folder created when missing).
        backend: The engine's registered name, for errors.
        fix: What the user can do instead, for errors.
        timeout: Seconds without progress before giving up.

    Returns:
        ``dest`` as a path, holding the verified file (with the permissions
        the umask gives any new file).

    Raises:
        unocr.errors.BackendUnavailableError: Downloads are forbidden
            (``UNOCR_OFFLINE``), the server cannot be reached, the transfer is
            cut off or the file's checksum is wrong; nothing is left at
            ``dest`` then (a file found there failing the checksum is removed).
    """
    target = Path(dest)
    found = target.stat() if target.is_file() else None
    if found is not None and sha256_of(target) == sha256:
        return target
    try:
        if offline():
            state = "is missing" if found is None else "fails its SHA-256 check"
            raise BackendUnavailableError(
                f"{target.name} {state} and {OFFLINE_ENV} forbids downloading it.",
                backend=backend,
                fix=fix,
            )
        _download(url, sha256, target, backend=backend, fix=fix, timeout=timeout)
    except BaseException:
        _discard(target, found)
        raise
    return target


def _download(
    url: str, sha256: str, target: Path, *, backend: str, fix: str, timeout: float
) -> None:
    """Stream ``url`` into place at ``target`` if its SHA-256 is ``sha256``.

    Raises:
        unocr.errors.BackendUnavailableError: As :func:`fetch_verified`;
            ``target`` is left as it was.
    """
    digest = hashlib.sha256()
    try:
        with atomic_path(target) as temp, temp.open("wb") as out:
            request = urllib.request.Request(url, headers={"User-Agent": "unocr"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                expected = response.headers.get("Content-Length")
                received = 0
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                if expected is not None and received != int(expected):
                    raise http.client.IncompleteRead(b"", int(expected) - received)
            if digest.hexdigest() != sha256:
                raise BackendUnavailableError(
                    f"the download of {target.name} from {url} has SHA-256 "
                    f"{digest.hexdigest()}, expected {sha256}; it was discarded.",
                    backend=backend,
                    fix=fix,
                )
    except BackendUnavailableError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise BackendUnavailableError(
            f"downloading {target.name} from {url} failed: "
            f"{type(exc).__name__}: {reason}.",
            backend=backend,
            fix=fix,
        ) from exc
