"""``unocr read`` output names: no clash, empty folders, bad patterns, ``.jsonl``.

The command-line tests run the real Tesseract on small generated images; the
naming rule itself is property-tested on random stems.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from unocr.cli import _naming as naming
from unocr.cli import main
from unocr.cli._inputs import Input
from unocr.errors import UsageError

from .needs import needs_tesseract
from .test_cli_read import SAMPLE
from .test_cli_read_batch import WORDS, _outputs, _page_words, _word_image


def _clashing(tmp_path: Path) -> list[Path]:
    """``1-x.png``, ``a/x.png``, ``b/x.png``: prefixing the two x gives ``1-x``."""
    return [
        _word_image(tmp_path / "1-x.png", WORDS[0]),
        _word_image(tmp_path / "a" / "x.png", WORDS[1]),
        _word_image(tmp_path / "b" / "x.png", WORDS[2]),
    ]


# ------------------------------------------------------- 1: names never clash
@needs_tesseract
def test_prefixed_names_do_not_overwrite_another_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [str(p) for p in _clashing(tmp_path)]
    assert main(["read", *args, "-o", f"{out}/", "-f", "json", "-q"]) == 0
    names = _outputs(out)
    assert len(names) == 3
    assert sorted(_page_words(out / n) for n in names) == sorted(WORDS[:3])


@needs_tesseract
def test_prefixed_names_from_a_folder_do_not_clash(tmp_path: Path) -> None:
    coll = tmp_path / "coll"
    for name, word in zip(["1-x.png", "x.jpg", "x.png"], WORDS, strict=False):
        _word_image(coll / name, word)
    out = tmp_path / "out"
    assert main(["read", str(coll), "-o", f"{out}/", "-f", "json", "-q"]) == 0
    names = _outputs(out)
    assert len(names) == 3
    assert sorted(_page_words(out / n) for n in names) == sorted(WORDS[:3])


@needs_tesseract
def test_prefixed_annotate_names_do_not_clash(tmp_path: Path) -> None:
    boxes = tmp_path / "ann" / "boxes.png"
    args = [str(p) for p in _clashing(tmp_path)]
    assert main(["read", *args, "--annotate", str(boxes), "-q"]) == 0
    assert len(_outputs(boxes.parent)) == 3


def _unit(
    stem: str, position: int, page: int | None, folder: str | None
) -> naming.Unit:
    relative = None if folder is None else f"{folder}/{stem}.png"
    return naming.Unit(Input(f"in/{stem}.png", relative), position, page, [position])


# few characters, and names a position prefix or a page suffix makes, so clash
_STEMS = st.one_of(
    st.sampled_from(["x", "0-x", "1-x", "2-x", "1-0-x", "x-p1", "0-x-p1"]),
    st.text(alphabet="x1-0p", min_size=1, max_size=5),
)


@given(
    st.lists(
        st.tuples(
            _STEMS,
            st.sampled_from([None, 1, 2, 10]),
            st.sampled_from([None, "a", "b"]),
        ),
        max_size=12,
    ),
    st.booleans(),
)
@example([("1-x", None, None), ("x", None, "a"), ("x", None, "b")], False)
def test_unique_stems_are_distinct(
    specs: list[tuple[str, int | None, str | None]], mirror: bool
) -> None:
    # one unit per input, or per page of an input (its pages share a position)
    units = [
        _unit(stem, i, page, folder) for i, (stem, page, folder) in enumerate(specs)
    ]
    units += [_unit(stem, i, 3, folder) for i, (stem, page, folder) in enumerate(specs)
              if page is not None]  # fmt: skip
    names = naming.unique_stems(units, mirror=mirror)
    assert len(set(names)) == len(units)


def test_names_that_do_not_clash_are_kept() -> None:
    units = [_unit("x", 0, None, None), _unit("y", 1, None, None)]
    assert [str(n) for n in naming.unique_stems(units, mirror=False)] == ["x", "y"]


# -------------------------------------------- 3: a folder without any image
@needs_tesseract
def test_an_empty_folder_among_inputs_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "emptyd"
    empty.mkdir()
    image = _word_image(tmp_path / "a" / "x.png", WORDS[0])
    out = tmp_path / "out"
    code = main(["read", str(empty), str(image), "-o", f"{out}/", "-f", "json"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"unocr: error: no image files or PDFs found in {empty}" in err
    assert _outputs(out) == ["x.json"]  # the other input is still read


def test_a_lone_empty_folder_gives_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "emptyd"
    empty.mkdir()
    assert main(["read", str(empty)]) == 1
    assert capsys.readouterr().err.count("unocr: error:") == 1


# ------------------------------------------------ 4: fields a pattern takes
@pytest.mark.parametrize(
    ("option", "field"),
    [("-o", f) for f in ("{stem:d}", "{stem.foo}", "{stem[0]}", "{stem!r}", "{}")]
    + [("--annotate", f) for f in ("{index.x}", "{page:q}")],
)
def test_a_bad_field_in_a_pattern_is_a_usage_error(
    option: str, field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "emptyd"  # checked before the inputs are looked at
    empty.mkdir()
    pattern = "pt/" + field + (".json" if option == "-o" else ".png")
    assert main(["read", str(empty), option, str(tmp_path / pattern)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert field in err and "{stem}, {name}, {index}, {page} and {dir}" in err


def test_a_bad_pattern_names_the_field_and_the_allowed_ones() -> None:
    with pytest.raises(UsageError, match=r"\{stem\.foo\}.*\{dir\}"):
        naming.check_pattern("pt/{stem.foo}.json", "--output")
    naming.check_pattern("pt/{dir}/{index}-{stem}_{page}{name}.json", "--output")
    # a format spec its field can take is fine: zero-padded positions
    naming.check_pattern("pt/{index:03d}-{stem:.8}-{page:02}.json", "--output")


# ----------------------------------------------------------- 2: .jsonl
@needs_tesseract
def test_jsonl_output_is_json_lines(tmp_path: Path) -> None:
    images = [_word_image(tmp_path / f"{w}.png", w) for w in WORDS[:2]]
    both = tmp_path / "all.jsonl"
    assert main(["read", *map(str, images), "-o", str(both), "-q"]) == 0
    lines = both.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["schema"] for line in lines] == ["unocr.page/1"] * 2
    one = tmp_path / "one.jsonl"  # one page: still one line
    assert main(["read", str(images[0]), "-o", str(one), "-q"]) == 0
    assert len(one.read_text(encoding="utf-8").splitlines()) == 1


def test_an_unknown_suffix_lists_every_inferred_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from unocr.errors import FormatError
    from unocr.formats import infer_format

    assert infer_format("all.JSONL") == "json"
    with pytest.raises(FormatError) as caught:
        infer_format("result.xyz")
    said = str(caught.value)
    for suffix in (".txt", ".json", ".jsonl", ".hocr", ".alto.xml", ".tsv", ".xhtml"):
        assert f"{suffix}," in said
    assert ".pdf" not in said  # save() cannot write one
    # unocr read writes a PDF, and says so
    assert main(["read", str(SAMPLE), "-o", "result.xyz"]) == 2
    err = capsys.readouterr().err
    assert ".jsonl," in err and ".pdf writes a searchable PDF" in err


# -------------------------------------------- 5: {index} is the position
@needs_tesseract
def test_index_is_the_input_position_in_every_pattern(tmp_path: Path) -> None:
    multi = tmp_path / "multi.tif"
    pages = [Image.open(_word_image(tmp_path / f"p{i}.png", w)) for i, w in
             enumerate(WORDS[:2])]  # fmt: skip
    pages[0].save(multi, save_all=True, append_images=pages[1:])
    out = tmp_path / "ix"
    code = main(
        ["read", str(multi), str(SAMPLE), "-q",
         "-o", f"{out}/{{index}}-{{stem}}.json",
         "--annotate", f"{out}/{{index}}-{{stem}}-{{page}}.png"]
    )  # fmt: skip
    assert code == 0
    assert _outputs(out) == [
        "0-multi-1.png",
        "0-multi-2.png",
        "0-multi.json",
        "1-phototest-1.png",
        "1-phototest.json",
    ]
    tsv = tmp_path / "tsv"
    code = main(
        ["read", str(multi), str(SAMPLE), "-q", "-o", f"{tsv}/{{index}}_{{page}}.tsv"]
    )
    assert code == 0
    assert _outputs(tsv) == ["0_1.tsv", "0_2.tsv", "1_1.tsv"]


@needs_tesseract
def test_index_alone_does_not_name_the_pages_of_a_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    multi = tmp_path / "multi.tif"
    pages = [Image.open(_word_image(tmp_path / f"p{i}.png", w)) for i, w in
             enumerate(WORDS[:2])]  # fmt: skip
    pages[0].save(multi, save_all=True, append_images=pages[1:])
    ann = f"{tmp_path}/ix/{{index}}-{{stem}}.png"
    assert main(["read", str(multi), str(SAMPLE), "--annotate", ann]) == 2
    assert "{page}" in capsys.readouterr().err


def test_saving_a_page_to_a_jsonl_file_writes_one_line(tmp_path: Path) -> None:
    from unocr.formats import load, loads_pages, save
    from unocr.geometry import Box
    from unocr.model import Page, Word

    page = Page.from_words(
        [Word(text="one", geometry=Box(0, 0, 10, 5))], width=20, height=10
    )
    target = tmp_path / "page.jsonl"
    save(page, target)
    (line,) = target.read_text(encoding="utf-8").splitlines()
    assert loads_pages(line, "json") == [page]
    assert load(target) == page


def test_a_deprecated_format_name_is_said_on_standard_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from unocr.geometry import Box
    from unocr.model import Page, Word

    page = Page.from_words(
        [Word(text="one", geometry=Box(0, 0, 10, 5))], width=20, height=10
    )
    source = tmp_path / "page.json"
    source.write_text(page.to_json(), encoding="utf-8")
    assert main(["convert", str(source), "--to", "page"]) == 0
    captured = capsys.readouterr()
    assert "<PcGts" in captured.out  # page-xml, as before
    assert "unocr: note: the format name 'page' is deprecated; use 'page-xml'" in (
        captured.err
    )


def test_convert_names_its_own_option_when_a_suffix_says_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "page.json"
    source.write_text("{}", encoding="utf-8")
    assert main(["convert", str(source), "-o", str(tmp_path / "out.xml")]) == 2
    assert "--to in unocr convert" in capsys.readouterr().err


def test_a_file_where_an_output_folder_must_be_is_said_plainly(tmp_path: Path) -> None:
    from unocr.cli._output import write_text

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a").write_text("a file, not a folder")
    with pytest.raises(NotADirectoryError) as caught:  # was "File exists"
        write_text(tmp_path / "out" / "a" / "x.json", "{}")
    assert caught.value.strerror == "Not a directory"
    assert (tmp_path / "out" / "a").read_text() == "a file, not a folder"
