"""Folders of this checkout that tests read from."""

from __future__ import annotations

from pathlib import Path

#: The checkout's top folder.
ROOT = Path(__file__).resolve().parents[1]
#: Test images, datasets and engine outputs.
FIXTURES = ROOT / "tests" / "fixtures"
