"""The common result model: a page of blocks, lines, words and symbols."""

from unocr.model.elements import Block, Element, Line, Symbol, Word
from unocr.model.page import Page, Timings

__all__ = ["Block", "Element", "Line", "Page", "Symbol", "Timings", "Word"]
