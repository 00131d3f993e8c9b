"""Read a PyTorch state dict saved in the legacy (pre-1.6) format, with numpy only.

The CRAFT detector's published PyTorch weights (``craft_mlt_25k.pth``) use
the format ``torch.save`` wrote before PyTorch 1.6: five pickles in a row —
a magic number, the protocol version (1001), system information, the state
dict itself (whose tensors point at storages by key), and the list of storage
keys — followed by each storage's raw bytes (an int64 element count, then the
elements, little-endian) in that list's order. Reading it with this module
keeps the keras-ocr environment free of PyTorch (about 750 MB).

Only plain tensors of float, integer and bool storages are understood; any
other object in the pickle is refused (no arbitrary code runs).
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from unocr.errors import LegacyFormatError

__all__ = ["LegacyFormatError", "read_legacy_state_dict"]

_MAGIC = 0x1950A86A20F9469CFC6C
_PROTOCOL = 1001
_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


@dataclass
class _Storage:
    key: str
    dtype: type[np.generic]
    data: NDArray[Any] | None = None


@dataclass
class _TensorRef:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]

    def array(self) -> NDArray[Any]:
        data = self.storage.data
        assert data is not None
        if not self.shape:
            return np.array(data[self.offset], copy=True)
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset :],
            shape=self.shape,
            strides=tuple(s * item for s in self.stride),
            writeable=False,
        )
        return np.array(view, copy=True)


def _rebuild_tensor_v2(
    storage: _Storage,
    offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    *_: object,
) -> _TensorRef:
    return _TensorRef(storage, int(offset), tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: BinaryIO, storages: dict[str, _Storage]) -> None:
        super().__init__(file, encoding="latin1")
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name in _DTYPES:
            return name
        raise LegacyFormatError(f"unsupported object in the pickle: {module}.{name}")

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise LegacyFormatError(f"unsupported persistent id {pid!r:.80}")
        _, type_name, key, _location, _size = pid[:5]
        if type_name not in _DTYPES:
            raise LegacyFormatError(f"unsupported storage type {type_name!r}")
        key = str(key)
        if key not in self._storages:
            self._storages[key] = _Storage(key, _DTYPES[type_name])
        return self._storages[key]


def read_legacy_state_dict(path: str | os.PathLike[str]) -> dict[str, NDArray[Any]]:
    """Read every tensor of a legacy ``torch.save`` file into numpy arrays.

    Args:
        path: The ``.pth`` file.

    Returns:
        Name -> array (the tensor's shape and dtype, C-contiguous), in the
        file's order.

    Raises:
        LegacyFormatError: Not a legacy PyTorch file (e.g. the zip format of
            PyTorch >= 1.6), truncated, or holding other objects than tensors.
        OSError: The file cannot be read.
    """
    with open(path, "rb") as raw:
        f = io.BufferedReader(raw)
        if f.peek(2)[:2] == b"PK":
            raise LegacyFormatError(
                f"{os.fspath(path)} is in PyTorch's zip format (>= 1.6), not the "
                "legacy format"
            )
        storages: dict[str, _Storage] = {}
        try:
            if pickle.load(f) != _MAGIC:
                raise LegacyFormatError("not a PyTorch file (wrong magic number)")
            if pickle.load(f) != _PROTOCOL:
                raise LegacyFormatError("unsupported PyTorch protocol version")
            _Unpickler(f, storages).load()  # system information (a dict)
            state = _Unpickler(f, storages).load()
            keys = _Unpickler(f, storages).load()
        except (pickle.UnpicklingError, EOFError, struct.error) as exc:
            raise LegacyFormatError(f"corrupt PyTorch file: {exc}") from exc
        if not isinstance(state, dict) or not isinstance(keys, list):
            raise LegacyFormatError("the file holds no state dict")
        for key in keys:
            storage = storages.get(str(key))
            if storage is None:
                raise LegacyFormatError(f"storage {key!r} is not used by any tensor")
            head = f.read(8)
            if len(head) != 8:
                raise LegacyFormatError("the file is truncated (storage header)")
            (count,) = struct.unpack("<q", head)
            itemsize = np.dtype(storage.dtype).itemsize
            body = f.read(count * itemsize)
            if len(body) != count * itemsize:
                raise LegacyFormatError(f"the file is truncated (storage {key!r})")
            storage.data = np.frombuffer(
                body, dtype=np.dtype(storage.dtype).newbyteorder("<")
            )
    out: dict[str, NDArray[Any]] = {}
    for name, value in state.items():
        if not isinstance(value, _TensorRef):
            raise LegacyFormatError(f"{name!r} is not a tensor")
        if value.storage.data is None:
            raise LegacyFormatError(f"the storage of {name!r} is missing")
        out[str(name)] = value.array()
    return out
