"""The numpy reader of legacy (pre-1.6) PyTorch files, checked against torch.load."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from unocr.backends.keras_ocr.torch_legacy import read_legacy_state_dict
from unocr.errors import LegacyFormatError

torch = pytest.importorskip("torch", reason="PyTorch checks the reader")

CRAFT_SHA256 = "4a5efbfb48b4081100544e75e1e2b57f8de3d84f213004b14b85fd4b3748db17"


def _legacy_save(obj: object, path: Path) -> None:
    torch.save(obj, path, _use_new_zipfile_serialization=False)


def test_small_state_dict_with_views_and_dtypes(tmp_path: Path) -> None:
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    state = {
        "w": base,
        "t": base.t(),  # strided view of the same storage
        "row": base[2],  # offset view
        "i": torch.tensor([1, -2, 3], dtype=torch.int64),
        "h": torch.tensor([0.5, 1.5], dtype=torch.float16),
        "b": torch.tensor([True, False]),
        "n": torch.tensor(7),  # 0-d
    }
    path = tmp_path / "small.pth"
    _legacy_save(state, path)
    got = read_legacy_state_dict(path)
    assert list(got) == list(state)
    for name, tensor in state.items():
        want = tensor.numpy()
        assert got[name].dtype == want.dtype and got[name].shape == want.shape
        np.testing.assert_array_equal(got[name], want)


def test_the_craft_weights_read_exactly() -> None:
    models = pytest.importorskip("easyocr_en_models", reason="no CRAFT file")
    path = Path(models.model_dir()) / "craft_mlt_25k.pth"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == CRAFT_SHA256
    got = read_legacy_state_dict(path)
    want = torch.load(path, map_location="cpu", weights_only=True)
    assert len(got) == len(want) == 154
    for name, tensor in want.items():
        np.testing.assert_array_equal(got[name], tensor.numpy())


def test_other_files_are_refused(tmp_path: Path) -> None:
    zipped = tmp_path / "new.pth"
    torch.save({"w": torch.zeros(2)}, zipped)
    with pytest.raises(LegacyFormatError, match="zip format"):
        read_legacy_state_dict(zipped)
    legacy = tmp_path / "legacy.pth"
    _legacy_save({"w": torch.zeros(1000)}, legacy)
    cut = tmp_path / "cut.pth"
    cut.write_bytes(legacy.read_bytes()[:-100])
    with pytest.raises(LegacyFormatError, match="truncated"):
        read_legacy_state_dict(cut)
    code = tmp_path / "code.pth"
    _legacy_save({"w": torch.zeros(1), "f": print}, code)
    with pytest.raises(LegacyFormatError, match="unsupported object"):
        read_legacy_state_dict(code)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a pickle at all")
    with pytest.raises(LegacyFormatError):
        read_legacy_state_dict(junk)
