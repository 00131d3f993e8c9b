"""The common result model: a page of blocks, lines, words and symbols."""

from unocr.model.elements import Block, Element, Line, Symbol, Word
from unocr.model.page import Page, Timings
from unocr.model.source import Source

__all__ = ["Block", "Element", "Line", "Page", "Source", "Symbol", "Timings", "Word"]
