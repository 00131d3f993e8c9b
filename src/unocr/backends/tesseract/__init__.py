"""Tesseract backend (registered name ``tesseract``).

The engine itself lives in :mod:`unocr.backends.tesseract.backend`, which
imports ``pytesseract`` and is loaded only when the name ``tesseract`` is first
used. The other modules are pure Python and import no engine:

* :mod:`~unocr.backends.tesseract.convert` turns Tesseract's TSV output (or
  ``pytesseract.image_to_data(..., output_type=Output.DICT)``) into a
  :class:`~unocr.model.Page`, so saved outputs convert without Tesseract;
* :mod:`~unocr.backends.tesseract.languages` maps ISO 639 codes to Tesseract's
  traineddata names and Debian/Ubuntu package names;
* :mod:`~unocr.backends.tesseract.process` runs the ``tesseract`` program with a
  time-out that leaves no process behind.
"""
