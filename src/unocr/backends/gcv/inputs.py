"""The forms a Cloud Vision response comes in -> a protobuf message or a dict (pure).

A response is either an ``AnnotateImageResponse`` message (proto-plus or raw
protobuf; recognised by its descriptor, without importing its library) or a
saved response: a dict (REST camelCase or ``to_dict()`` snake_case keys),
JSON text or bytes, or a path to a JSON file. A batch of one image
(``{"responses": [one]}`` or a ``BatchAnnotateImagesResponse`` message) is
unwrapped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from unocr.errors import FormatError

__all__ = ["as_mapping", "as_message", "response_to_dict"]

_SAVED = (Mapping, str, bytes, bytearray, memoryview, os.PathLike)
_TOP_KEYS = (
    "fullTextAnnotation",
    "full_text_annotation",
    "textAnnotations",
    "text_annotations",
    "error",
)


def as_message(response: object) -> Any:
    """The raw ``AnnotateImageResponse`` protobuf inside ``response``, else ``None``.

    Args:
        response: Any object; proto-plus wrappers are unwrapped (``._pb``).

    Returns:
        The protobuf message, or ``None`` when ``response`` is not a message.

    Raises:
        FormatError: A message of another type, or a batch of several images.
    """
    if isinstance(response, _SAVED):
        return None
    pb: Any = getattr(response, "_pb", response)
    descriptor = getattr(pb, "DESCRIPTOR", None)
    if descriptor is None or not hasattr(pb, "ListFields"):
        return None
    name = descriptor.name
    if name == "BatchAnnotateImagesResponse":
        if len(pb.responses) != 1:
            raise FormatError(
                f"this batch response holds {len(pb.responses)} image responses; "
                "convert each of its .responses separately",
                backend="gcv",
            )
        pb = pb.responses[0]
    elif name != "AnnotateImageResponse":
        raise FormatError(
            f"expected an AnnotateImageResponse message, got a {name}", backend="gcv"
        )
    return pb


def as_mapping(response: object) -> Mapping[str, Any]:
    """A saved response as the dict of one image's response.

    Args:
        response: A dict, JSON text or bytes, or a path to a JSON file.

    Returns:
        The response's top-level object.

    Raises:
        FormatError: Unreadable file, invalid JSON (including ``NaN``,
            ``Infinity``, numbers beyond a float's range and nesting deeper
            than Python can parse), not an object, or a batch of several
            images.
    """
    data: Any
    if isinstance(response, Mapping):
        data = response
    elif isinstance(response, bytes | bytearray | memoryview):
        data = _parse_json(bytes(response), "<bytes>")
    elif isinstance(response, str) and response.lstrip().startswith(("{", "[")):
        data = _parse_json(response, "<str>")
    elif isinstance(response, str | os.PathLike):
        path = Path(response)
        try:
            text = path.read_bytes()
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
            reason = getattr(exc, "strerror", None) or exc
            raise FormatError(
                f"cannot read the Cloud Vision response file {str(path)!r}: {reason}",
                backend="gcv",
                item=str(path),
            ) from None
        data = _parse_json(text, str(path))
    else:
        raise FormatError(
            "expected a Cloud Vision response as a dict, JSON text, a path or an "
            f"AnnotateImageResponse message, got {type(response).__name__}",
            backend="gcv",
        )
    if not isinstance(data, Mapping):
        raise FormatError(
            f"a Cloud Vision response is a JSON object, got {type(data).__name__}",
            backend="gcv",
        )
    responses = data.get("responses")
    if isinstance(responses, list) and not any(k in data for k in _TOP_KEYS):
        if len(responses) != 1:
            raise FormatError(
                f"this batch response holds {len(responses)} image responses; "
                "convert each of data['responses'] separately",
                backend="gcv",
            )
        data = responses[0]
        if not isinstance(data, Mapping):
            raise FormatError("responses[0] is not a JSON object", backend="gcv")
    return data


def response_to_dict(response: object) -> dict[str, Any]:
    """Any supported form of a response as a REST-style (camelCase) dict.

    Args:
        response: A dict, JSON text or bytes, a path to a ``.json`` file, or
            an ``AnnotateImageResponse`` message (needs the ``protobuf``
            package, which any message implies).

    Returns:
        The response as a dict.

    Raises:
        FormatError: The input is not a single-image Cloud Vision response.
    """
    message = as_message(response)
    if message is None:
        return dict(as_mapping(response))
    from google.protobuf import json_format

    out: dict[str, Any] = json_format.MessageToDict(message)
    return out


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text[:40]} is beyond the range of a float")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 30:  # 1e30 pixels: no image is that large
        raise ValueError(f"the integer {text[:40]}... is too large")
    return int(text)


def _parse_json(text: str | bytes, name: str) -> Any:
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        raise FormatError(
            f"{name} is nested too deeply to be a Cloud Vision response",
            backend="gcv",
            item=name,
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(
            f"{name} is not valid JSON for a Cloud Vision response: {exc}",
            backend="gcv",
            item=name,
        ) from None
