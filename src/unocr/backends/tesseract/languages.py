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

from unocr.languages import from_tesseract, is_local_use, to_tesseract

__all__ = ["MODELS", "apt_package", "from_tesseract", "install_fix", "to_tesseract"]

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
    name: str, datadir: str | None = None, *, tessdata_dir: bool = False
) -> str:
    """How to install a missing Tesseract model, for an error's fix.

    Args:
        name: Traineddata name, e.g. ``"nor"``, as :func:`to_tesseract` gives.
        datadir: The tessdata folder Tesseract reads, where known (named in
            the fix of a model no package installs).
        tessdata_dir: Whether that folder was chosen with ``--tessdata-dir``
            (in ``config``), which overrides ``TESSDATA_PREFIX``.

    Returns:
        The ``apt-get install`` command of a packaged model; where to get a
        model no package has; for a model of your own (a language's name with
        a suffix, ``eng_custom``, or a code ISO reserves for local use,
        ``qaa``-``qtz``), where to put it; for a language Tesseract ships no
        model for, that and what to do instead.

    Examples:
        >>> install_fix("chi_tra")
        'apt-get install tesseract-ocr-chi-tra'
        >>> print(install_fix("eng_custom", "tessdata"))  # doctest: +ELLIPSIS
        put eng_custom.traineddata (...) into ... (tessdata), or set TESSDATA_PREFIX ...
    """
    key = name.strip().lower().replace("-", "_")
    if key in MODELS and key not in _UNPACKAGED:
        return f"apt-get install {apt_package(key)}"
    folder = "Tesseract's tessdata folder" + (f" ({datadir})" if datadir else "")
    if key in MODELS:
        return (
            f"put {key}.traineddata (from tessdata_fast or tessdata_best, "
            f"github.com/tesseract-ocr) into {folder}"
        )
    if _is_custom(key):
        point = (
            "change --tessdata-dir in config to"
            if tessdata_dir
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
