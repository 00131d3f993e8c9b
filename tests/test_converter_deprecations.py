"""Converters of saved engine output take only what the engine produced.

``rapidocr_to_page``, ``easyocr_to_page``, ``keras_ocr_to_page``,
``page_from_tsv`` and ``page_from_rows`` still take ``backend=``,
``languages=`` and ``timings=`` until unocr 0.3, with a
``DeprecationWarning`` in the words Cloud Vision's ``response_to_page`` uses;
without them a page is stamped as before. Nothing in unocr passes them.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import unocr
from unocr.backends.easyocr.convert import easyocr_to_page
from unocr.backends.keras_ocr.convert import keras_ocr_to_page
from unocr.backends.rapidocr.convert import rapidocr_to_page
from unocr.formats.tsv import page_from_rows, page_from_tsv, parse_tsv
from unocr.model import Page, Timings

SRC = Path(unocr.__file__).resolve().parent

_LINE = [[10, 5], [110, 5], [110, 25], [10, 25]]
_TSV = (
    "1\t1\t0\t0\t0\t0\t0\t0\t200\t40\t-1\t\n"
    "2\t1\t1\t0\t0\t0\t10\t5\t100\t20\t-1\t\n"
    "3\t1\t1\t1\t0\t0\t10\t5\t100\t20\t-1\t\n"
    "4\t1\t1\t1\t1\t0\t10\t5\t100\t20\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t10\t5\t45\t20\t96\tHello\n"
    "5\t1\t1\t1\t1\t2\t65\t5\t45\t20\t91\tworld\n"
)

# name -> (the converter called on a small output of its engine, default backend)
CONVERTERS: dict[str, tuple[Callable[..., Page], str]] = {
    "rapidocr_to_page": (
        lambda **kw: rapidocr_to_page(
            {"boxes": [_LINE], "txts": ["Hello world"], "scores": [0.97]},
            width=200,
            height=40,
            **kw,
        ),
        "rapidocr",
    ),
    "easyocr_to_page": (
        lambda **kw: easyocr_to_page(
            [(_LINE, "Hello world", 0.9)], width=200, height=40, **kw
        ),
        "easyocr",
    ),
    "keras_ocr_to_page": (
        lambda **kw: keras_ocr_to_page(
            [("Hello", _LINE), ("world", [[120, 5], [190, 5], [190, 25], [120, 25]])],
            width=200,
            height=40,
            **kw,
        ),
        "keras-ocr",
    ),
    "page_from_tsv": (lambda **kw: page_from_tsv(_TSV, **kw), "tesseract"),
    "page_from_rows": (
        lambda **kw: page_from_rows(parse_tsv(_TSV), **kw),
        "tesseract",
    ),
}

# keyword -> (value passed, what the page then holds)
KEYWORDS: dict[str, tuple[Any, Any]] = {
    "backend": ("mine", "mine"),
    "languages": (["en", "fr"], ("en", "fr")),
    "timings": (Timings(engine=1.5), Timings(engine=1.5)),
}


@pytest.mark.parametrize("keyword", sorted(KEYWORDS))
@pytest.mark.parametrize("name", sorted(CONVERTERS))
def test_a_page_stamping_keyword_warns_and_still_labels_the_page(
    name: str, keyword: str
) -> None:
    convert, default_backend = CONVERTERS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = convert()  # without it: no warning, the page stamped as before
    assert plain.text == "Hello world"
    assert (plain.backend, plain.languages) == (default_backend, ())
    assert plain.timings == Timings()
    value, held = KEYWORDS[keyword]
    message = (
        f"{name}({keyword}=...) is deprecated and goes away in unocr 0.3; "
        f"set it on the page with page.replace({keyword}=...)"
    )
    with pytest.warns(DeprecationWarning, match=f"^{re.escape(message)}$") as caught:
        page = convert(**{keyword: value})
    assert len(caught) == 1
    assert caught[0].filename == __file__  # it points at the caller
    assert page == plain.replace(**{keyword: held})


_CONVERTER_NAMES = {*CONVERTERS, "page_from_data", "response_to_page"}


def test_no_module_passes_page_stamping_keywords_to_a_converter() -> None:
    """The engines and format readers stamp pages themselves."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = getattr(func, "id", None) or getattr(func, "attr", None)
            if called not in _CONVERTER_NAMES:
                continue
            for keyword in node.keywords:
                if keyword.arg in (None, *KEYWORDS):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} {called}")
    assert found == []
