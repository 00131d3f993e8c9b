"""The HTML report in a real headless Chromium: fits 1366 px, every image loads."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from unocr.comparison import compare, write_html

FIXTURES = Path(__file__).parent / "fixtures" / "datasets"
ICDAR = f"icdar2015:{FIXTURES / 'icdar2015'}"
TEXT = f"text:{FIXTURES / 'text'}"
WIDTH = 1366

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None
)
if CHROMIUM is None:
    pytest.skip(
        "headless Chromium not found (Debian package 'chromium', installed by "
        "scripts/bootstrap)",
        allow_module_level=True,
    )
pytest.importorskip("pytesseract")
pytest.importorskip("matplotlib")
if shutil.which("tesseract") is None:
    pytest.skip("the tesseract program is not installed", allow_module_level=True)

# After every image has loaded, record the page's scroll width and each
# image's state on <body>, where --dump-dom shows it.
_PROBE = (
    "<script>window.addEventListener('load',()=>{const d=document.documentElement;"
    "document.body.setAttribute('data-probe',JSON.stringify({scroll:d.scrollWidth,"
    "client:d.clientWidth,images:[...document.images].map(i=>i.complete&&"
    "i.naturalWidth>0)}))});</script>"
)


def _probe(page: Path) -> dict[str, object]:
    proc = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--window-size={WIDTH},900",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    m = re.search(r'data-probe="([^"]*)"', proc.stdout)
    assert m is not None, proc.stderr[-2000:]
    data: dict[str, object] = json.loads(html.unescape(m.group(1)))
    return data


def test_report_fits_a_laptop_window_and_every_plot_loads(tmp_path: Path) -> None:
    # long labels and settings, two datasets, a skipped engine and previews:
    # the widest report a small comparison makes
    result = compare(
        [
            "tesseract",
            "sparse-text-with-a-long-label=tesseract:psm=11,oem=1",
            "nosuchengine",
        ],
        [ICDAR, TEXT],
    )
    report = tmp_path / "report.html"
    notes = write_html(result, report, previews=2)
    assert notes == []
    text = report.read_text(encoding="utf-8")
    page = tmp_path / "probe.html"
    page.write_text(text.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    probe = _probe(page)
    assert probe["scroll"] <= WIDTH, probe  # type: ignore[operator]
    assert probe["scroll"] <= probe["client"], probe  # type: ignore[operator]
    images = probe["images"]
    assert isinstance(images, list)
    plots = text.count("data:image/png;base64,")
    drawings = text.count("data:image/jpeg;base64,")
    assert plots == 2
    assert drawings >= 2 * 3  # truth + two engines on each ICDAR preview
    assert len(images) == plots + drawings
    assert all(images), images
