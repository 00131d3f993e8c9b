"""Fuzz targets: each turns a stream of random choices into one hostile input.

Shared by the bounded Hypothesis suite (``tests/test_fuzz.py``, fed by
``st.randoms()``) and the long run (``scripts/fuzz.py``, ``make fuzz``, fed by
seeded ``random.Random``). A target returns a thunk; :func:`outcome` runs it
and classifies what happened: a result, a typed :class:`UnocrError`, or
anything else (an untyped exception, an escaped warning, or a NaN/inf number
from geometry).

Inputs are built from small seeds made here (images in 15 file formats, one
page written in every format, a trimmed Cloud Vision response) by byte and
token mutations, plus hand-made hostile values (huge, negative, non-finite,
wrongly typed numbers; deep nesting; paths to devices).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import math
import os
import random
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from unocr import formats
from unocr.errors import GeometryError, ModelError, UnocrError
from unocr.geometry import (
    Box,
    Mask,
    Polygon,
    Quad,
    RotatedBox,
    geometry_from_dict,
    intersection_matrix,
    iou_matrix,
)
from unocr.image import iter_frames, load_image
from unocr.model import Block, Line, Page, Symbol, Word

Thunk = Callable[[], object]

FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: Numbers that break naive code: huge, tiny, negative, non-finite, wrong types.
HOSTILE_NUMBERS: tuple[Any, ...] = (
    0, -1, 1, 2**31, 2**63, 10**400, -(10**400), 0.5, -0.0, 1e-300, 5e-324,
    1e9, 1.0000001e9, 1e15, 1e308, -1e308, float("inf"), float("-inf"), float("nan"),
    True, None, "1", "x", [], {}, np.float32(1e38), np.int64(2**62),
)  # fmt: skip


def hostile_number(rng: random.Random) -> Any:
    """One of :data:`HOSTILE_NUMBERS`, its ``[]`` and ``{}`` as fresh copies:
    an input may write into the value it was given, and a shared one would
    carry that write (even a cycle) into every later input."""
    return copy.deepcopy(rng.choice(HOSTILE_NUMBERS))


#: Text that breaks naive writers: lone surrogates (a file name's undecodable
#: bytes), controls XML cannot hold, noncharacters, bidi marks, a long run.
HOSTILE_STRINGS: tuple[str, ...] = (
    "\udcfc", "a\ud800b", "\x00", "\x0b\x1f", "\ufffe\uffff", "\u202eRTL", "\t\n\r",
    "<&>\"'", "x" * 5000, "",
)  # fmt: skip


class BrokenContract(AssertionError):
    """A reader or writer failed in a way its contract rules out.

    Not a :class:`UnocrError`, so :func:`outcome` counts it as untyped: a
    typed error from the wrong place hid two bugs (a page that loaded and
    then could not be written; an element's error escaping a reader).
    """


def written(page: object) -> object:
    """A page that loads must be written in every format, as UTF-8.

    Any error here is a bug, typed or not: the page was accepted.
    """
    if isinstance(page, Page):
        try:
            for fmt in formats.WRITE_FORMATS:
                formats.dumps(page, fmt).encode("utf-8")
            formats.dumps_pages([page, page], "json").encode("utf-8")
        except Exception as exc:
            raise BrokenContract(
                f"a page that loaded could not be written: {type(exc).__name__}: {exc}"
            ) from exc
    return page


def loaded(load: Callable[[], object]) -> object:
    """A reader's contract: a shape or an element the document's values cannot
    make is the document's fault, a :class:`FormatError` (a Cloud Vision
    response's own error status keeps its type)."""
    try:
        return load()
    except (GeometryError, ModelError) as exc:
        raise BrokenContract(
            f"a reader let out {type(exc).__name__}: {exc}; expected FormatError"
        ) from exc


_HOSTILE_TOKENS = (
    "1e309", "-1e309", "nan", "NaN", "inf", "Infinity", "-1", "0", "9" * 400,
    "2000000000", "1e-320", "", "x", '"', "&amp;", "\x00", "-0",
)  # fmt: skip
_HOSTILE_SNIPPETS = (
    '<!DOCTYPE x [<!ENTITY a "b">]>', "&a;", "<div>" * 300, "[" * 2000, "{" * 50,
    'title="x_foo ' + "a" * 800 + '"', "\ud800", "\ufeff", "]]>", "<![CDATA[", "\t" * 20,
    '"counts": [4611686018427387904, 4611686018427387904]', '"size": [100000, 100000]',
)  # fmt: skip


# ----------------------------------------------------------------- outcome
def outcome(thunk: Thunk) -> str:
    """Run one input and classify it.

    Returns:
        ``"ok"``, ``"typed"`` (a :class:`UnocrError`), ``"untyped:<Name>"``
        for any other exception (warnings are raised as errors, so an escaped
        warning counts here), or ``"nonfinite"`` when geometry returned NaN or
        infinity.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = thunk()
        except UnocrError:
            return "typed"
        except Exception as exc:
            return f"untyped:{type(exc).__name__}"
    return "nonfinite" if not _finite(result) else "ok"


def _finite(value: object) -> bool:
    if isinstance(value, (float, np.floating)):
        return math.isfinite(value)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return bool(np.isfinite(value).all())
    if isinstance(value, (tuple, list)):
        return all(_finite(v) for v in value)
    return True


# ---------------------------------------------------------------- mutation
def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """A few random edits: flips, truncation, insertion, duplication, big ints."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buf:
            buf += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
            continue
        kind = rng.randrange(6)
        pos = rng.randrange(len(buf))
        if kind == 0:
            buf[pos] = rng.randrange(256)
        elif kind == 1:
            del buf[rng.randrange(len(buf)) :]
        elif kind == 2:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 32)))
        elif kind == 3:
            end = min(len(buf), pos + rng.randint(1, 256))
            buf[pos:pos] = buf[pos:end] * rng.randint(1, 8)
        elif kind == 4:  # a 16- or 32-bit field set to an extreme
            width = rng.choice((2, 4))
            value = rng.choice((0, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF))
            buf[pos : pos + width] = value.to_bytes(4, rng.choice(("big", "little")))[
                :width
            ]
        else:
            del buf[pos : pos + rng.randint(1, 64)]
    return bytes(buf)


def mutate_text(rng: random.Random, text: str) -> str:
    """Token-aware edits of a text document: hostile numbers and snippets."""
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        if kind == 0 and text:  # replace a number
            starts = [i for i, ch in enumerate(text) if ch.isdigit()]
            if starts:
                i = rng.choice(starts)
                j = i
                while j < len(text) and (text[j].isdigit() or text[j] in ".e-"):
                    j += 1
                text = text[:i] + rng.choice(_HOSTILE_TOKENS) + text[j:]
                continue
        if kind == 1:
            pos = rng.randrange(len(text) + 1)
            text = text[:pos] + rng.choice(_HOSTILE_SNIPPETS) + text[pos:]
        elif kind == 2 and text:
            pos = rng.randrange(len(text))
            text = text[:pos] + text[pos + rng.randint(1, 40) :]
        elif kind == 3 and text:
            pos = rng.randrange(len(text))
            text = text[:pos] + text[pos : pos + rng.randint(1, 200)] * 3 + text[pos:]
        else:
            pos = rng.randrange(len(text) + 1)
            text = text[:pos] + rng.choice(_HOSTILE_TOKENS) + text[pos:]
    return text


# ------------------------------------------------------------------- images
@functools.lru_cache(maxsize=1)
def image_seeds() -> tuple[tuple[str, bytes], ...]:
    """Small valid files in 15 file formats and several modes and codecs."""
    rgb = Image.new("RGB", (9, 7), (10, 200, 30))
    rgb.putpixel((3, 3), (0, 0, 0))
    seeds: list[tuple[str, bytes]] = []

    def save(name: str, im: Image.Image, fmt: str, **kw: Any) -> None:
        buf = io.BytesIO()
        im.save(buf, fmt, **kw)
        seeds.append((name, buf.getvalue()))

    save("png-rgb", rgb, "PNG")
    save("png-rgba", rgb.convert("RGBA"), "PNG")
    save("png-p", rgb.convert("P"), "PNG", transparency=0)
    save(
        "png-16",
        Image.fromarray(np.arange(63, dtype=np.uint16).reshape(7, 9) * 1000),
        "PNG",
    )
    exif = Image.Exif()
    exif[0x0112] = 6
    save("jpeg-exif", rgb, "JPEG", exif=exif)
    save(
        "tiff-frames", rgb, "TIFF", save_all=True, append_images=[rgb.convert("L")] * 2
    )
    save(
        "tiff-float",
        Image.fromarray(np.linspace(-1, 3, 63, dtype=np.float32).reshape(7, 9), "F"),
        "TIFF",
    )
    save(
        "gif-anim",
        rgb.convert("P"),
        "GIF",
        save_all=True,
        append_images=[rgb.convert("P")],
    )
    save("bmp", rgb, "BMP")
    save("webp", rgb, "WEBP", lossless=True)
    save("ppm", rgb, "PPM")
    save("tga", rgb, "TGA")
    save("ico", rgb, "ICO")
    save("pcx", rgb, "PCX")
    save("sgi", rgb, "SGI")
    save("msp", rgb.convert("1"), "MSP")
    save("xbm", rgb.convert("1"), "XBM")
    save("dds", rgb.convert("RGBA"), "DDS")
    save("tiff-g4", rgb.convert("1"), "TIFF", compression="group4")
    save("tiff-lzw-rgba", rgb.convert("RGBA"), "TIFF", compression="tiff_lzw")
    save("jpeg-progressive", rgb, "JPEG", progressive=True)
    save("png-interlaced", rgb, "PNG", interlace=1)
    save("jpeg-cmyk", rgb.convert("CMYK"), "JPEG")
    save(
        "webp-anim",
        rgb,
        "WEBP",
        save_all=True,
        append_images=[rgb.convert("L").convert("RGB")],
    )
    with contextlib.suppress(OSError, KeyError):  # codecs this Pillow may lack
        save("jpeg2000", rgb, "JPEG2000")
    return tuple(seeds)  # fmt: skip


_TMP = Path(tempfile.gettempdir())


def _odd_image_input(rng: random.Random) -> object:
    kind = rng.randrange(8)
    if kind == 0:
        dtype = rng.choice(
            (np.uint8, np.uint16, np.float32, np.float64, np.int8, bool, object)
        )
        shape = rng.choice(
            (
                (0, 0),
                (3,),
                (4, 4),
                (4, 4, 1),
                (4, 4, 2),
                (4, 4, 3),
                (4, 4, 4),
                (4, 4, 5),
                (2, 2, 2, 3),
            )
        )
        return np.zeros(shape, dtype=dtype)
    if kind == 1:
        return rng.choice((None, 5, 1.5, object(), [1, 2], {"a": 1}, b"", "", "\x00"))
    if kind == 2:
        return rng.choice(
            (
                "a\x00b.png",
                "/nonexistent/x.png",
                "/",
                "/dev/zero",
                "/dev/null",
                str(_TMP),
            )
        )
    if kind == 3:
        return io.StringIO("not bytes")
    if kind == 4:
        return Image.new(
            rng.choice(
                (
                    "1",
                    "L",
                    "P",
                    "I",
                    "F",
                    "LA",
                    "PA",
                    "RGBA",
                    "CMYK",
                    "YCbCr",
                    "I;16",
                    "La",
                    "RGBa",
                )
            ),
            (rng.randint(1, 5), rng.randint(1, 5)),
        )
    if kind == 5:
        return (
            Image.new("RGB", (0, 0))
            if rng.random() < 0.5
            else np.zeros((0, 5, 3), np.uint8)
        )
    if kind == 6:
        return memoryview(rng.choice(image_seeds())[1])
    return Image.new("RGB", (rng.randint(1, 3000), rng.randint(1, 3000)))  # fmt: skip


def image_target(rng: random.Random) -> Thunk:
    """Image input: byte-mutated files passed 5 ways, and odd objects and arrays."""
    options: dict[str, Any] = {}
    if rng.random() < 0.3:
        options["max_pixels"] = rng.choice((None, 1, 50, 10**6, 0, -1, 1.5, True))
    if rng.random() < 0.2:
        options["frame"] = rng.choice((0, 1, 2, 5, -1, True, 2**40))
    if rng.random() < 0.15:
        source = _odd_image_input(rng)
    else:
        _, seed = rng.choice(image_seeds())
        data = mutate_bytes(rng, seed) if rng.random() < 0.9 else seed
        way = rng.randrange(5)
        if way == 0:
            source = data
        elif way == 1:
            source = io.BytesIO(data)
        elif way == 2:
            path = _TMP / f"unocr-fuzz-{os.getpid()}.img"
            path.write_bytes(data)
            source = path if rng.random() < 0.5 else str(path)
        elif way == 3:
            source = bytearray(data)
        else:
            source = data  # opened by Pillow first: a PIL image input

            def pil() -> object:
                try:
                    im = Image.open(io.BytesIO(data))
                except Exception:
                    return None
                return load_image(im, **options)

            return pil
    if rng.random() < 0.3:
        max_pixels = options.get("max_pixels", 10**7)
        return lambda: [f.width for f in iter_frames(source, max_pixels=max_pixels)][
            :50
        ]  # type: ignore[arg-type]
    return lambda: load_image(source, **options)  # type: ignore[arg-type]


# ------------------------------------------------------------------ formats
def sample_page() -> Page:
    """A page with every level and every shape, languages and confidences."""
    symbols = (
        Symbol(text="H", geometry=Box(10, 10, 20, 30), confidence=0.9),
        Symbol(text="i", geometry=Box(20, 10, 25, 30), confidence=0.8),
    )
    polygon = Polygon([[200, 10], [240, 10], [250, 20], [240, 30], [200, 30]])
    mask = Mask(np.eye(6, dtype=bool) | np.eye(6, k=1, dtype=bool), origin=(260, 10))
    # one word of each shape: (text, geometry, confidence, language)
    shapes = [
        ("Hi", Box(10, 10, 25, 30), 0.85, "en"),
        ("שלום", Quad([[40, 10], [90, 12], [89, 32], [39, 30]]), 0.5, "he"),
        ("Grüße", RotatedBox(150, 20, 50, 20, 10), None, "de"),
        ("poly", polygon, 1.0, None),
        ("m", mask, 0.0, None),
    ]
    words = [Word(*shape) for shape in shapes]
    words[0] = words[0].replace(symbols=symbols)
    line = Line.from_words(words, native=True)
    block = Block.from_lines([line, Line.from_words([words[0]])], native=True)
    return Page(width=400, height=100, blocks=(block,), backend="tesseract", languages=("en", "de"))  # fmt: skip


@functools.lru_cache(maxsize=1)
def document_seeds() -> tuple[tuple[str, str], ...]:
    """The sample page in every readable format, and a trimmed GCV response."""
    page = sample_page()
    seeds = [
        (fmt, formats.dumps(page, fmt))
        for fmt in ("json", "hocr", "alto", "page-xml", "tsv")
    ]
    gcv = json.loads((FIXTURES / "gcv" / "document.response.json").read_text("utf-8"))
    gcv["textAnnotations"] = gcv["textAnnotations"][:4]
    gcv["fullTextAnnotation"]["pages"][0]["blocks"] = gcv["fullTextAnnotation"][
        "pages"
    ][0]["blocks"][:2]
    seeds.append(("gcv", json.dumps(gcv)))
    return tuple(seeds)  # fmt: skip


def format_target(rng: random.Random) -> Thunk:
    """Every reader: mutated documents (text and bytes), sniffed or named."""
    fmt, seed = rng.choice(document_seeds())
    text = mutate_text(rng, seed) if rng.random() < 0.85 else seed
    data: str | bytes = text
    if rng.random() < 0.4:
        raw = text.encode("utf-8", "surrogatepass")
        data = mutate_bytes(rng, raw) if rng.random() < 0.5 else raw
    name = (
        fmt
        if rng.random() < 0.6
        else rng.choice((None, None, "hocr", "alto", "page-xml", "tsv", "json", "gcv"))
    )
    limits: dict[str, Any] = {}
    if rng.random() < 0.2:
        limits[rng.choice(("max_bytes", "max_elements", "max_depth", "max_pixels"))] = (
            rng.choice((1, 5, 100, None))
        )
    if rng.random() < 0.2:
        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        return lambda: written(
            loaded(lambda: formats.load(io.BytesIO(raw), name, **limits))
        )
    return lambda: written(loaded(lambda: formats.loads(data, name, **limits)))


# --------------------------------------------------------------------- JSON
def _hostile_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(10)
    if kind == 9:
        return rng.choice(HOSTILE_STRINGS)
    if kind < 4 or depth > 2:
        value = hostile_number(rng)
        return float(value) if isinstance(value, np.generic) else value
    if kind == 4:
        return [_hostile_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == 5:
        keys = (
            "type",
            "x0",
            "points",
            "counts",
            "size",
            "origin",
            "holes",
            "text",
            "lines",
            "words",
        )
        return {
            rng.choice(keys): _hostile_json(rng, depth + 1)
            for _ in range(rng.randint(0, 4))
        }
    if kind == 6:
        n = rng.choice((1, 2, 4, 1000))
        return [[rng.choice((0, 1e9, -1e9, 1e300, 2**70))] * 2 for _ in range(n)]
    if kind == 7:
        h, w = rng.choice(((1, 1), (0, 5), (3, 3), (100000, 100000), (2**40, 2)))
        counts = rng.choice(
            ([h * w], [2**62] * 4 + [1], [0, h * w], [-1, h * w + 1], [1.5])
        )
        return {"type": "mask", "origin": [0, 0], "size": [h, w], "counts": counts}
    return "[" * rng.randint(1, 3000)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _mutated(source: Any, rng: random.Random, delete: float = 0.0) -> Any:
    """A copy of a JSON document with 1-3 values at random paths replaced by
    hostile values or, with probability ``delete`` (object members only), removed."""
    doc = copy.deepcopy(source)
    paths = _paths(doc)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(paths[1:])
        parent = doc
        try:
            for key in path[:-1]:  # an earlier edit may have replaced a parent
                parent = parent[key]
            if delete and rng.random() < delete and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = _hostile_json(rng)
        except (KeyError, IndexError, TypeError):
            continue
    return doc


@functools.lru_cache(maxsize=1)
def _page_dict() -> dict[str, Any]:
    return sample_page().to_dict()


def json_target(rng: random.Random) -> Thunk:
    """The JSON schema: one or more values anywhere in a page replaced or removed."""
    doc = _mutated(_page_dict(), rng, delete=0.15)
    text = json.dumps(doc, allow_nan=True)
    nest = rng.choice((0, 0, 0, 300, 5000))
    if nest:
        text = text[:-1] + ', "extra": ' + "[" * nest + "]" * nest + "}"
    return lambda: written(loaded(lambda: formats.loads(text, "json")))


@functools.lru_cache(maxsize=1)
def _gcv_dict() -> dict[str, Any]:
    return json.loads(dict(document_seeds())["gcv"])


def gcv_json_target(rng: random.Random) -> Thunk:
    """Cloud Vision responses: values anywhere replaced by hostile JSON values."""
    doc = _mutated(_gcv_dict(), rng)
    text = json.dumps(doc, allow_nan=True)
    return lambda: written(loaded(lambda: formats.loads(text, "gcv")))


def gcv_wire_target(rng: random.Random) -> Thunk:
    """Cloud Vision messages made from mutated responses: both readers agree.

    A response's text annotation is read from its wire bytes, the message
    reader taking what that reader leaves: on the same message they must give
    the same blocks (or the same kind of error), every symbol built.
    """
    try:
        from google.cloud import vision_v1
    except ImportError:  # without the engine's package: nothing to read
        return lambda: None
    for _ in range(10):  # most hostile values are no protobuf field's: retry
        doc = _mutated(_gcv_dict(), rng, delete=0.15)
        try:
            message = vision_v1.AnnotateImageResponse.pb(
                vision_v1.AnnotateImageResponse.from_json(
                    json.dumps(doc, allow_nan=True), ignore_unknown_fields=True
                )
            )
        except Exception:  # protobuf's JSON parser refused it
            continue
        return lambda: _readers_agree(message)
    return lambda: None


def _readers_agree(message: Any) -> object:
    from unocr.backends.gcv import build, convert, wire
    from unocr.backends.gcv import message as by_message

    fta = message.full_text_annotation
    data = message.SerializeToString()
    for symbols in (True, False):
        for level in ("paragraph", "block"):
            # the answer's bytes, as the backend receives them, read as the
            # message is with the size the backend gives it
            def received() -> list[Block]:
                return convert.wire_response_to_blocks(
                    data, width=640, height=480, symbols=symbols, block_level=level
                )[0]

            def given() -> list[Block]:
                w, h = convert.page_size(message) or (640, 480)
                return convert.response_to_blocks(
                    message, width=w, height=h, symbols=symbols, block_level=level
                )

            if _built_or_error(received) != _built_or_error(given):
                raise AssertionError(f"the bytes read otherwise ({symbols=}, {level=})")
            raw = wire.read_wire(
                fta.SerializeToString(),
                width=640,
                height=480,
                symbols=symbols,
                regions=level,
            )
            if raw is None:
                continue
            ours = by_message.read_message(
                message, width=640, height=480, symbols=symbols, regions=level
            )
            outcomes = []
            for tree in (raw, ours):
                try:
                    outcomes.append(
                        build.build_blocks(tree, block_level=level, defer=False)
                    )
                except (ModelError, GeometryError, UnocrError) as exc:
                    outcomes.append(type(exc))  # type: ignore[arg-type]
            if outcomes[0] != outcomes[1]:
                raise AssertionError(f"the readers disagree ({symbols=}, {level=})")
    return written(loaded(lambda: convert.response_to_page(message)))


def _built_or_error(convert: Callable[[], list[Block]]) -> object:
    """The blocks, every symbol built; or the kind of error converting raises."""
    try:
        blocks = convert()
    except (ModelError, GeometryError, UnocrError) as exc:
        return type(exc)
    for block in blocks:
        for word in block.words:
            word.symbols  # noqa: B018  (built on first access)
    return blocks


# ----------------------------------------------------------------- geometry
def _number(rng: random.Random) -> Any:
    if rng.random() < 0.3:
        return hostile_number(rng)
    return rng.choice((1, -1)) * 10 ** rng.uniform(-10, 12)


def _points(rng: random.Random, n: int) -> Any:
    if rng.random() < 0.1:
        return [_number(rng) for _ in range(2 * n + rng.randint(-1, 1))]
    scale = rng.choice((1.0, 1e3, 1e6, 1e9, 1.5e9, 1e-300))
    if rng.random() < 0.5:  # star-shaped around a centre: a simple ring
        angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(n))
        cx, cy = rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale
        radius = [rng.uniform(0.05, 1) * scale for _ in range(n)]
        return [
            [cx + r * math.cos(a), cy + r * math.sin(a)]
            for a, r in zip(angles, radius, strict=True)
        ]
    return [[_number(rng) if rng.random() < 0.05 else rng.uniform(-1, 1) * scale for _ in range(2)] for _ in range(n)]  # fmt: skip


def random_shape(rng: random.Random) -> Any:
    """Build a shape from hostile numbers (may raise)."""
    kind = rng.randrange(8)
    if kind == 0:
        return Box(*(_number(rng) for _ in range(4)))
    if kind == 1:
        x, y = rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3)
        return Box.from_xywh(x, y, _number(rng), _number(rng))
    if kind == 2:
        return RotatedBox(*(_number(rng) for _ in range(5)))
    if kind == 3:
        return Quad(_points(rng, 4))
    if kind == 4:
        holes = [_points(rng, rng.randint(2, 5)) for _ in range(rng.randint(0, 2))]
        return Polygon(_points(rng, rng.randint(2, 40)), holes)
    if kind == 5:
        h, w = rng.randint(0, 6), rng.randint(0, 6)
        data = np.array(
            [[rng.random() < 0.5 for _ in range(w)] for _ in range(h)], dtype=bool
        ).reshape(h, w)
        return Mask(
            data,
            origin=(_number(rng), _number(rng))
            if rng.random() < 0.5
            else (rng.randint(-5, 5), 0),
        )
    if kind == 6:
        return geometry_from_dict(_hostile_json(rng))
    return Box(0, 0, rng.uniform(0, 100), rng.uniform(0, 100))  # fmt: skip


def _grid_matrix(rng: random.Random) -> list[list[float]]:
    """A whole-number scale, mirror or quarter turn, shifted (maybe off the grid)."""
    fx, fy = (
        rng.choice((-1, 1)) * rng.choice((1, 2, 3, 10**3, 10**6, 10**12, 10**13))
        for _ in range(2)
    )
    tx, ty = (
        float(rng.randint(-(10**6), 10**6)) if rng.random() < 0.8 else _number(rng)
        for _ in range(2)
    )
    if rng.random() < 0.5:
        return [[0.0, fx, tx], [fy, 0.0, ty]]
    return [[fx, 0.0, tx], [0.0, fy, ty]]


def geometry_target(rng: random.Random) -> Thunk:
    """Constructors, conversions, measures, transforms and IoU on hostile numbers."""
    op = rng.randrange(16)

    def run() -> object:
        a = random_shape(rng)
        if op == 0:
            return a.area
        if op == 1:
            return a.centroid
        if op == 2:
            return a.bounds.as_array()
        if op == 3:
            return a.to_quad().points
        if op == 4:
            return a.to_rotated_box().as_array()
        if op == 5:
            if isinstance(a, Mask):  # every region, and the one outline
                return [p.points for p in a.to_polygons()], a.to_polygon().points
            return a.to_polygon().points
        if op == 6:
            return a.to_mask(max_pixels=10**5).area
        if op == 7:
            return a.iou(random_shape(rng))
        if op == 8:
            return a.intersection_area(random_shape(rng))
        if op == 9:
            return a.scale(_number(rng)).area
        if op == 10:
            return a.rotate(_number(rng), (rng.uniform(-1e3, 1e3), 0)).area
        if op == 11:
            return a.translate(_number(rng), _number(rng)).area
        if op == 12:
            if rng.random() < 0.3:  # keeps the pixel grid: a mask copies pixels
                return a.transform(_grid_matrix(rng)).area
            matrix = [
                [_number(rng) for _ in range(3)] for _ in range(rng.choice((2, 3)))
            ]
            return a.transform(matrix).area
        if op == 13:
            return geometry_from_dict(a.to_dict()) == a
        if op == 14:
            shapes = [a, random_shape(rng)]
            return iou_matrix(shapes, shapes)
        return intersection_matrix([a], [random_shape(rng), random_shape(rng)])  # fmt: skip

    return run


#: The targets, by name.
TARGETS: dict[str, Callable[[random.Random], Thunk]] = {
    "images": image_target,
    "formats": format_target,
    "json": json_target,
    "gcv-json": gcv_json_target,
    "gcv-wire": gcv_wire_target,
    "geometry": geometry_target,
}

#: Targets that misbehave on purpose, to test the long run's hang and crash
#: detection (``scripts/fuzz.py --targets self-hang,self-crash``).
SELF_TEST_TARGETS: dict[str, Callable[[random.Random], Thunk]] = {
    "self-hang": lambda rng: lambda: time.sleep(3600),
    "self-crash": lambda rng: os.abort,
}
