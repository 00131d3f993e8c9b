"""``unocr read``: every exit path, in a subprocess and in-process via main()."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from unocr.cli import main
from unocr.model import Page

from .command import run_unocr
from .needs import needs_tesseract
from .terminal import run_on_terminal

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "phototest.png"
FIXTURES = ROOT / "tests" / "fixtures" / "tesseract"
EUROTEXT = FIXTURES / "eurotext.tif"
FIRST_LINE = "This is a lot of 12 point text to test the"

pytestmark = needs_tesseract


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr


# ------------------------------------------------------------------ exit 0
def test_readme_command_prints_the_text() -> None:
    result = run_unocr("read", str(SAMPLE), "--backend", "tesseract")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == FIRST_LINE
    expected = (FIXTURES / "phototest.txt").read_text(encoding="utf-8").split()
    assert result.stdout.split() == expected
    assert result.stderr == ""  # no progress bar, no noise when not a terminal


def test_in_process_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", str(SAMPLE), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(FIRST_LINE + "\n")


def test_output_suffix_picks_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "page.json"
    assert main(["read", str(SAMPLE), "--output", str(target), "--lang", "en"]) == 0
    assert capsys.readouterr().out == ""
    page = Page.from_json(target.read_text(encoding="utf-8"))
    assert page.backend == "tesseract"
    assert page.languages == ("en",)
    assert page.lines[0].text == FIRST_LINE


def test_explicit_format_beats_suffix(tmp_path: Path) -> None:
    target = tmp_path / "page.txt"
    assert main(["read", str(SAMPLE), "-o", str(target), "--format", "tsv"]) == 0
    assert target.read_text(encoding="utf-8").startswith("level\tpage_num")


def test_several_images_text_in_input_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", str(EUROTEXT), str(SAMPLE), "--workers", "2"]) == 0
    out = capsys.readouterr().out
    first = out.index(f"==> {EUROTEXT} <==")
    second = out.index(f"==> {SAMPLE} <==")
    assert first < second
    assert FIRST_LINE in out[second:]
    assert FIRST_LINE not in out[:second]


def test_several_images_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", str(SAMPLE), str(EUROTEXT), "-f", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    pages = [Page.from_json(line) for line in lines]
    assert [(p.width, p.height) for p in pages] == [(640, 480), (1024, 800)]


def test_output_folder_and_pattern(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    assert (
        main(["read", str(SAMPLE), str(EUROTEXT), "-o", f"{folder}/", "-f", "hocr"])
        == 0
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "eurotext.hocr",
        "phototest.hocr",
    ]
    assert "ocr_page" in (folder / "phototest.hocr").read_text(encoding="utf-8")
    pattern = str(tmp_path / "pat" / "{index}-{stem}.json")
    assert main(["read", str(SAMPLE), str(EUROTEXT), "-o", pattern]) == 0
    made = sorted(p.name for p in (tmp_path / "pat").iterdir())
    assert made == ["0-phototest.json", "1-eurotext.json"]


def test_annotate_one_and_several(tmp_path: Path) -> None:
    single = tmp_path / "boxes.png"
    assert main(["read", str(SAMPLE), "--annotate", str(single)]) == 0
    with Image.open(single) as im:
        assert im.size == (640, 480)
        assert (
            len(im.convert("RGB").getcolors(1 << 20) or []) > 2
        )  # boxes drawn in colour
    several = tmp_path / "many" / "boxes.png"
    assert main(["read", str(SAMPLE), str(EUROTEXT), "--annotate", str(several)]) == 0
    names = sorted(p.name for p in several.parent.iterdir())
    assert names == ["boxes-eurotext.png", "boxes-phototest.png"]
    with Image.open(several.parent / "boxes-eurotext.png") as im:
        assert im.size == (1024, 800)


def test_stdin_image() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "unocr", "read", "-"],
        input=SAMPLE.read_bytes(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith(FIRST_LINE)
    junk = subprocess.run(
        [sys.executable, "-m", "unocr", "read", "-"],
        input=b"junk",
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert junk.returncode == 1
    assert junk.stderr.decode().startswith(
        "unocr: error: <stdin>: not a recognised image"
    )


def test_progress_bar_only_on_a_terminal() -> None:
    """More than 3 images and stderr a terminal: tqdm draws on stderr."""
    code, out, shown = run_on_terminal(
        [sys.executable, "-m", "unocr", "read", *[str(SAMPLE)] * 4]
    )
    assert code == 0
    assert out.decode().count(FIRST_LINE) == 4
    assert b"4/4" in shown


# ------------------------------------------------------------------ exit 1
def test_one_bad_image_among_several(tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    missing = tmp_path / "missing.png"
    result = run_unocr("read", str(SAMPLE), str(bad), str(missing), str(EUROTEXT))
    assert result.returncode == 1
    _no_traceback(result.stderr)
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("unocr: error:") and "broken.png" in errors[0]
    assert "missing.png" in errors[1]
    # the good images are still written, in input order
    assert result.stdout.index(f"==> {SAMPLE} <==") < result.stdout.index(
        f"==> {EUROTEXT} <=="
    )
    assert FIRST_LINE in result.stdout


def test_bad_image_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "empty.jpg"
    bad.write_bytes(b"")
    assert main(["read", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "empty.jpg" in err


def test_unknown_backend() -> None:
    result = run_unocr("read", str(SAMPLE), "--backend", "tesserakt")
    assert result.returncode == 1
    _no_traceback(result.stderr)
    assert result.stderr.strip().splitlines() == [
        "unocr: error: unknown OCR backend 'tesserakt'. Did you mean 'tesseract'? "
        "Known backends: " + result.stderr.split("Known backends: ")[1].strip()
    ]


def test_unknown_backend_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", str(SAMPLE), "-b", "nope-engine"]) == 1
    assert "unknown OCR backend 'nope-engine'" in capsys.readouterr().err


def test_missing_engine_program() -> None:
    result = run_unocr(
        "read", str(SAMPLE), "-O", "tesseract_cmd=/nonexistent/tesseract"
    )
    assert result.returncode == 1
    _no_traceback(result.stderr)
    (line,) = result.stderr.splitlines()
    assert "apt-get install tesseract-ocr" in line


def test_missing_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", str(SAMPLE), "--lang", "zh"]) == 1
    assert "apt-get install tesseract-ocr-chi-sim" in capsys.readouterr().err


def test_a_wrong_language_code_names_the_code_meant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["read", str(SAMPLE), "--lang", "english"]) == 1
    err = capsys.readouterr().err
    assert "'english' is not an ISO 639 language code" in err
    assert "Did you mean 'en' (English)?" in err


def test_an_unknown_engine_option_names_the_valid_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["read", str(SAMPLE), "-O", "colour=1"]) == 2  # a usage error
    err = capsys.readouterr().err
    assert "has no option 'colour'" in err and "psm" in err


def test_timeout() -> None:
    result = run_unocr("read", str(SAMPLE), "--timeout", "0.001")
    assert result.returncode == 1
    _no_traceback(result.stderr)
    (line,) = result.stderr.splitlines()
    assert "phototest.png" in line and "0.001 s" in line


def test_timeout_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", str(SAMPLE), str(EUROTEXT), "--timeout", "0.001"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "phototest.png" in err[0] and "eurotext.tif" in err[1]


# ------------------------------------------------------------------ exit 2
@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--workers", "0", "x.png"],
        ["--format", "docx", "x.png"],
        ["--timeout", "-1", "x.png"],
        ["-O", "novalue", "x.png"],
    ],
)
def test_argparse_usage_errors(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["read", *args]) == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{s}", "{e}", "--format", "hocr"], "one document per file"),
        (["{s}", "{e}", "--format", "page-xml"], "one page per file"),
        (["{s}", "--output", "result.xyz"], "--format in unocr read"),
        (["{s}", "--annotate", "boxes.nope"], "image file name"),
        (["{s}", "-O", "psm=99"], "psm"),
        (["{s}", "{s}", "-o", "out/{{stem}}.json"], "{index}"),
        (["{s}", "{s}", "--annotate", "out/{{name}}.png"], "{index}"),
        # one file, for all that '..' hides it
        (["{s}", "{e}", "-o", "out/{{stem}}/../all.json"], "{index}"),
        (
            ["{s}", "-o", "out/{{pages}}.json"],
            "{stem}, {name}, {index}, {page} and {dir}",
        ),
    ],
)
def test_run_usage_errors(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [a.format(s=SAMPLE, e=EUROTEXT) for a in args]
    argv = [str(tmp_path / a) if a.startswith(("out/", "result")) else a for a in argv]
    assert main(["read", *argv]) == 2
    err = capsys.readouterr().err
    assert "usage:" in err and message in err


def test_an_output_that_is_an_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the JSON was written over the image
    image = tmp_path / "scan.png"
    image.write_bytes(SAMPLE.read_bytes())
    (tmp_path / "link.json").symlink_to(image)
    for output in [str(image), str(tmp_path / "x" / ".." / "scan.png"),
                   str(tmp_path / "link.json"), str(tmp_path / "{stem}.png")]:  # fmt: skip
        assert main(["read", str(image), "-f", "json", "-o", output]) == 2
        assert "is also an input" in capsys.readouterr().err
    assert main(["read", str(image), "--annotate", str(image)]) == 2
    assert image.read_bytes() == SAMPLE.read_bytes()


def test_usage_error_subprocess() -> None:
    result = run_unocr("read", "--workers", "x", str(SAMPLE))
    assert result.returncode == 2
    assert "usage:" in result.stderr
    _no_traceback(result.stderr)


def test_usage_errors_write_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.hocr"
    assert main(["read", str(SAMPLE), str(EUROTEXT), "-o", str(target)]) == 2
    assert not target.exists()


def test_json_document_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", str(SAMPLE), "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "unocr.page/1"


# ------------------------------------------------------------ JSON of documents
def test_a_document_is_json_lines_even_with_one_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PDF or multi-page TIFF gives one compact page a line, so that
    ``> report.jsonl`` makes a pdf dataset; a single image stays indented."""
    from unocr.datasets.pdf import load_pdf_dataset

    with Image.open(SAMPLE) as im:
        im.convert("RGB").save(tmp_path / "report.pdf")
        im.convert("L").save(tmp_path / "two.tif", save_all=True, append_images=[im])
    assert (
        main(["read", str(tmp_path / "report.pdf"), "--dpi", "100", "-f", "json"]) == 0
    )
    (line,) = capsys.readouterr().out.splitlines()
    (tmp_path / "report.jsonl").write_text(line + "\n", encoding="utf-8")
    assert len(load_pdf_dataset(tmp_path).samples) == 1  # the dataset takes it
    assert "quick brown dog" in " ".join(w.text for w in Page.from_json(line).words)
    tiff = str(tmp_path / "two.tif")
    assert main(["read", tiff, "--pages", "2", "-f", "json"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["source"]["index"] == 1
    out = tmp_path / "out"
    assert main(["read", tiff, "--pages", "1", "-o", f"{out}/", "-f", "json"]) == 0
    assert len((out / "two.json").read_text("utf-8").splitlines()) == 1
    assert main(["read", str(SAMPLE), "-f", "json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) > 1  # one image: indented


def test_the_jq_example_of_the_docs_prints_the_text() -> None:
    jq = shutil.which("jq")
    if jq is None:
        pytest.skip("jq is not installed (apt-get install jq)")
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    (example,) = [line for line in doc.splitlines() if "| jq " in line]
    command = shlex.split(example.split("#")[0].split("| jq ")[1])
    pages = run_unocr("read", str(SAMPLE), str(SAMPLE), "-f", "json")
    assert pages.returncode == 0, pages.stderr
    shown = subprocess.run(
        [jq, *command],
        input=pages.stdout,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "null" not in shown
    assert shown.count(FIRST_LINE) == 2
