"""Tesseract's language data: traineddata names and the packages that install them.

The mapping between unocr's codes and Tesseract's traineddata names is part of
the one language vocabulary, :mod:`unocr.languages` (:func:`to_tesseract`,
:func:`from_tesseract`, re-exported here); this module adds the models
Tesseract ships and how to install each.

Examples:
    >>> to_tesseract("en"), to_tesseract("zh"), to_tesseract("zh-Hant")
    ('eng', 'chi_sim', 'chi_tra')
    >>> to_tesseract("chi-sim")  # Tesseract's own names pass through
    'chi_sim'
    >>> apt_package("chi_sim")
    'tesseract-ocr-chi-sim'
    >>> from_tesseract("kor"), from_tesseract("chi_tra")
    ('ko', 'zh-Hant')
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Literal, cast

from unocr.errors import LanguageCodeError
from unocr.languages import (
    from_tesseract,
    is_local_use,
    normalize_language,
    normalize_languages,
    text_language,
    to_tesseract,
)

__all__ = [
    "MODELS",
    "FolderChoice",
    "apt_package",
    "element_language",
    "from_tesseract",
    "install_fix",
    "model_name",
    "requested_languages",
    "to_tesseract",
]

#: What chose the tessdata folder Tesseract reads, where not Tesseract itself:
#: the environment variable, or ``--tessdata-dir`` in ``config`` (which wins).
FolderChoice = Literal["TESSDATA_PREFIX", "--tessdata-dir"]

#: Every traineddata name Tesseract 4/5 ships (tessdata, tessdata_fast,
#: tessdata_best), languages and ``osd``/``equ``; script models
#: (``script/Latin``) aside.
MODELS: frozenset[str] = frozenset(
    """
    afr amh ara asm aze aze_cyrl bel ben bod bos bre bul cat ceb ces chi_sim
    chi_sim_vert chi_tra chi_tra_vert chr cos cym dan deu deu_latf div dzo ell
    eng enm epo equ est eus fao fas fil fin fra frk frm fry gla gle glg grc guj
    hat heb hin hrv hun hye iku ind isl ita ita_old jav jpn jpn_vert kan kat
    kat_old kaz khm kir kmr kor kor_vert lao lat lav lit ltz mal mar mkd mlt mon
    mri msa mya nep nld nor oci ori osd pan pol por pus que ron rus san sin slk
    slv snd spa spa_old sqi srp srp_latn sun swa swe syr tam tat tel tgk tha tir
    ton tur uig ukr urd uzb uzb_cyrl vie yid yor
    """.split()  # noqa: SIM905
)
# Models newer than the data Debian/Ubuntu package.
_UNPACKAGED = frozenset({"deu_latf"})


def apt_package(name: str) -> str:
    """Debian/Ubuntu package that installs a Tesseract traineddata file.

    Args:
        name: Traineddata name, e.g. ``"kor"`` or ``"chi_sim"``.

    Returns:
        E.g. ``"tesseract-ocr-kor"``, ``"tesseract-ocr-chi-sim"``. Only the
        names in :data:`MODELS` (but ``deu_latf``) have a package; see
        :func:`install_fix`.
    """
    return "tesseract-ocr-" + name.lower().replace("_", "-")


def install_fix(
    name: str, datadir: str | None = None, *, chosen_by: FolderChoice | None = None
) -> str:
    """How to install a missing Tesseract model, for an error's fix.

    Args:
        name: Traineddata name, e.g. ``"nor"``, as :func:`to_tesseract` gives.
        datadir: The tessdata folder Tesseract reads, where known (named in
            the fix of a model no package installs).
        chosen_by: What chose that folder: ``"TESSDATA_PREFIX"``,
            ``"--tessdata-dir"`` (in ``config``, which overrides
            ``TESSDATA_PREFIX``), or ``None`` for Tesseract's own folder.

    Returns:
        The ``apt-get install`` command of a packaged model (which installs
        into the system's folder: for a folder of your own, to put the model
        there or to go back to the system's); where to get a model no package
        has; for a model of your own (a language's name with a suffix,
        ``eng_custom``, or a code ISO reserves for local use, ``qaa``-``qtz``),
        where to put it; for a language Tesseract ships no model for, that and
        what to do instead.

    Examples:
        >>> install_fix("chi_tra")
        'apt-get install tesseract-ocr-chi-tra'
        >>> fix = install_fix("fra", "mine", chosen_by="TESSDATA_PREFIX")
        >>> print(fix)  # doctest: +ELLIPSIS
        put fra.traineddata (...) into the folder TESSDATA_PREFIX names (mine), or ...
        >>> print(install_fix("eng_custom", "tessdata"))  # doctest: +ELLIPSIS
        put eng_custom.traineddata (...) into ... (tessdata), or set TESSDATA_PREFIX ...
    """
    key = name.strip().lower().replace("-", "_")
    where = f" ({datadir})" if datadir else ""
    if key in MODELS and key not in _UNPACKAGED:
        apt = f"apt-get install {apt_package(key)}"
        if chosen_by is None:
            return apt
        undo = (
            "unset TESSDATA_PREFIX"
            if chosen_by == "TESSDATA_PREFIX"
            else "drop --tessdata-dir from config"
        )
        return (
            f"put {key}.traineddata (from tessdata_fast or tessdata_best, "
            f"github.com/tesseract-ocr, or from the system's tessdata folder "
            f"after {apt}) into the folder {chosen_by} names{where}, or {undo} "
            f"to read the system's models after {apt}"
        )
    folder = "Tesseract's tessdata folder" + where
    if key in MODELS:
        return (
            f"put {key}.traineddata (from tessdata_fast or tessdata_best, "
            f"github.com/tesseract-ocr) into {folder}"
        )
    if _is_custom(key):
        point = (
            "change --tessdata-dir in config to"
            if chosen_by == "--tessdata-dir"
            else "set TESSDATA_PREFIX to"
        )
        return (
            f"put {key}.traineddata (a model of your own: Tesseract ships none by "
            f"that name) into {folder}, or {point} the folder that holds it"
        )
    return (
        f"Tesseract ships no {key}.traineddata: use an engine that reads the "
        "language (see unocr backends), or put a model trained for it into "
        f"{folder}"
    )


def _is_custom(key: str) -> bool:
    """Whether a traineddata name no Tesseract release has names a model of one's own.

    It does when a suffix follows the language (``eng_custom``, ``deu_1996``)
    or the language is one of the codes ISO 639 reserves for local use
    (``qaa``-``qtz``).
    """
    head, sep, _ = key.partition("_")
    return bool(sep) or is_local_use(head)


def _own_model(name: str, installed: Collection[str]) -> bool:
    """Whether a requested name is an installed model's own name, not a code.

    A model of one's own may be named anything (``xyz.traineddata``,
    ``MyFont.traineddata``); asked for by its file's name, exactly, it is run
    as it is. A language code keeps its meaning beside a file of that name.
    """
    if name not in installed:
        return False
    try:
        normalize_language(name)
    except LanguageCodeError:
        return True
    return False


def requested_languages(
    value: str | Sequence[str] | None, installed: Collection[str]
) -> tuple[str, ...]:
    """Languages asked of Tesseract: codes, and names of installed models of one's own.

    Args:
        value: As :func:`~unocr.languages.normalize_languages` takes it.
        installed: The traineddata names in the tessdata folder in use.

    Returns:
        The codes :func:`~unocr.languages.normalize_languages` gives, but for
        a name it refuses that is an installed model's (``"xyz"`` with
        ``xyz.traineddata`` there), which is kept as given.

    Raises:
        LanguageCodeError: A name is no language code and no installed model's
            (``"esp"``, ``"xyz"`` without the file); the message names the
            code most likely meant.
    """
    if isinstance(value, str):
        parts: list[object] = list(value.split(","))
    elif isinstance(value, Iterable) and not isinstance(value, (bytes, bytearray)):
        parts = list(value)
    else:
        return normalize_languages(value)  # None, or refused with its message
    out: list[str] = []
    for part in parts:
        name = part.strip() if isinstance(part, str) else ""
        codes = (
            (name,)
            if _own_model(name, installed)
            else normalize_languages([cast("str", part)])  # which checks its type
        )
        for code in codes:
            if code not in out:
                out.append(code)
    return tuple(out)


def element_language(asked: Sequence[str], names: Sequence[str]) -> str | None:
    """The language of every element of a read, where it has one.

    Args:
        asked: The languages asked for (:func:`requested_languages`).
        names: The traineddata names run for them (:func:`model_name`), as
            many.

    Returns:
        The language asked for, where one language runs one model, read as
        a file's language is (:func:`~unocr.languages.parse_language`: the
        model's variant dropped); the model's language where several codes
        ran the same model; ``None`` where models of several languages ran,
        or the one run reads no known language.

    Examples:
        >>> element_language(["tl"], ["fil"]), element_language(["pt-BR"], ["por"])
        ('tl', 'pt-BR')
        >>> element_language(["ja-vert"], ["jpn_vert"])
        'ja'
        >>> element_language(["en", "en-US"], ["eng", "eng"])
        'en'
        >>> element_language(["en", "de"], ["eng", "deu"]) is None
        True
    """
    if len(set(names)) != 1:
        return None
    if (language := text_language(asked)) is not None:
        return language
    return from_tesseract(names[0])


def model_name(code: str, installed: Collection[str]) -> str:
    """The traineddata name Tesseract runs for a requested language.

    Args:
        code: A code or model name from :func:`requested_languages`.
        installed: The traineddata names in the tessdata folder in use.

    Returns:
        An installed model's own name as it is; else :func:`to_tesseract`'s.
    """
    return code if _own_model(code, installed) else to_tesseract(code)
