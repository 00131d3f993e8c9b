"""Download a model file once, verified by its SHA-256, into a cache folder.

Used by engines whose users expect weights to arrive on first use (keras-ocr).
The file is streamed into a temporary file beside its destination
(:func:`unocr._files.atomic_path`: created as any file is, its
permissions from the umask), checked against the expected checksum and only
then renamed into place, so an interrupted or corrupt transfer never leaves a
file that looks complete. A file already at the destination that fails the
checksum is removed when it cannot be replaced. ``UNOCR_OFFLINE=1`` in the
environment forbids every download.

A download is bounded: a server announcing or sending more than the file's
size limit is refused. An answer that says "try again later" (HTTP 429, 502,
503, 504) is retried a few times, after the wait the server asks for
(``Retry-After``, when short). The temporary file of a download is locked
while it is written (on POSIX systems): temporary files that a killed download
left are removed by the next fetch of the same file, those still being written
are not. :func:`folder_lock` serialises downloads into one folder across
processes, for engines that download with their own code (EasyOCR).
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import errno
import hashlib
import http.client
import os
import stat
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from unocr._files import atomic_path, part_files
from unocr.errors import BackendUnavailableError

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

__all__ = [
    "LOCK_FILE",
    "OFFLINE_ENV",
    "fetch_verified",
    "folder_lock",
    "offline",
    "sha256_of",
]

#: Environment variable that, set to a true value, forbids downloads.
OFFLINE_ENV = "UNOCR_OFFLINE"
#: The file :func:`folder_lock` locks in a folder (left there, empty).
LOCK_FILE = ".unocr-download.lock"
_CHUNK = 1 << 20
#: HTTP statuses that mean "try again later": retried.
_TRANSIENT = frozenset({429, 502, 503, 504})
#: Requests made at most for one download when the answer is transient.
_ATTEMPTS = 3
#: The longest wait between two of them, in seconds; a server asking for a
#: longer one (``Retry-After``) is not asked again.
_MAX_WAIT = 30.0
#: Seconds without progress after which a download gives up, by default.
_STALL_TIMEOUT = 60.0
#: Seconds without a write after which a temporary file nobody can be seen to
#: hold (no file locks: Windows) counts as left behind.
_PART_AGE = 60.0


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
    timeout: float = _STALL_TIMEOUT,
    max_bytes: int | None = None,
    download: bool = True,
) -> Path:
    """Return ``dest``, downloading it from ``url`` first unless it is intact.

    Temporary files of earlier downloads of ``dest`` that no running download
    holds (left by a killed process) are removed first.

    Args:
        url: Where the file is published.
        sha256: Its expected SHA-256, hex (either case).
        dest: Where it belongs (folder created when missing).
        backend: The engine's registered name, for errors.
        fix: What the user can do instead, for errors.
        timeout: Seconds without progress before giving up.
        max_bytes: The file's size, or a bound on it, in bytes: a server that
            announces (``Content-Length``) or sends more is refused, and no
            more than ``max_bytes + 1`` bytes are read. ``None``: no bound.
        download: Allow the download; ``False`` only checks the file there.

    Returns:
        ``dest`` as a path, holding the verified file (with the permissions
        the umask gives any new file).

    Raises:
        unocr.errors.BackendUnavailableError: Downloads are forbidden
            (``download=False``, ``UNOCR_OFFLINE``), the server cannot be
            reached (the message names a proxy set in the environment), it
            answers with an HTTP error (its status code is named; "try again
            later" answers are retried first), the transfer is cut off or too
            long, the file's checksum is wrong, or a file at ``dest`` cannot be
            read; nothing is left at ``dest`` then (a file found there failing
            the checksum is removed).
    """
    target = Path(dest)
    sha256 = sha256.lower()
    _remove_stale_parts(target)
    try:
        found = target.stat() if target.is_file() else None
        small = found is not None and (max_bytes is None or found.st_size <= max_bytes)
        if small and sha256_of(target) == sha256:
            return target
    except OSError as exc:
        raise BackendUnavailableError(
            f"{target} cannot be read: {type(exc).__name__}: {exc.strerror or exc}.",
            backend=backend,
            fix=f"make {target} readable, or remove it to download it again; or {fix}",
        ) from exc
    try:
        if not download or offline():
            state = "is missing" if found is None else "fails its SHA-256 check"
            why = "download=False" if not download else OFFLINE_ENV
            raise BackendUnavailableError(
                f"{target} {state} and {why} forbids downloading it.",
                backend=backend,
                fix=fix,
            )
        _download(
            _Job(url, target, backend, fix, _proxy_for(url)),
            sha256,
            timeout=timeout,
            max_bytes=max_bytes,
        )
    except BaseException:
        _discard(target, found)
        raise
    return target


@dataclass(frozen=True)
class _Job:
    """One download, and what its errors say.

    Attributes:
        url: Where the file is published.
        target: Where it goes.
        backend: The engine's registered name.
        fix: The caller's advice.
        proxy: The proxy the request goes through and where it is set, or
            ``None``.
    """

    url: str
    target: Path
    backend: str
    fix: str
    proxy: tuple[str, str] | None

    def error(self, what: str, fix: str | None = None) -> BackendUnavailableError:
        """``downloading <name> from <url> [through <proxy>] failed: <what>``."""
        via = ""
        if self.proxy is not None:
            via = f" through the proxy {self.proxy[0]} (set by {self.proxy[1]})"
        return BackendUnavailableError(
            f"downloading {self.target.name} from {self.url}{via} failed: {what}",
            backend=self.backend,
            fix=fix or self.fix,
        )


def _download(job: _Job, sha256: str, *, timeout: float, max_bytes: int | None) -> None:
    """Stream ``job.url`` into place at ``job.target`` if its SHA-256 is ``sha256``.

    Raises:
        unocr.errors.BackendUnavailableError: As :func:`fetch_verified`;
            ``job.target`` is left as it was.
    """
    digest = hashlib.sha256()
    try:
        request = urllib.request.Request(job.url, headers={"User-Agent": "unocr"})
        with _open(request, job, timeout=timeout) as response:
            announced = response.headers.get("Content-Length")
            expected = None if announced is None else int(announced)
            if max_bytes is not None and expected is not None and expected > max_bytes:
                raise job.error(
                    f"the server announces {expected} bytes, more than the "
                    f"{max_bytes} bytes the file has; nothing was saved."
                )
            with _writing(job.target) as out:
                received = 0
                size = _CHUNK
                while chunk := response.read(size):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    if max_bytes is not None:
                        if received > max_bytes:
                            raise job.error(
                                f"the server sent more than the {max_bytes} "
                                "bytes the file has; it was discarded."
                            )
                        size = min(_CHUNK, max_bytes + 1 - received)
                if expected is not None and received != expected:
                    raise http.client.IncompleteRead(b"", expected - received)
                if digest.hexdigest() != sha256:
                    raise BackendUnavailableError(
                        f"the download of {job.target.name} from {job.url} has "
                        f"SHA-256 {digest.hexdigest()}, expected {sha256}; it was "
                        "discarded.",
                        backend=job.backend,
                        fix=job.fix,
                    )
    except BackendUnavailableError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        fix = None
        if job.proxy is not None and isinstance(exc, urllib.error.URLError):
            proxy, where = job.proxy
            fix = (
                f"check the proxy {proxy} (set by {where}), unset it or list "
                f"{urllib.parse.urlsplit(job.url).hostname} in no_proxy; or {job.fix}"
            )
        raise job.error(f"{type(exc).__name__}: {reason}.", fix) from exc


def _open(request: urllib.request.Request, job: _Job, *, timeout: float) -> Any:
    """The server's answer to ``request``; "try again later" answers retried.

    Up to :data:`_ATTEMPTS` requests are made while the status is in
    :data:`_TRANSIENT`, waiting what ``Retry-After`` asks (at most
    :data:`_MAX_WAIT` seconds; a server asking for longer is not asked again)
    or 1, 2... seconds without it.

    Returns:
        The open response (the caller closes it).

    Raises:
        unocr.errors.BackendUnavailableError: An HTTP error status, named with
            its code; for a transient one the fix says to try again later.
        OSError: The server or proxy cannot be reached.
    """
    # a new opener: the proxies of the environment as it is now, as named
    opener = urllib.request.build_opener()
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            exc.close()  # the answer's connection: not left for the collector
            asked = _retry_after(
                exc.headers.get("Retry-After") if exc.headers else None
            )
            transient = exc.code in _TRANSIENT
            if transient and attempt < _ATTEMPTS and (asked or 0.0) <= _MAX_WAIT:
                time.sleep(float(attempt) if asked is None else asked)
                continue
            status = f"HTTP {exc.code} {exc.reason}"
            if not transient:
                raise job.error(f"{status}.") from exc
            tries = f" ({attempt} attempts)" if attempt > 1 else ""
            wait = "" if asked is None else f" (the server asks to wait {asked:.0f} s)"
            raise job.error(
                f"{status}{tries}: the server is busy or down for now.",
                f"try again later{wait}; or {job.fix}",
            ) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delay or date), or ``None``."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _proxy_for(url: str) -> tuple[str, str] | None:
    """The proxy urllib sends ``url`` through, and where it is set; or ``None``."""
    parts = urllib.parse.urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    host = parts.netloc.rpartition("@")[2]
    if not proxy or not host or urllib.request.proxy_bypass(host):
        return None
    for name in (f"{parts.scheme}_proxy", f"{parts.scheme.upper()}_PROXY"):
        if os.environ.get(name) == proxy:
            return proxy, f"the environment variable {name}"
    return proxy, "the system's proxy settings"


@contextlib.contextmanager
def _writing(target: Path) -> Iterator[IO[bytes]]:
    """:func:`~unocr._files.atomic_path` for a download: its file locked.

    The temporary file stays locked (``flock``) until renamed into place or
    removed, so :func:`_remove_stale_parts` leaves it alone.

    Yields:
        The temporary file, open for writing.
    """
    held: int | None = None
    try:
        with atomic_path(target) as temp:
            out = _open_locked(temp)
            with out:
                if sys.platform != "win32":  # Windows keeps no lock past a rename
                    held = os.dup(out.fileno())  # the lock outlives ``out``
                yield out
    finally:
        if held is not None:
            os.close(held)


def _open_locked(temp: Path) -> IO[bytes]:
    """``temp`` opened for writing, under an exclusive lock (POSIX).

    A cleaner that removed ``temp`` before the lock was taken makes it anew.
    """
    while True:
        out = temp.open("wb")
        if sys.platform == "win32":  # an open file cannot be removed there
            return out
        try:
            fcntl.flock(out.fileno(), fcntl.LOCK_EX)
            if os.path.samestat(os.fstat(out.fileno()), temp.stat()):
                return out
        except FileNotFoundError:
            pass
        except BaseException:
            out.close()
            raise
        out.close()


def _remove_stale_parts(target: Path) -> None:
    """Remove temporary files of ``target`` that no download holds any more.

    On POSIX systems one whose lock can be taken is left behind by a killed
    process; on Windows one that can be removed is not open, and one written
    in the last :data:`_PART_AGE` seconds is kept.
    """
    try:
        parts = part_files(target)
    except OSError:
        return
    for part in parts:
        with contextlib.suppress(OSError):
            found = os.lstat(part)
            if not stat.S_ISREG(found.st_mode):
                continue
            if sys.platform == "win32":
                if time.time() - found.st_mtime > _PART_AGE:
                    part.unlink()
                continue
            fd = os.open(part, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.path.samestat(os.fstat(fd), os.lstat(part)):
                    part.unlink()
            finally:
                os.close(fd)


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold ``folder``'s download lock: one holder at a time, across processes.

    For engines that download into a folder with their own code under fixed
    temporary names (EasyOCR's ``temp.zip``). The lock is :data:`LOCK_FILE`
    in the folder (``flock`` on POSIX systems, ``msvcrt.locking`` on Windows),
    taken anew by each call, so threads of one process wait for each other
    too. It is released when the ``with`` block ends, or its process does.

    Args:
        folder: The folder (created when missing).

    Yields:
        The folder, as a path.

    Raises:
        OSError: The folder or its lock file cannot be made.
    """
    where = Path(folder)
    where.mkdir(parents=True, exist_ok=True)
    fd = os.open(where / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if sys.platform == "win32":
            while True:  # LK_LOCK gives up after 10 s: keep waiting
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError as exc:
                    if exc.errno != errno.EDEADLOCK:
                        raise
        else:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield where
    finally:
        os.close(fd)  # releases the lock
