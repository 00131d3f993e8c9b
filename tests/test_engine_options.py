"""Unknown engine options: a typed error naming the options and the closest one."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import unocr
from unocr.backends.options import check_options, engine_options
from unocr.cli import main
from unocr.errors import UnknownOptionError, UnocrError

from .ink_engine import InkBackend

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "phototest.png"


def test_a_misspelt_option_names_the_closest_and_lists_all():
    with pytest.raises(UnknownOptionError) as info:
        unocr.read(SAMPLE, backend="tesseract", psmm=6)
    err = info.value
    assert isinstance(err, UnocrError) and isinstance(err, TypeError)
    assert (err.option, err.suggestion, err.backend) == ("psmm", "psm", "tesseract")
    assert "psm" in err.known and "timeout" in err.known
    assert "Did you mean 'psm'?" in str(err)
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.option, copy.known, copy.suggestion) == (err.option, err.known, "psm")


def test_an_option_far_from_every_name_gets_no_suggestion():
    with pytest.raises(UnknownOptionError) as info:
        unocr.get_backend("tesseract", zzzzzz=1)
    assert info.value.suggestion is None
    assert "Did you mean" not in str(info.value)


def test_options_come_from_the_factory_signature():
    class Engine:
        def __init__(self, *, languages: object = None, gap: int = 3) -> None: ...

    assert engine_options(Engine) == ("gap", "languages")
    assert engine_options(InkBackend) is None  # takes **kw: not checked

    def open_factory(**kwargs: object) -> None: ...

    assert engine_options(open_factory) is None
    check_options("any", open_factory, ["whatever"])  # anything goes


def test_the_cli_reports_an_unknown_option_as_a_usage_error(capsys):
    code = main(["read", str(SAMPLE), "-b", "tesseract", "-O", "psmm=6"])
    err = capsys.readouterr().err
    assert code == 2  # a usage error
    assert "no option 'psmm'" in err and "Did you mean 'psm'?" in err
