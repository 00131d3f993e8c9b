"""The exception tree."""

from __future__ import annotations

import builtins
import copy
import importlib
import inspect
import pickle
import re
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
    """docs/api.md draws the same trees as the module docstring."""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    tree = docs.split("UnocrError (Exception)", 1)[1].split("```", 1)[0]
    drawn = {
        line.split("── ")[1].split()[0] for line in tree.splitlines() if "── " in line
    }
    assert drawn | {"UnocrError"} == set(E.__all__)
    assert _drawn(docs, _SIGNALS) == _drawn(E.__doc__, _SIGNALS)


# The old homes of the internal signals, which keep exporting them.
SIGNAL_HOMES = {
    "ProcessTimeout": "unocr.backends.tesseract.process",
    "ProcessCancelled": "unocr.backends.tesseract.process",
    "ProtocolError": "unocr.isolation.protocol",
    "UsageError": "unocr.cli._args",
    "LegacyFormatError": "unocr.backends.keras_ocr.torch_legacy",
}

_SIGNALS = "Internal signals (never reach a caller)"


def _drawn(text: str, heading: str) -> list[tuple[str, str, tuple[str, ...], str]]:
    """The tree under ``heading``: (name, drawn parent, bases in brackets, text)."""
    block = text.split(heading + "\n", 1)[1]
    block = re.split(r"\n\s*(?:\n|```)", block, maxsplit=1)[0]
    rows: list[tuple[str, str, tuple[str, ...], str]] = []
    parents = {0: heading.split()[0]}
    for line in block.splitlines():
        if "── " not in line:  # a line continuing the entry above
            name, parent, bases, said = rows[-1]
            rows[-1] = (name, parent, bases, said + " " + line.strip(" │"))
            continue
        depth = (line.index("── ") - block.index("── ")) // 4
        entry = line.split("── ", 1)[1]
        found = re.match(r"(\w+)(?: \(([\w, ]+)\))?\s*(.*)", entry)
        assert found, line
        name, bases, said = found.groups()
        parents[depth + 1] = name
        drawn_bases = tuple(bases.split(", ")) if bases else ()
        rows.append((name, parents[depth], drawn_bases, said))
    return rows


def test_the_drawn_trees_match_the_classes():
    """Both trees of the module docstring draw every class where it is."""
    public = _drawn(E.__doc__, "UnocrError (Exception)")
    assert {name for name, *_ in public} | {"UnocrError"} == set(E.__all__)
    for name, parent, bases, _ in public:
        cls = getattr(E, name)
        assert issubclass(cls, getattr(E, parent)), name
        for base in bases:
            assert issubclass(cls, getattr(builtins, base, None) or getattr(E, base))
    signals = _drawn(E.__doc__, _SIGNALS)
    defined = {
        name
        for name, cls in vars(E).items()
        if inspect.isclass(cls)
        and issubclass(cls, BaseException)
        and cls.__module__ == E.__name__
        and not issubclass(cls, E.UnocrError)
    }
    assert {name for name, *_ in signals} == defined == set(SIGNAL_HOMES)
    for name, parent, bases, said in signals:
        cls = getattr(E, name)
        # Drawn at the top level: no signal derives from another.
        assert parent == "Internal"
        assert tuple(b.__name__ for b in cls.__bases__) == bases
        becomes = re.findall(r"-> (exit status \d|\w+)", said)
        assert becomes, name
        assert all(b.startswith("exit status") or b in E.__all__ for b in becomes)


@pytest.mark.parametrize("name", list(SIGNAL_HOMES))
def test_internal_signals_are_defined_here_and_kept_where_they_were(name):
    cls = getattr(E, name)
    assert cls.__module__ == "unocr.errors"
    assert getattr(importlib.import_module(SIGNAL_HOMES[name]), name) is cls
    assert name not in E.__all__
    assert not issubclass(cls, E.UnocrError)  # except UnocrError never catches one
    assert cls.__doc__ and "Internal signal" in cls.__doc__


def test_internal_signals_keep_their_attributes():
    timeout = E.ProcessTimeout(12, 1.5)
    assert (timeout.pid, timeout.timeout, str(timeout)) == (
        12,
        1.5,
        "process 12 killed after 1.5 s",
    )
    cancelled = E.ProcessCancelled(0)
    assert (cancelled.pid, str(cancelled)) == (0, "process 0 killed on cancellation")
    assert issubclass(E.LegacyFormatError, ValueError)
    assert str(E.UsageError("clash")) == "clash"
    assert str(E.ProtocolError("closed")) == "closed"
