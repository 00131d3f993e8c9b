"""The common result model: a page of blocks, lines, words and symbols."""

from unocr.model.elements import Block, Element, Line, Symbol, Word
from unocr.model.page import Page, Timings
from unocr.model.provenance import Provenance
from unocr.model.recognition import Recognition
from unocr.model.source import Source

__all__ = [
    "Block",
    "Element",
    "Line",
    "Page",
    "Provenance",
    "Recognition",
    "Source",
    "Symbol",
    "Timings",
    "Word",
]
