"""Tesseract backend (registered name ``tesseract``).

Its output, TSV, is read by :mod:`unocr.formats.tsv` (the one home of TSV
reading and writing), so saved outputs convert without Tesseract.

The engine itself lives in :mod:`unocr.backends.tesseract.backend`, which
imports ``pytesseract`` and is loaded only when the name ``tesseract`` is first
used. The other modules are pure Python and import no engine:

* :mod:`~unocr.backends.tesseract.install` asks the program for its version
  and installed languages (the catalog's data probe);
* :mod:`~unocr.backends.tesseract.languages` maps ISO 639 codes to Tesseract's
  traineddata names and Debian/Ubuntu package names;
* :mod:`~unocr.backends.tesseract.process` runs the ``tesseract`` program with a
  time-out that leaves no process behind.
"""
