"""google.rpc status codes of Cloud Vision -> unocr errors (pure; no google imports)."""

from __future__ import annotations

from unocr.errors import (
    AuthenticationError,
    EngineTimeoutError,
    ImageError,
    RecognitionError,
    UnocrError,
)

__all__ = ["AUTH_GUIDANCE", "RETRYABLE_CODES", "error_from_status", "status_name"]

#: google.rpc.Code numbers used in per-image ``error`` fields and RPC statuses.
_CODE_NAMES = {
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    15: "DATA_LOSS",
    16: "UNAUTHENTICATED",
}
#: Status codes worth retrying: the service was busy or failed transiently.
RETRYABLE_CODES = frozenset({4, 8, 13, 14})

AUTH_GUIDANCE = (
    "Set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, run "
    "'gcloud auth application-default login', or pass credentials=, "
    "api_key= or client= to the gcv backend; the account needs the Cloud "
    "Vision API enabled and permission to use it."
)


def status_name(code: int) -> str:
    """The google.rpc.Code name of a status number.

    Examples:
        >>> status_name(14), status_name(99)
        ('UNAVAILABLE', 'code 99')
    """
    return _CODE_NAMES.get(code, f"code {code}")


def error_from_status(
    code: int, message: str, *, item: object = None, timeout: float = 0.0
) -> UnocrError:
    """The unocr error for a google.rpc status (an RPC's or one image's).

    Args:
        code: google.rpc.Code number (3 = INVALID_ARGUMENT, 14 = UNAVAILABLE...).
        message: The status message from the service (already redacted of
            secrets by the caller).
        item: The input concerned, if known.
        timeout: The deadline in seconds, for DEADLINE_EXCEEDED.

    Returns:
        ``ImageError`` for INVALID_ARGUMENT, ``AuthenticationError`` (with
        guidance) for UNAUTHENTICATED and PERMISSION_DENIED,
        ``EngineTimeoutError`` for DEADLINE_EXCEEDED, else
        ``RecognitionError``; ``.backend`` is ``"gcv"``.

    Examples:
        >>> type(error_from_status(3, "Bad image data.")).__name__
        'ImageError'
    """
    name = status_name(code)
    detail = message.strip() or "no details"
    if code == 3:
        return ImageError(
            f"Cloud Vision refused the image ({name}: {detail}); check that it "
            "is a supported format (JPEG, PNG, GIF, BMP, WEBP, ICO, TIFF) "
            "within the API's size limits",
            backend="gcv",
            item=item,
        )
    if code in (7, 16):
        return AuthenticationError(
            f"Cloud Vision refused the credentials ({name}: {detail}).",
            backend="gcv",
            fix=AUTH_GUIDANCE,
            item=item,
        )
    if code == 4:
        return EngineTimeoutError(
            f"Cloud Vision did not answer within the deadline ({name}: {detail}); "
            "raise timeout= or send smaller batches",
            timeout=timeout,
            backend="gcv",
            item=item,
        )
    return RecognitionError(
        f"Cloud Vision failed ({name}: {detail})", backend="gcv", item=item
    )
