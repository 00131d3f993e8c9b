"""Keyword sets declared once (``TypedDict`` + ``Unpack``) behave as named keywords.

Functions that take ``**keywords: Unpack[SomeTypedDict]`` refuse a keyword
as Python refuses one a function does not have (the first one passed), and
their annotations resolve at run time (``typing.get_type_hints``), as tools
that read them (validators, CLI builders, documentation) need.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

import pytest

import unocr
from unocr.backends.base import Backend
from unocr.backends.easyocr.convert import easyocr_to_page
from unocr.backends.gcv.convert import response_to_blocks, response_to_page
from unocr.backends.keras_ocr.convert import keras_ocr_to_page
from unocr.backends.rapidocr.convert import rapidocr_to_page
from unocr.formats.tsv import page_from_rows, page_from_tsv
from unocr.model import Block, Line, Page

TAKING_KEYWORD_SETS: list[Callable[..., Any]] = [
    Backend.read,
    Backend.detect,
    Backend.recognize,
    Page.from_words,
    Page.from_lines,
    Line.reported,
    Block.reported,
    page_from_tsv,
    page_from_rows,
    easyocr_to_page,
    keras_ocr_to_page,
    rapidocr_to_page,
    response_to_blocks,
    response_to_page,
]


@pytest.mark.parametrize("function", TAKING_KEYWORD_SETS, ids=lambda f: f.__qualname__)
def test_annotations_resolve_at_run_time(function: Callable[..., Any]) -> None:
    hints = typing.get_type_hints(function)
    unpacked = [
        name
        for name, hint in hints.items()
        if typing.get_origin(hint) is not None
        and getattr(typing.get_origin(hint), "__name__", "") == "Unpack"
    ]
    assert unpacked, hints


@pytest.mark.parametrize("method", ["read", "detect", "recognize"])
def test_the_first_unknown_keyword_passed_is_named(method: str) -> None:
    backend = unocr.get_backend("tesseract")
    positional: tuple[object, ...] = (b"", []) if method == "recognize" else (b"",)
    with pytest.raises(TypeError) as err:
        getattr(backend, method)(*positional, zeta=1, alpha=2)
    assert str(err.value) == (
        f"Backend.{method}() got an unexpected keyword argument 'zeta'"
    )


def test_a_missing_required_keyword_is_named_as_python_names_it() -> None:
    with pytest.raises(TypeError) as err:
        Page.from_words([], width=10)
    assert str(err.value) == (
        "Page.from_words() missing 1 required keyword-only argument: 'height'"
    )
