"""``unocr backends``: which engines are installed, why not, how to fix it.

Prints one table row per known engine (built-in, registered and entry-point
engines, from :func:`unocr.available_backends`): installed or not and its
capabilities and where it runs (in process, in its own process, or in the
interpreter ``unocr.toml`` names: then installed means installed there), then,
for each engine that is not installed, the reason and the exact command that
installs it. ``--json`` prints the same as a JSON list.
No engine is imported. Exit status 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unocr.registry import BackendInfo

__all__ = ["COLUMNS", "LANGUAGES_SHOWN", "format_table", "register", "run"]

#: The table's columns, in order.
COLUMNS = (
    "NAME",
    "INSTALLED",
    "GEOMETRY",
    "LEVELS",
    "CONFIDENCE",
    "LANGUAGES",
    "BATCHING",
    "NETWORK",
    "STAGES",
    "RUNS IN",
    "NEEDS",
)
#: Language codes a table cell shows; a longer list is cut to
#: ``LANGUAGES_SHOWN - 1`` codes and ``+N more`` (``--json`` has them all).
LANGUAGES_SHOWN = 4


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``backends`` sub-command.

    Args:
        subparsers: The ``unocr`` parser's sub-command collection.
    """
    parser = subparsers.add_parser(
        "backends",
        help="list the OCR engines, whether they are installed and how to fix them",
        description="List every known OCR engine: installed or not, why not, the "
        "command that installs it, and what it can do.",
    )
    parser.add_argument(
        "--json", action="store_true", help="print a JSON list instead of a table"
    )
    parser.set_defaults(func=run)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _record(info: BackendInfo) -> dict[str, Any]:
    caps = info.capabilities
    return {
        "name": info.name,
        "aliases": list(info.aliases),
        "installed": info.installed,
        "reason": info.reason,
        "fix": info.fix,
        "data": info.data,
        "needs": info.needs,
        "source": info.source,
        "description": info.description,
        "capabilities": None
        if caps is None
        else {
            "geometry": caps.geometry,
            "levels": list(caps.levels),
            "confidence": caps.confidence,
            "languages": None if caps.languages is None else list(caps.languages),
            "batching": caps.batching,
            "network": caps.network,
            "stages": list(caps.stages),
        },
    }


def _row(rec: dict[str, Any]) -> tuple[str, ...]:
    name = rec["name"] + (f" ({', '.join(rec['aliases'])})" if rec["aliases"] else "")
    caps = rec["capabilities"]
    if caps is None:
        return (
            name,
            _yes(rec["installed"]),
            *("?" * 7),
            _runs_in(rec),
            rec.get("needs") or "",
        )
    langs = caps["languages"]
    return (
        name,
        _yes(rec["installed"]),
        caps["geometry"],
        ",".join(caps["levels"]),
        _yes(caps["confidence"]),
        _languages(langs),
        _yes(caps["batching"]),
        _yes(caps["network"]),
        ",".join(caps.get("stages", ())) or "-",
        _runs_in(rec),
        rec.get("needs") or "",
    )


def _languages(codes: list[str] | None) -> str:
    """A LANGUAGES cell: ``many`` (any), the codes, or the first few ``+N more``."""
    if codes is None:
        return "many"
    if len(codes) <= LANGUAGES_SHOWN:
        return ",".join(codes)
    shown = LANGUAGES_SHOWN - 1
    return f"{','.join(codes[:shown])} +{len(codes) - shown} more"


def _runs_in(rec: dict[str, Any]) -> str:
    return str(rec.get("runs_in") or "in process")


def format_table(records: list[dict[str, Any]]) -> str:
    """Render engine records (as from ``--json``) as a plain-text table.

    Args:
        records: One dict per engine.

    Returns:
        The table, then one "reason / fix" paragraph per engine not installed.
    """
    rows = [COLUMNS, *(_row(r) for r in records)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    notes = [r for r in records if not r["installed"] or r.get("data")]
    if notes:
        lines.append("")
        for r in notes:
            if r["installed"]:
                lines.append(f"{r['name']}: installed, but {r['data']}")
            else:
                reason = r["reason"] or "unknown reason"
                lines.append(f"{r['name']}: not installed: {reason}")
            if r["fix"]:
                lines.append(f"  fix: {r['fix']}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Execute ``unocr backends``.

    Args:
        args: Parsed arguments (see :func:`register`).

    Returns:
        0.
    """
    import unocr
    from unocr.isolation.probe import with_placement

    records = with_placement([_record(info) for info in unocr.available_backends()])
    if args.json:
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
    else:
        sys.stdout.write(format_table(records))
    return 0
