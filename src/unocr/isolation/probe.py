"""What another interpreter can run: for ``unocr backends``.

An engine configured to run in another environment is reported as that
environment sees it: the interpreter runs ``python -m unocr backends --json``
(once per interpreter) and its answer for the engine replaces the local one.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from unocr.isolation.config import Placement, placement

__all__ = ["PROBE_TIMEOUT", "with_placement"]

#: Seconds an interpreter may take to list its engines.
PROBE_TIMEOUT = 120.0


def _probe(python: str) -> dict[str, dict[str, Any]] | str:
    """The engine records of ``python``, or why it could not tell."""
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        return "it does not exist or is not executable"
    env = dict(os.environ, UNOCR_CONFIG="")
    try:
        done = subprocess.run(
            [python, "-m", "unocr", "backends", "--json"],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"it could not be run ({exc})"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no error output"])[-1]
        if "No module named unocr" in done.stderr:
            return "it has no unocr installed"
        return f"`{python} -m unocr backends` failed: {last}"
    try:
        return {r["name"]: r for r in json.loads(done.stdout)}
    except (ValueError, KeyError, TypeError) as exc:
        return f"its `unocr backends --json` output is unreadable ({exc})"


def _runs_in(where: Placement | None) -> str:
    if where is None:
        return "in process"
    return where.python or "own process"


def with_placement(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add where each engine runs to ``unocr backends`` records.

    Each record gains ``"runs_in"`` (``"in process"``, ``"own process"`` or
    the interpreter's path) and ``"configured_by"``; an engine hosted by
    another interpreter gets that interpreter's ``installed``, ``reason``,
    ``fix`` and ``data``.

    Args:
        records: One dict per engine (as ``unocr backends --json`` prints).

    Returns:
        The same records, updated in place.
    """
    probes: dict[str, dict[str, dict[str, Any]] | str] = {}
    for rec in records:
        try:
            where = placement(rec["name"])
        except Exception as exc:  # a malformed file: say so on every row
            rec.update(runs_in="?", configured_by=None, installed=False)
            rec.update(reason=str(exc), fix="correct the configuration file")
            continue
        rec["runs_in"] = _runs_in(where)
        rec["configured_by"] = None if where is None else where.source
        if where is None or where.python is None:
            continue
        if where.python not in probes:
            probes[where.python] = _probe(where.python)
        found = probes[where.python]
        if isinstance(found, str):
            rec.update(
                installed=False,
                reason=f"the interpreter {where.python} set by {where.source}: {found}",
                fix=f"create that environment with unocr and the engine "
                f"(pip install 'unocr[{rec['name']}]'), or change {where.source}",
                data=None,
            )
            continue
        theirs = found.get(rec["name"])
        if theirs is None:
            rec.update(
                installed=False,
                reason=f"{where.python} does not know this engine",
                fix=f"change {where.source}",
            )
            continue
        for key in ("installed", "reason", "fix", "data"):
            rec[key] = theirs.get(key)
        if rec["fix"]:
            rec["fix"] = f"in {where.python}'s environment: {rec['fix']}"
    return records
