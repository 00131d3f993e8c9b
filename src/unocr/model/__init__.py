"""The common result model: a page of blocks, lines, words and symbols."""

from unocr.model.elements import Block, Element, Line, ReportedFields, Symbol, Word
from unocr.model.page import EngineUse, Page, PageFields, PageLabels, Timings
from unocr.model.provenance import Provenance
from unocr.model.recognition import Recognition
from unocr.model.source import Source

__all__ = [
    "Block",
    "Element",
    "EngineUse",
    "Line",
    "Page",
    "PageFields",
    "PageLabels",
    "Provenance",
    "Recognition",
    "ReportedFields",
    "Source",
    "Symbol",
    "Timings",
    "Word",
]
