"""Tesseract's language data: traineddata names and the packages that install them.

The mapping between unocr's codes and Tesseract's traineddata names is part of
the one language vocabulary, :mod:`unocr.languages` (:func:`to_tesseract`,
:func:`from_tesseract`, re-exported here); this module adds the Debian/Ubuntu
package of each model.

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

from unocr.languages import from_tesseract, to_tesseract

__all__ = ["apt_package", "from_tesseract", "to_tesseract"]


def apt_package(name: str) -> str:
    """Debian/Ubuntu package that installs a Tesseract traineddata file.

    Args:
        name: Traineddata name, e.g. ``"kor"`` or ``"chi_sim"``.

    Returns:
        E.g. ``"tesseract-ocr-kor"``, ``"tesseract-ocr-chi-sim"``.
    """
    return "tesseract-ocr-" + name.lower().replace("_", "-")
