"""Whether a module or a dotted target is there, asked without importing it."""

from __future__ import annotations

import ast
import importlib.util
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import cast

__all__ = ["missing_target", "module_present"]


def module_present(name: str) -> bool:
    """Whether a module can be imported, as its finders tell (importing its parents)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _find_spec(name: str, path: list[str] | None) -> ModuleSpec | None:
    """A module's spec from the import system's finders, importing nothing."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = None if find is None else find(name, path)
        if spec is not None:
            return cast("ModuleSpec", spec)
    return None


#: Names whose use in a module may bind attributes no statement shows.
_DYNAMIC = frozenset({"__getattr__", "globals", "vars", "exec", "setattr"})


def _bound_names(source: str) -> set[str] | None:
    """Every name a module's source binds or uses, or ``None`` if it may bind more.

    Over-generous on purpose (names inside functions, and names only read,
    count too): a name found here may still be missing, never the other way
    round.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name):
            names.add(node.id)  # also loads: a use of globals() and the like
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.split(".")[0])
    return None if names & _DYNAMIC else names


def _locate(module: str) -> ModuleSpec | ModuleNotFoundError | None:
    """A module's spec, the error importing it would raise, or ``None`` if imported.

    Its parent packages are located as it is, not imported.
    """
    parts = module.split(".")
    path: list[str] | None = None
    spec: ModuleSpec | None = None
    for depth in range(1, len(parts) + 1):
        if depth > 1 and path is None:
            parent = ".".join(parts[: depth - 1])
            return ModuleNotFoundError(
                f"No module named {module!r}; {parent!r} is not a package",
                name=module,
            )
        name = ".".join(parts[:depth])
        loaded = sys.modules.get(name)
        if loaded is not None:
            spec, path = None, getattr(loaded, "__path__", None)
            continue
        spec = _find_spec(name, path)
        if spec is None:
            return ModuleNotFoundError(f"No module named {module!r}", name=module)
        path = spec.submodule_search_locations
    return spec


def missing_target(module: str, attr: str) -> ImportError | AttributeError | None:
    """What loading ``module:attr`` would fail with, as far as its files tell.

    Nothing is imported: an imported module is asked, otherwise the import
    system's finders locate the module and its source is read. The errors
    are the ones the import would raise; ``None`` when the target is there
    or the files cannot tell (a compiled module, a star import, ...).
    """
    found = _locate(module)
    if isinstance(found, ImportError):
        return found
    head = attr.split(".")[0]
    if not head:
        return None
    if found is None:  # imported
        present = hasattr(sys.modules[module], head)
    else:
        origin, path = found.origin or "", found.submodule_search_locations
        if not origin.endswith(".py"):
            return None  # compiled: its names are not in a source
        if path and _find_spec(f"{module}.{head}", path):
            return None  # a submodule, which importing it binds
        names = _bound_names(Path(origin).read_text("utf-8"))
        present = names is None or head in names
    if present:
        return None
    return AttributeError(f"module {module!r} has no attribute {head!r}")
