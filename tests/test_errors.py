"""The exception tree."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from unocr import errors as E

CASES = [
    E.UnocrError("boom", backend="x", item=3),
    E.BackendNotFoundError("tesserakt", ["gcv", "tesseract"], "tesseract"),
    E.BackendUnavailableError("no engine.", backend="x", fix="pip install 'unocr[x]'"),
    E.LanguageUnavailableError(
        "no kor.",
        language="ko",
        backend="tesseract",
        fix="apt-get install tesseract-ocr-kor",
    ),
    E.AuthenticationError("no credentials", backend="gcv"),
    E.ImageError("bad.png: not an image", item="bad.png"),
    E.GeometryError("expected (4, 2), got (3, 2)"),
    E.ModelError("confidence must lie in [0, 1], got 2.0"),
    E.FormatError("bad hOCR"),
    E.XmlSyntaxError("page.xml is not well-formed XML"),
    E.RegistrationError("'ink' is already registered"),
    E.LanguageCodeError("'english' is not an ISO 639 language code"),
    E.DatasetError("bad gt"),
    E.RecognitionError("engine died", backend="x", item=0),
    E.EngineTimeoutError("too slow", timeout=1.5, backend="tesseract", item="a.png"),
    E.WorkerLostError("worker lost", reason="KilledWorker: x", backend="fault", item=2),
    E.EngineCancelledError("cancelled", backend="tesseract", item="a.png"),
    E.NoWorkersError(
        "no worker left", timeout=2.0, reason="no workers", backend="x", item=4
    ),
]


@pytest.mark.parametrize("err", CASES, ids=lambda e: type(e).__name__)
def test_errors_pickle_and_copy_with_their_context(err):
    for clone in (pickle.loads(pickle.dumps(err)), copy.copy(err), copy.deepcopy(err)):
        assert type(clone) is type(err)
        assert str(clone) == str(err)
        assert clone.__dict__ == err.__dict__


def test_tree_and_builtin_bases():
    assert issubclass(E.BackendNotFoundError, LookupError)
    assert issubclass(E.BackendUnavailableError, ImportError)
    assert issubclass(E.LanguageUnavailableError, E.BackendUnavailableError)
    assert issubclass(E.ImageError, ValueError)
    assert issubclass(E.GeometryError, ValueError)
    assert issubclass(E.ModelError, ValueError)
    assert issubclass(E.ModelError, TypeError)
    assert issubclass(E.RecognitionError, RuntimeError)
    assert issubclass(E.EngineTimeoutError, TimeoutError)
    assert issubclass(E.EngineTimeoutError, E.RecognitionError)
    assert issubclass(E.EngineCancelledError, E.RecognitionError)
    assert issubclass(E.NoWorkersError, E.WorkerLostError)
    assert issubclass(E.AuthenticationError, PermissionError)
    assert issubclass(E.XmlSyntaxError, E.FormatError)
    assert issubclass(E.RegistrationError, ValueError)
    assert issubclass(E.LanguageCodeError, ValueError)
    for name in E.__all__:
        cls = getattr(E, name)
        assert issubclass(cls, E.UnocrError)
        assert cls.__doc__
        assert name in E.__doc__  # drawn in the module docstring


def test_messages_carry_the_fix():
    err = E.BackendUnavailableError(
        "tesseract is not installed.", fix="apt-get install tesseract-ocr"
    )
    assert str(err) == "tesseract is not installed. Fix: apt-get install tesseract-ocr"
    assert err.fix == "apt-get install tesseract-ocr"
    nf = E.BackendNotFoundError("tesserakt", ["gcv", "tesseract"], "tesseract")
    assert "Did you mean 'tesseract'?" in str(nf)
    assert "gcv, tesseract" in str(nf)


def test_the_old_homes_of_moved_exceptions_still_export_them():
    from unocr.formats.safe_xml import XmlSyntaxError
    from unocr.languages import LanguageCodeError
    from unocr.registry import RegistrationError

    assert XmlSyntaxError is E.XmlSyntaxError
    assert LanguageCodeError is E.LanguageCodeError
    assert RegistrationError is E.RegistrationError


def test_the_api_docs_draw_every_error():
    """docs/api.md draws the same tree as the module docstring."""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    tree = docs.split("UnocrError (Exception)", 1)[1].split("```", 1)[0]
    drawn = {
        line.split("── ")[1].split()[0] for line in tree.splitlines() if "── " in line
    }
    assert drawn | {"UnocrError"} == set(E.__all__)
