"""A distribution that declares ``unocr.backends`` entry points, made in a folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from unocr import registry


def install_ink_entry_points(
    folder: Path, monkeypatch: pytest.MonkeyPatch, module: str, names: list[str]
) -> None:
    """Put a distribution on ``sys.path`` whose entry points name the ink engine.

    Args:
        folder: Where the module and its ``.dist-info`` are written.
        monkeypatch: Undoes the path change and the registry's cache after the test.
        module: The module's name (unique per test: ``unocr_ep_demo``).
        names: The backend names its ``unocr.backends`` entry points declare.
    """
    (folder / f"{module}.py").write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(Path(__file__).parent)!r})
            from ink_engine import InkBackend
            """
        )
    )
    dist = folder / f"{module}-1.0.dist-info"
    dist.mkdir()
    project = module.replace("_", "-")
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project}\nVersion: 1.0\n"
    )
    lines = "".join(f"{name} = {module}:InkBackend\n" for name in names)
    (dist / "entry_points.txt").write_text(f"[unocr.backends]\n{lines}")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setattr(registry, "_entry_points", None)
