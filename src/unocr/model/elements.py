"""Text elements below the page: symbols, words, lines and blocks.

Each element has ``text``, ``geometry`` (one of the five shapes of
:mod:`unocr.geometry`, in page pixel coordinates, the engine's own shape kept),
``confidence`` (a float in [0, 1], or ``None`` where the engine gives none),
``language`` (ISO 639 code or ``None``) and ``native`` (``True`` where the
engine produced the element, ``False`` where unocr synthesised it from its
children or parent).

Examples:
    >>> from unocr.geometry import Box
    >>> a = Word(text="Hello", geometry=Box(0, 0, 50, 20), confidence=0.9)
    >>> b = Word(text="world", geometry=Box(60, 0, 110, 20), confidence=0.7)
    >>> line = Line.from_words([a, b])
    >>> line.text, line.native, round(line.confidence, 2)
    ('Hello world', False, 0.8)
    >>> line.geometry
    Box(x0=0.0, y0=0.0, x1=110.0, y1=20.0)
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Generic, TypedDict, TypeGuard, TypeVar

import numpy as np
from typing_extensions import Unpack

from unocr._lazy import check_keywords
from unocr.errors import ModelError
from unocr.geometry import (
    Box,
    Geometry,
    Mask,
    Polygon,
    Quad,
    RotatedBox,
    enclosing_box,
    enclosing_quads,
)
from unocr.model.provenance import Provenance

__all__ = [
    "Block",
    "Element",
    "Line",
    "ReportedFields",
    "Symbol",
    "Word",
    "check_confidence",
    "checked_children",
    "is_real_number",
    "languages_in",
    "lines_text",
    "mean_confidence",
    "words_text",
]

_SHAPES = (Box, RotatedBox, Quad, Polygon, Mask)

E = TypeVar("E", bound="Element")
_V = TypeVar("_V")
_C = TypeVar("_C")


def is_real_number(
    value: object,
) -> TypeGuard[int | float | np.integer[Any] | np.floating[Any]]:
    """Whether ``value`` is a real number, Python's or numpy's (not a bool).

    The one rule for numbers a caller gives the model (confidences, sizes,
    seconds): ``np.float32(0.6)`` is as good as ``0.6``.

    Args:
        value: Anything.

    Returns:
        ``True`` for an ``int``, ``float`` or numpy integer or floating
        scalar; ``False`` for anything else, booleans included.

    Examples:
        >>> is_real_number(np.float32(0.5)), is_real_number(True), is_real_number("1")
        (True, False, False)
    """
    return not isinstance(value, (bool, np.bool_)) and isinstance(
        value, (int, float, np.integer, np.floating)
    )


def check_confidence(value: object) -> float | None:
    """A confidence as a float in [0, 1], or ``None``; the one rule for all.

    Args:
        value: A real number (Python or numpy) in [0, 1], or ``None`` where
            the engine gives none.

    Returns:
        ``value`` as a float, or ``None``.

    Raises:
        unocr.errors.ModelError: Not a number (booleans included), NaN, or
            outside [0, 1]; the message says to convert the engine's scale
            first.

    Examples:
        >>> check_confidence(np.float32(0.5)), check_confidence(None)
        (0.5, None)
    """
    if value is None:
        return None
    if not is_real_number(value):
        raise ModelError(
            f"confidence must be a float in [0, 1] or None, got "
            f"{type(value).__name__} ({value!r:.40})"
        )
    try:
        conf = float(value)
    except OverflowError:  # an integer too large for a float: out of [0, 1]
        conf = math.inf
    if math.isnan(conf) or not 0.0 <= conf <= 1.0:
        raise ModelError(
            f"confidence must lie in [0, 1] (or be None where the engine gives "
            f"none), got {conf!r}; convert the engine's scale first"
        )
    return conf


def _checked_native(value: object) -> bool:
    """A ``native`` flag that is not ``True`` or ``False`` itself, checked.

    Only a numpy boolean passes (as a plain ``bool``): a string such as
    ``"False"``, a number or ``None`` would otherwise turn silently into the
    opposite flag or a guess.

    Args:
        value: The ``native`` value given.

    Returns:
        ``value`` as a ``bool``.

    Raises:
        unocr.errors.ModelError: ``value`` is not a ``bool`` or ``numpy.bool_``.
    """
    if value is True or value is False:
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ModelError(
        f"native must be a bool (True or False), got {type(value).__name__} "
        f"({value!r:.40})"
    )


def checked_children(values: object, kind: type[_C], where: str) -> tuple[_C, ...]:
    """A parent's children as a tuple, each checked to be a ``kind``.

    Args:
        values: The children as given (any iterable but a string).
        kind: The class every child must be (a subclass is accepted).
        where: The field, for the message (``"Line.words"``).

    Returns:
        The children, in order.

    Raises:
        unocr.errors.ModelError: ``values`` is not a collection, or one of
            its items is not a ``kind`` (the message gives its index).

    Examples:
        >>> checked_children([], Word, "Line.words")
        ()
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ModelError(
            f"{where} must be a sequence of {kind.__name__}, got "
            f"{type(values).__name__}"
        )
    out = tuple(values)
    for i, value in enumerate(out):
        if type(value) is not kind and not isinstance(value, kind):
            name = kind.__name__
            article = "an" if name[0] in "AEIOU" else "a"
            raise ModelError(
                f"{where}[{i}] must be {article} {name}, got {type(value).__name__}"
            )
    return out


@dataclass(frozen=True, slots=True)
class Element:
    """Fields shared by every level of the result tree.

    Attributes:
        text: The recognised text (for parents, the children's text joined).
        geometry: Shape in page pixel coordinates (origin top-left, y down).
        confidence: Engine confidence in [0, 1], or ``None``.
        language: ISO 639 code of the text, or ``None``.
        native: ``True`` if the engine produced this element itself.
        provenance: The engines that found its geometry and read its text,
            where a composed engine (a pipeline, a cascade) made it; ``None``
            where the page's backend did both.
    """

    text: str
    geometry: Geometry
    confidence: float | None = None
    language: str | None = None
    native: bool = True
    provenance: Provenance | None = None

    def __init_subclass__(cls) -> None:
        # (no zero-argument super() in a slotted dataclass: object's takes nothing)
        _filled[cls] = _filler(cls)

    def __post_init__(self) -> None:
        # exact-type fast paths first: pages hold thousands of elements
        if type(self.text) is not str and not isinstance(self.text, str):
            raise ModelError(f"text must be a str, got {type(self.text).__name__}")
        if (
            self.language is not None
            and type(self.language) is not str
            and not isinstance(self.language, str)
        ):
            raise ModelError(
                "language must be an ISO 639 code (str) or None, got "
                f"{type(self.language).__name__}"
            )
        if type(self.geometry) not in _SHAPES and not isinstance(
            self.geometry, _SHAPES
        ):
            raise ModelError(
                "geometry must be a Box, RotatedBox, Quad, Polygon or Mask, got "
                f"{type(self.geometry).__name__}"
            )
        shape = self.geometry
        if type(shape) is not Box and isinstance(shape, Mask) and shape.is_empty:
            raise ModelError(
                "geometry is a Mask with no pixel set: it marks no place on the "
                "page, so no element can have it (leave the element out)"
            )
        conf = self.confidence
        if conf is not None and not (type(conf) is float and 0.0 <= conf <= 1.0):
            object.__setattr__(self, "confidence", check_confidence(conf))
        native = self.native
        if native is not True and native is not False:
            object.__setattr__(self, "native", _checked_native(native))
        if self.provenance is not None and not isinstance(self.provenance, Provenance):
            raise ModelError(
                "provenance must be a unocr.model.Provenance or None, got "
                f"{type(self.provenance).__name__}"
            )

    def replace(self: E, **changes: Any) -> E:
        """Return a copy with the given fields changed."""
        return replace(self, **changes)

    @classmethod
    def from_checked(
        cls: type[E],
        text: str,
        geometry: Geometry,
        confidence: float | None,
        language: str | None,
        native: bool = True,
    ) -> E:
        """Build an element from fields already checked, without checking them.

        Package-internal, for converters that build thousands of elements
        from input they have validated themselves (a Cloud Vision response
        is checked field by field as it is read): the constructor's checks
        are skipped, so the caller guarantees what they would enforce.
        Children (``symbols``, ``words``, ``lines``) are empty; subclasses
        take them as one more argument.

        Args:
            text: A ``str``.
            geometry: One of the five shapes of :mod:`unocr.geometry`.
            confidence: A ``float`` in [0, 1], or ``None``.
            language: An ISO 639 code, or ``None``.
            native: A ``bool``.

        Returns:
            The element, equal to ``cls(text, geometry, confidence, language,
            native)`` for valid fields.
        """
        made: E = _filled[cls](_new(cls), text, geometry, confidence, language, native)
        return made


def _with_children(
    cls: type[E],
    put: Callable[[Any, Any], None],
    fields: tuple[str, Geometry, float | None, str | None, bool],
    children: object,
) -> E:
    """A new ``cls`` of checked ``fields``, its children set by ``put``.

    ``fields`` are the arguments of :meth:`Element.from_checked`.
    """
    made: E = _filled[cls](_new(cls), *fields)
    put(made, children)
    return made


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """The setter of ``cls``'s slot field ``name`` (frozen classes refuse ``setattr``).

    Looked up on ``cls`` itself, not on the class that declares the field:
    on Python 3.10 a slotted dataclass subclass has its own copy of every
    inherited slot, and reads go to that copy.
    """
    setter: Callable[[Any, Any], None] = getattr(cls, name).__set__
    return setter


_new = object.__new__
#: The fields :meth:`Element.from_checked` takes, in its argument order.
_TAKEN = ("text", "geometry", "confidence", "language", "native")
_Fill = Callable[[Any, str, Any, "float | None", "str | None", bool], Any]


def _filler(cls: type) -> _Fill:
    """A function that fills a new ``cls`` object's fields, unchecked.

    It sets the :data:`_TAKEN` fields from its arguments and every other
    field of :class:`Element` to its default, and returns the object.
    """
    set_text, set_geometry, set_confidence, set_language, set_native = (
        _slot_setter(cls, name) for name in _TAKEN
    )
    others = tuple(
        (_slot_setter(cls, f.name), f.default)
        for f in fields(Element)
        if f.name not in _TAKEN
    )

    def fill(
        self: Any,
        text: str,
        geometry: Any,
        confidence: float | None,
        language: str | None,
        native: bool,
    ) -> Any:
        set_text(self, text)
        set_geometry(self, geometry)
        set_confidence(self, confidence)
        set_language(self, language)
        set_native(self, native)
        for put, default in others:
            put(self, default)
        return self

    return fill


#: ``_filled[cls](object.__new__(cls), text, geometry, confidence, language,
#: native)`` builds an element without checks (see ``from_checked``); every
#: subclass is entered as it is made (``Element.__init_subclass__``).
_filled: dict[type, _Fill] = {Element: _filler(Element)}


def words_text(words: Iterable[Element]) -> str:
    """The text of a line made of ``words``: their texts joined by single spaces.

    A word without text (``""``: found, not read, as layout analysis leaves
    it) adds neither text nor a space.

    Args:
        words: Words in reading order.

    Returns:
        The joined text (``""`` where no word has text).
    """
    return " ".join(w.text for w in words if w.text)


def lines_text(lines: Iterable[Element]) -> str:
    """The text of a block made of ``lines``: their texts joined by newlines.

    A line without text (``""``: found, not read, as layout analysis leaves
    it) adds neither text nor a line break.

    Args:
        lines: Lines in reading order.

    Returns:
        The joined text (``""`` where no line has text).
    """
    return "\n".join(line.text for line in lines if line.text)


def languages_in(blocks: Iterable[Block]) -> tuple[str, ...]:
    """Languages used anywhere in ``blocks``, in order of first use.

    Args:
        blocks: Blocks (with their lines and words).

    Returns:
        The distinct non-empty ``language`` values of every element.
    """
    seen: dict[str, None] = {}
    for b in blocks:
        for el in (b, *b.lines, *(w for line in b.lines for w in line.words)):
            if el.language:
                seen.setdefault(el.language, None)
    return tuple(seen)


def mean_confidence(children: Iterable[Element]) -> float | None:
    """The confidence of a parent made from its children: their mean.

    Args:
        children: Elements, some of which may have no confidence.

    Returns:
        The mean of the children's confidences that are not ``None``, in
        [0, 1]; ``None`` where none has one.
    """
    values = [c.confidence for c in children if c.confidence is not None]
    if not values:
        return None
    return min(1.0, max(0.0, math.fsum(values) / len(values)))


def _common_language(children: Iterable[Element]) -> str | None:
    langs = {c.language for c in children}
    return langs.pop() if len(langs) == 1 else None


def enclosing_geometry(children: Sequence[Element]) -> Geometry:
    """The shape a synthesised parent gets: it encloses every child.

    Axis-aligned children give their union :class:`~unocr.geometry.Box`; any
    other shapes (quads of rotated text, polygons, masks) give the
    minimum-area :class:`~unocr.geometry.Quad` around all of them.

    Args:
        children: At least one element.

    Returns:
        A ``Box`` or ``Quad`` containing every child's geometry.
    """
    return enclosing_geometries([children])[0]


def enclosing_geometries(groups: Sequence[Sequence[Element]]) -> list[Geometry]:
    """:func:`enclosing_geometry` of each group of children, quads in one pass.

    Args:
        groups: Groups of at least one element each (e.g. the words of every
            line of a page).

    Returns:
        One ``Box`` or ``Quad`` per group, in order, the same as
        :func:`enclosing_geometry` gives for that group alone.
    """
    _check_groups(groups)
    out: list[Geometry | None] = [None] * len(groups)
    rotated: list[int] = []
    shapes: list[list[Geometry]] = []
    for k, children in enumerate(groups):
        mine = [c.geometry for c in children]
        if all(type(s) is Box or isinstance(s, Box) for s in mine):
            out[k] = enclosing_box(mine)
        else:
            rotated.append(k)
            shapes.append(mine)
    quads = enclosing_quads(shapes)
    for k, quad in zip(rotated, quads, strict=True):
        out[k] = quad
    return [shape for shape in out if shape is not None]


def _check_groups(groups: Sequence[Sequence[Element]]) -> None:
    """Refuse a group without children: there is nothing to enclose."""
    for children in groups:
        if not children:
            raise ModelError("a parent needs at least one child to enclose")


@dataclass(frozen=True, slots=True)
class Symbol(Element):
    """One character (or grapheme) as the engine reports it."""


@dataclass(frozen=True, slots=True)
class Word(Element):
    """A word: text without spaces, optionally with its symbols.

    Attributes:
        symbols: The word's characters, where the engine gives them; a
            converter may build them on first access (see
            :meth:`from_checked`), which no use of the word can tell.
    """

    symbols: tuple[Symbol, ...] = field(default=())

    def __post_init__(self) -> None:
        Element.__post_init__(self)
        _set_symbols(
            self, checked_children(_get_symbols(self, Word), Symbol, "Word.symbols")
        )

    @classmethod
    def from_checked(
        cls,
        text: str,
        geometry: Geometry,
        confidence: float | None,
        language: str | None,
        native: bool = True,
        symbols: (
            tuple[Symbol, ...]
            | Callable[[], tuple[Symbol, ...]]
            | BuiltTogether[tuple[Symbol, ...]]
        ) = (),
    ) -> Word:
        """:meth:`Element.from_checked` with the word's symbols.

        ``symbols`` is a tuple, or what builds it on first access of
        :attr:`symbols` (a converter that reads thousands of characters few
        callers look at): a callable, or a :class:`BuiltTogether` batch the
        word is then bound to (:meth:`BuiltTogether.bind`). The callable must
        be safe to call from several threads and return the same tuple every
        time; the word stores what it returns and drops the callable. Until
        then nothing shows the difference: equality, hashing, ``repr``,
        ``replace``, copies and pickles all read :attr:`symbols`, which
        builds them.
        """
        return _with_children(
            cls, _set_symbols, (text, geometry, confidence, language, native), symbols
        )

    @classmethod
    def from_line(cls, line: Line) -> Word:
        """A word standing for a line that has none (line-level engines).

        Formats that carry text only on words (TSV, hOCR, ALTO) write it, so
        the line's text is not lost.

        Args:
            line: A line without words.

        Returns:
            A synthesised word (``native=False``) with the line's text,
            geometry, confidence and language.
        """
        return cls(
            text=line.text,
            geometry=line.geometry,
            confidence=line.confidence,
            language=line.language,
            native=False,
        )


_set_symbols = _slot_setter(Word, "symbols")
_get_symbols: Callable[[Word, type], Any] = vars(Word)["symbols"].__get__


def _built_on_first_read(cls: type, name: str, doc: str) -> None:
    """Put a property in front of the slot field ``name`` of ``cls``.

    The slot holds the field's value or, from a converter that defers it,
    what builds it: a callable (safe to call from several threads, giving
    the same object every time), or the :class:`BuiltTogether` batch the
    element is bound to. The property returns the value, building and
    storing it on the first read; so equality, hashing, ``repr``,
    ``replace``, copies and pickles, which all read the field, see the value.
    Writes go to the slot (the frozen dataclass refuses them from outside,
    as for every field).
    """
    slot = next(vars(k)[name] for k in cls.__mro__ if name in vars(k))
    get, put = slot.__get__, slot.__set__

    def read(self: Any) -> Any:
        value = get(self, cls)
        if isinstance(value, BuiltTogether):
            built = value.value_of(self)
        elif callable(value):  # no field's value is callable
            built = value()
        else:
            return value
        put(self, built)
        return built

    setattr(cls, name, property(read, put, doc=doc))


_built_on_first_read(Word, "symbols", "The word's characters, where given.")


class ReportedFields(TypedDict, total=False):
    """What a file or engine reports of a line or block besides its children.

    The keyword arguments of :meth:`Line.reported` and :meth:`Block.reported`;
    each may be left out (as ``None``).

    Attributes:
        text: The element's text; default its children's, joined (words by
            single spaces, lines by newlines).
        confidence: The reported confidence, in [0, 1]; used only with a
            ``geometry`` (without, the element takes its children's mean).
        language: The element's ISO 639 code.
    """

    text: str | None
    confidence: float | None
    language: str | None


def _reported(
    function: str, given: ReportedFields
) -> tuple[str | None, float | None, str | None]:
    """The ``text``, ``confidence`` and ``language`` given, ``None`` where not.

    Args:
        function: The method's name, e.g. ``"Line.reported"``, for the message.
        given: Its keyword arguments.

    Returns:
        The three values.

    Raises:
        TypeError: A keyword that is none of :class:`ReportedFields`', in
            Python's words for an unexpected keyword argument.
    """
    check_keywords(function, given, ReportedFields)
    return given.get("text"), given.get("confidence"), given.get("language")


@dataclass(frozen=True, slots=True)
class Line(Element):
    """A line of text in reading order.

    Attributes:
        words: The line's words in reading order.
    """

    words: tuple[Word, ...] = field(default=())

    def __post_init__(self) -> None:
        Element.__post_init__(self)
        object.__setattr__(
            self, "words", checked_children(self.words, Word, "Line.words")
        )

    @classmethod
    def from_words(
        cls,
        words: Sequence[Word],
        *,
        native: bool = False,
        text: str | None = None,
        language: str | None = None,
    ) -> Line:
        """Synthesise a line around words (kept in the order given).

        Args:
            words: At least one word, in reading order.
            native: Whether the engine reported this line itself (a ``bool``;
                anything else is a :class:`~unocr.errors.ModelError`).
            text: The line's text; default the words joined by single spaces.
            language: Default: the words' language where they all agree.

        Returns:
            A line whose geometry encloses the words and whose confidence is
            the mean of the words' confidences (``None`` if none has one).
        """
        text_of = None if text is None else [text]
        return cls.from_word_groups(
            [words], texts=text_of, native=native, language=language
        )[0]

    @classmethod
    def from_word_groups(
        cls,
        groups: Sequence[Sequence[Word]],
        *,
        texts: Sequence[str] | None = None,
        native: bool = False,
        language: str | None = None,
    ) -> list[Line]:
        """Synthesise many lines at once, each as :meth:`from_words` would.

        The enclosing shapes of all lines are computed in one vectorised pass
        (:func:`enclosing_geometries`), so a page's lines cost about as much
        as one.

        Args:
            groups: The words of each line, at least one per line, in reading
                order.
            texts: Each line's text; default its words joined by single spaces.
            native: Whether the engine reported these lines itself (a ``bool``;
                anything else is a :class:`~unocr.errors.ModelError`).
            language: Default: each line's words' language where they agree.

        Returns:
            One line per group, in order.
        """
        if texts is not None and len(texts) != len(groups):
            raise ModelError(
                f"texts: expected one text per group ({len(groups)}), got {len(texts)}"
            )
        word_groups = [checked_children(words, Word, "Line.words") for words in groups]
        # what the constructor would check of fields not taken from the words
        for t in texts or ():
            if not isinstance(t, str):
                raise ModelError(f"text must be a str, got {type(t).__name__}")
        if language is not None and not isinstance(language, str):
            raise ModelError(
                "language must be an ISO 639 code (str) or None, got "
                f"{type(language).__name__}"
            )
        _check_groups(word_groups)  # now: the shapes are computed later
        return cls._of_groups(word_groups, texts, _checked_native(native), language)

    @classmethod
    def from_checked_groups(
        cls, groups: Sequence[tuple[Word, ...]], texts: Sequence[str]
    ) -> list[Line]:
        """:meth:`from_word_groups` of groups already checked, without checking them.

        Package-internal, as :meth:`Element.from_checked`: for converters
        that build the words themselves.

        Args:
            groups: Each line's words, a non-empty tuple of words.
            texts: Each line's text.

        Returns:
            The lines (``native=False``), equal to ``from_word_groups(groups,
            texts=texts)``.
        """
        return cls._of_groups(groups, texts, False, None)

    @classmethod
    def _of_groups(
        cls,
        word_groups: Sequence[tuple[Word, ...]],
        texts: Sequence[str] | None,
        native: bool,
        language: str | None,
    ) -> list[Line]:
        """The lines of checked groups and fields (see :meth:`from_word_groups`)."""
        shapes = _DeferredShapes(word_groups)
        lines: list[Line] = []
        for k, words in enumerate(word_groups):
            if len(words) == 1:  # many lines of a page are one word
                (only,) = words
                conf, lang = only.confidence, only.language
            else:
                conf, lang = mean_confidence(words), _common_language(words)
            # every field derives from checked words (or was checked above);
            # the shape is computed, for every line at once, on first access
            line: Line = _filled[cls](
                _new(cls),
                words_text(words) if texts is None else texts[k],
                shapes,
                conf,
                language if language is not None else lang,
                native,
            )
            _set_words(line, words)
            lines.append(line)
        shapes.bind(lines)
        return lines

    @classmethod
    def reported(
        cls,
        words: Sequence[Word],
        geometry: Geometry | None,
        **given: Unpack[ReportedFields],
    ) -> Line:
        """A line the engine or file reports, holding ``words`` (``native=True``).

        Args:
            words: The line's words, in reading order (at least one when
                ``geometry`` is ``None``).
            geometry: The line's shape as reported, or ``None`` when the
                source gives none.
            **given: The line's ``text``, ``confidence`` and ``language``
                (see :class:`ReportedFields`).

        Returns:
            The line: with ``geometry`` and ``confidence`` exactly as given,
            else enclosing its words (:meth:`from_words`).
        """
        text, confidence, language = _reported("Line.reported", given)
        if geometry is None:
            return cls.from_words(words, native=True, text=text, language=language)
        text = words_text(words) if text is None else text
        return cls(text, geometry, confidence, language, words=tuple(words))


_set_words = _slot_setter(Line, "words")


class BuiltTogether(Generic[_V]):
    """Values built together on the first :meth:`get` of any of them.

    The other half of :func:`_built_on_first_read`: a converter that defers
    a field of many elements keeps what the values are made from in a
    subclass, puts the batch itself in each element's field, and then
    :meth:`bind` s the elements (in the order of their values): no object
    per element (a page holds hundreds, and the cyclic collector visits
    each). The first :meth:`get` builds all the values in one pass
    (:meth:`_build`), under a lock, so every thread gets the same objects;
    :meth:`_build` releases what it read.
    """

    __slots__ = ("_lock", "_members", "_values")

    def __init__(self) -> None:
        self._values: Sequence[_V] | None = None
        self._lock = threading.Lock()
        self._members: dict[int, int] = {}

    def bind(self, elements: Iterable[object]) -> None:
        """Make ``elements`` the holders of the values, in order.

        Each holds this batch in its deferred field until the first read;
        the batch keeps no reference to them (only their identities, which
        stay theirs while they live).
        """
        self._members = dict(zip(map(id, elements), itertools.count()))

    def value_of(self, element: object) -> _V:
        """The value of a bound element (see :meth:`bind`)."""
        return self.get(self._members[id(element)])

    def get(self, index: int) -> _V:
        """The value at ``index``, building every value on the first call.

        Args:
            index: The position of the element's value in the batch.

        Returns:
            The value (the same object on every call and in every thread).
        """
        values = self._values
        if values is None:
            with self._lock:
                if self._values is None:
                    self._values = self._build()
                values = self._values
        return values[index]

    def _build(self) -> Sequence[_V]:
        """All the values, in order (called once); release what they came from."""
        raise NotImplementedError


class _DeferredShapes(BuiltTogether[Geometry]):
    """The enclosing shapes of synthesised lines, computed on first access.

    Few readers of a page look at the shapes of the lines an engine did not
    report (a dense page has hundreds). :meth:`Line.from_word_groups` keeps
    the word groups here; the first access to any of those lines'
    ``geometry`` computes the shapes of all of them in one vectorised pass
    (:func:`enclosing_geometries`). The groups were checked to be non-empty
    sequences of checked words, so computing later cannot fail where
    computing at once would not.
    """

    __slots__ = ("_groups",)

    def __init__(self, groups: Sequence[Sequence[Word]]) -> None:
        super().__init__()
        self._groups = groups

    def _build(self) -> list[Geometry]:
        shapes = enclosing_geometries(self._groups)
        self._groups = ()  # the lines hold their words
        return shapes


_built_on_first_read(Line, "geometry", "Shape in page pixel coordinates.")


@dataclass(frozen=True, slots=True)
class Block(Element):
    """A block (paragraph or text region) of lines.

    Attributes:
        lines: The block's lines, top to bottom in reading order.
    """

    lines: tuple[Line, ...] = field(default=())

    def __post_init__(self) -> None:
        Element.__post_init__(self)
        object.__setattr__(
            self, "lines", checked_children(self.lines, Line, "Block.lines")
        )

    @property
    def words(self) -> tuple[Word, ...]:
        """Every word of the block in reading order."""
        return tuple(w for line in self.lines for w in line.words)

    @classmethod
    def reported_checked(
        cls,
        lines: tuple[Line, ...],
        geometry: Geometry,
        confidence: float | None,
        language: str | None,
    ) -> Block:
        """:meth:`reported` of arguments already checked, without checking them.

        Package-internal, as :meth:`Element.from_checked`: for converters that
        build hundreds of blocks of lines they built themselves.

        Args:
            lines: At least one line, in reading order.
            geometry: The block's shape as reported.
            confidence: In [0, 1], or ``None``.
            language: An ISO 639 code, or ``None``.

        Returns:
            The block, equal to ``Block.reported(lines, geometry,
            confidence=confidence, language=language)``.
        """
        return _with_children(
            cls,
            _set_lines,
            (lines_text(lines), geometry, confidence, language, True),
            lines,
        )

    @classmethod
    def from_lines(
        cls,
        lines: Sequence[Line],
        *,
        native: bool = False,
        language: str | None = None,
        geometry: Geometry | None = None,
    ) -> Block:
        """Synthesise a block around lines (kept in the order given).

        Args:
            lines: At least one line, in reading order.
            native: Whether the engine reported this block itself (a ``bool``;
                anything else is a :class:`~unocr.errors.ModelError`).
            language: Default: the lines' language where they all agree.
            geometry: A shape known to enclose the lines (the layout's, in
                the reading frame); default: :func:`enclosing_geometry`.

        Returns:
            A block whose text is the lines' text joined by newlines, whose
            geometry encloses the lines and whose confidence is the mean of
            the lines' confidences.
        """
        lines = checked_children(lines, Line, "Block.lines")
        return cls(
            text=lines_text(lines),
            geometry=enclosing_geometry(lines) if geometry is None else geometry,
            confidence=mean_confidence(lines),
            language=language if language is not None else _common_language(lines),
            native=native,
            lines=lines,
        )

    @classmethod
    def reported(
        cls,
        lines: Sequence[Line],
        geometry: Geometry | None,
        **given: Unpack[ReportedFields],
    ) -> Block:
        """A block the engine or file reports, holding ``lines`` (``native=True``).

        Takes the arguments of :meth:`Line.reported`, with the block's lines
        (at least one) for words, and returns the block as that returns the
        line: without ``geometry``, enclosing its lines (:meth:`from_lines`).
        """
        text, confidence, language = _reported("Block.reported", given)
        if geometry is None:
            block = cls.from_lines(lines, native=True, language=language)
            return block if text is None else block.replace(text=text)
        text = lines_text(lines) if text is None else text
        return cls(text, geometry, confidence, language, lines=tuple(lines))


_set_lines = _slot_setter(Block, "lines")
