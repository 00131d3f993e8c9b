"""The wire format: messages, and typed errors rebuilt across the boundary."""

from __future__ import annotations

import io
import pickle

import pytest

from unocr import errors
from unocr.isolation.protocol import (
    error_from_dict,
    error_to_dict,
    read_message,
    write_message,
)

SAMPLES = [
    errors.RecognitionError("engine failed", backend="x", item="a.png"),
    errors.EngineTimeoutError("slow", timeout=2.5, backend="x", stderr=("l1", "l2")),
    errors.EngineCrashedError("gone", exitcode=-11, stderr=("boom",), backend="x"),
    errors.EngineMemoryError("big", max_memory=10, used=20, backend="x"),
    errors.LanguageUnavailableError("no ko", language="ko", backend="x", fix="apt"),
    errors.BackendUnavailableError("missing", backend="x", fix="pip install y"),
    errors.BackendNotFoundError("nope", ["a", "b"], "a"),
    errors.ImageError("bad image", item=3),
    errors.ConfigError("bad file", source="/etc/unocr.toml"),
    errors.AuthenticationError("no key", backend="gcv"),
]


@pytest.mark.parametrize("err", SAMPLES, ids=lambda e: type(e).__name__)
def test_errors_keep_type_message_and_attributes(err: errors.UnocrError) -> None:
    back = error_from_dict(error_to_dict(err))
    assert type(back) is type(err)
    assert str(back) == str(err)
    assert vars(back) == vars(err)
    # The rebuilt error is a normal one: it pickles and raises.
    assert vars(pickle.loads(pickle.dumps(back))) == vars(err)
    with pytest.raises(type(err)):
        raise back


def test_unknown_error_class_becomes_recognition_error() -> None:
    data = {
        "module": "thirdparty.engine",
        "type": "WeirdError",
        "args": ["strange"],
        "state": {"message": "strange", "backend": "w", "item": 4},
    }
    back = error_from_dict(data)
    assert type(back) is errors.RecognitionError
    assert "strange" in str(back) and "WeirdError" in str(back)
    assert (back.backend, back.item) == ("w", 4)


def test_unplain_attributes_travel_as_repr() -> None:
    err = errors.RecognitionError("x", item=object())
    back = error_from_dict(error_to_dict(err))
    assert isinstance(back.item, str) and back.item.startswith("<object")


def test_messages_round_trip_with_blobs() -> None:
    stream = io.BytesIO()
    write_message(stream, {"op": "read", "n": [1, 2.5, None]}, b"abc", b"", b"de")
    write_message(stream, {"op": "close"})
    stream.seek(0)
    assert read_message(stream) == ({"op": "read", "n": [1, 2.5, None]}, b"abcde")
    assert read_message(stream) == ({"op": "close"}, b"")
    with pytest.raises(errors.ProtocolError, match="closed after 0 of 8"):
        read_message(stream)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x05\x00\x00\x00\x00\x00\x00\x00{bad}",
        b"\x02\x00\x00\x00\x00\x00\x00\x00[]",
        b"\x10\x00\x00\x00\x00\x00\x00\x00{}",
        b"\xff\xff\xff\xff\x00\x00\x00\x00",
    ],
)
def test_malformed_messages_are_protocol_errors(raw: bytes) -> None:
    with pytest.raises(errors.ProtocolError):
        read_message(io.BytesIO(raw))
