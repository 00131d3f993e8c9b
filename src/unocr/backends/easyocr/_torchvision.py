"""Import EasyOCR without torchvision.

EasyOCR imports torchvision for two things only: the layer layout of VGG16-BN
(``torchvision.models.vgg16_bn(...).features``, the CRAFT detector's backbone,
whose weights come from ``craft_mlt_25k.pth``) and ``transforms.ToTensor``.
PyPI's torchvision wheels are built against CUDA PyTorch; beside a CPU-only
PyTorch, ``import torchvision`` fails (``operator torchvision::nms does not
exist``). :func:`import_easyocr` therefore imports EasyOCR's modules while
``sys.modules`` maps ``torchvision`` to the small stand-in below, then
removes the stand-in again: EasyOCR keeps references to it, nothing else in
the process sees it, and whatever torchvision is installed (working or not)
is never imported.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["ToTensor", "import_easyocr", "vgg16_bn"]

#: torchvision's VGG "D" configuration (VGG16): channels, "M" = max-pool.
_VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M")  # fmt: skip
#: Every EasyOCR module that imports torchvision, directly or through another.
_EASYOCR_MODULES = (
    "easyocr",
    "easyocr.model.modules",
    "easyocr.model.model",
    "easyocr.model.vgg_model",
    "easyocr.craft",
    "easyocr.detection",
    "easyocr.recognition",
)
_lock = threading.Lock()


class _VGG(nn.Module):
    def __init__(self, features: nn.Sequential) -> None:
        super().__init__()
        self.features = features


def vgg16_bn(weights: object = None, **_: object) -> nn.Module:
    """VGG16 with batch norm, the layer layout of ``torchvision.models.vgg16_bn``.

    Args:
        weights: Must be ``None``: the stand-in has no pretrained weights.

    Returns:
        A module whose ``features`` is the (untrained) convolutional part.

    Raises:
        ValueError: Pretrained weights were asked for.
    """
    if weights is not None:
        raise ValueError("the torchvision stand-in has no pretrained weights")
    layers: list[nn.Module] = []
    channels = 3
    for v in _VGG16:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            assert isinstance(v, int)
            layers += [
                nn.Conv2d(channels, v, kernel_size=3, padding=1),
                nn.BatchNorm2d(v),
                nn.ReLU(inplace=True),
            ]
            channels = v
    return _VGG(nn.Sequential(*layers))


class ToTensor:
    """``torchvision.transforms.ToTensor`` for PIL images and uint8 arrays.

    (H, W) or (H, W, C) uint8 becomes a (C, H, W) float tensor in [0, 1].
    """

    def __call__(self, pic: Any) -> torch.Tensor:
        arr = np.array(pic, copy=True)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        tensor = torch.from_numpy(arr).permute(2, 0, 1).contiguous()
        if tensor.dtype == torch.uint8:
            return tensor.to(dtype=torch.get_default_dtype()).div(255)
        return tensor


def _stand_in() -> dict[str, types.ModuleType]:
    root = types.ModuleType("torchvision")
    root.__version__ = "0.13.0"  # type: ignore[attr-defined]  # the API EasyOCR uses
    models = types.ModuleType("torchvision.models")
    models.vgg16_bn = vgg16_bn  # type: ignore[attr-defined]
    models.VGG16_BN_Weights = types.SimpleNamespace(DEFAULT="DEFAULT")  # type: ignore[attr-defined]
    transforms = types.ModuleType("torchvision.transforms")
    transforms.ToTensor = ToTensor  # type: ignore[attr-defined]
    root.models = models  # type: ignore[attr-defined]
    root.transforms = transforms  # type: ignore[attr-defined]
    return {
        "torchvision": root,
        "torchvision.models": models,
        "torchvision.transforms": transforms,
    }


def import_easyocr() -> types.ModuleType:
    """Import EasyOCR (and the modules it loads later) with the stand-in.

    Returns:
        The ``easyocr`` package.
    """
    with _lock:
        if all(name in sys.modules for name in _EASYOCR_MODULES):
            return sys.modules["easyocr"]
        stand_in = _stand_in()
        saved = {name: sys.modules.get(name) for name in stand_in}
        sys.modules.update(stand_in)
        try:
            for name in _EASYOCR_MODULES:
                importlib.import_module(name)
        finally:
            for name, module in saved.items():
                if module is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module
        return sys.modules["easyocr"]
