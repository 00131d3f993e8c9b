"""RapidOCR's own settings (``engine_options``), checked before an engine is built.

Each key is checked against the dotted keys of RapidOCR's ``config.yaml``,
each value against the type of that key's default (a string names an enum
value), and side lengths against :data:`MAX_SIDE`. RapidOCR is imported only
when the first setting is checked, not with this module.
"""

from __future__ import annotations

import difflib
import functools
import math
import reprlib
from collections.abc import Mapping
from enum import Enum
from typing import Any, cast

from unocr.backends.options import (
    check_choice,
    check_count,
    check_number,
    describe_type,
    matches_type,
)
from unocr.errors import ConfigError
from unocr.image import DEFAULT_MAX_PIXELS

__all__ = ["MAX_SIDE", "check_engine_options"]

#: Longest side a size setting may ask for, in pixels: the side of the
#: largest square image the default ``max_pixels`` lets in.
MAX_SIDE = math.isqrt(DEFAULT_MAX_PIXELS)
#: RapidOCR settings that are side lengths in pixels.
_SIDES = frozenset(
    {"Global.max_side_len", "Global.min_side_len", "Global.min_height",
     "Det.limit_side_len"}
)  # fmt: skip
#: Settings RapidOCR only takes as its own enum (its ``ParseParams.update_batch``).
_ENUMS = frozenset({"engine_type", "model_type", "ocr_version", "task_type"})


@functools.cache
def _defaults() -> dict[str, Any]:
    """RapidOCR's settings by dotted key (sections too), with their defaults."""
    from omegaconf import OmegaConf
    from rapidocr.main import DEFAULT_CFG_PATH
    from rapidocr.utils.parse_parameters import ParseParams

    tree = cast(
        "dict[str, Any]", OmegaConf.to_container(ParseParams.load(DEFAULT_CFG_PATH))
    )
    found: dict[str, Any] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for name, value in node.items():
            key = f"{prefix}.{name}"
            found[key] = value
            if isinstance(value, dict):
                walk(key, value)

    for section, node in tree.items():
        walk(section, node)
    return found


def check_engine_options(options: object) -> dict[str, Any]:
    """``engine_options`` checked against RapidOCR's own settings.

    Args:
        options: The ``engine_options`` given: a mapping of RapidOCR's dotted
            ``config.yaml`` keys (e.g. ``"Global.max_side_len"``; a section
            such as ``"EngineConfig.onnxruntime"`` takes a mapping of its own
            keys) to values, or ``None``.
            Side-length settings are in pixels, at most :data:`MAX_SIDE`.

    Returns:
        The settings to pass to RapidOCR, by dotted key (a string naming one
        of its enum values becomes that value); empty for ``None``.

    Raises:
        unocr.errors.ConfigError: Not a mapping of dotted keys, a key
            RapidOCR does not have (naming the closest), or a bad value.

    Examples:
        >>> check_engine_options({"Global.max_side_len": 1500})
        {'Global.max_side_len': 1500}
        >>> try:
        ...     check_engine_options({"Det.limit_side_len": 20_000})
        ... except ConfigError as err:
        ...     print(err)
        engine_options['Det.limit_side_len'] must be at most 10,000, got 20,000
    """
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise ConfigError(
            "engine_options must map RapidOCR's dotted setting names to values, "
            f"got {reprlib.repr(options)}; e.g. {{'Global.max_side_len': 1500}}"
        )
    checked: dict[str, Any] = {}
    for key, value in options.items():
        if not isinstance(key, str):
            raise ConfigError(
                "engine_options keys must be RapidOCR's dotted setting names "
                f"(e.g. 'Global.max_side_len'), got {key!r}"
            )
        checked[key] = _setting(key, value)
    return checked


def _setting(key: str, value: object) -> object:
    """One RapidOCR setting's value, checked against its default (see above)."""
    defaults = _defaults()
    name = f"engine_options[{key!r}]"
    if key not in defaults:
        if _free(key, defaults):
            return value
        close = difflib.get_close_matches(key, list(defaults), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(
            f"RapidOCR has no setting {key!r}{hint}; engine_options takes the "
            "dotted keys of its config.yaml, e.g. 'Global.max_side_len' or "
            "'Det.box_thresh'"
        )
    default = defaults[key]
    if isinstance(default, dict) and default:  # a section: each of its settings
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"{name} is a section of settings: give a mapping of them, or "
                f"set each as '{key}.NAME'; got {reprlib.repr(value)}"
            )
        return {k: _setting(f"{key}.{k}", v) for k, v in value.items()}
    if isinstance(default, Enum):
        kind = type(default)
        if isinstance(value, kind):
            return value
        if key.rsplit(".", 1)[1] not in _ENUMS and isinstance(value, str):
            return value  # e.g. a lang_type: RapidOCR takes any name
        return kind(check_choice(value, name, [m.value for m in kind]))
    if default is not None and matches_type(value, type(default)) is False:
        raise ConfigError(
            f"{name} must be {describe_type(type(default))}, got {reprlib.repr(value)}"
        )
    if key in _SIDES:
        check_count(value, name, maximum=MAX_SIDE)
    elif key == "Det.limit_type":
        check_choice(value, name, ("min", "max"))
    elif key == "Global.width_height_ratio" and value != -1:
        check_number(value, f"{name} (-1: off)", above=True)
    return value


def _free(key: str, defaults: Mapping[str, Any]) -> bool:
    """Whether ``key`` lies under an engine setting RapidOCR leaves open (``{}``)."""
    parts = key.split(".")
    heads = (".".join(parts[:n]) for n in range(2, len(parts)))
    return key.startswith("EngineConfig.") and any(
        head in defaults and defaults[head] in (None, {}) for head in heads
    )
