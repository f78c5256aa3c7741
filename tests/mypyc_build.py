"""Which of drillsim's modules run compiled by mypyc (setup.py), whether they were compiled from
the source as it now reads, and a way to run their source instead."""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import sys
from functools import cache
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path

PACKAGE = Path(importlib.util.find_spec("drillsim").submodule_search_locations[0])
MANIFEST = "drillsim._compiled"  # written by setup.py, compiled with the modules it lists


@cache
def compiled_modules() -> dict[str, Path]:
    """Each compiled module of the installed package by dotted name, with its source."""
    found = {}
    for binary in PACKAGE.rglob("*"):
        suffix = next((s for s in EXTENSION_SUFFIXES if binary.name.endswith(s)), None)
        if suffix is not None:
            source = binary.with_name(binary.name.removesuffix(suffix) + ".py")
            found[".".join(source.relative_to(PACKAGE.parent).with_suffix("").parts)] = source
    return found


def stale() -> list[str]:
    """What the binaries would run that differs from the source: modules edited since they were
    compiled, and binaries left from a build that did not record its sources."""
    modules = compiled_modules()
    if not modules:
        return []
    if MANIFEST not in modules:
        return sorted(modules)
    from drillsim import _compiled

    built = {f"drillsim.{path.removesuffix('.py').replace('/', '.')}": digest
             for path, digest in _compiled.SOURCES.items()}
    return sorted(name for name, source in modules.items() if name != MANIFEST and (
        name not in built or not source.exists()
        or hashlib.sha256(source.read_bytes()).hexdigest() != built[name]))


class FromSource(importlib.abc.MetaPathFinder):
    """Imports the compiled modules from their Python source, as a pure-Python build would."""

    def find_spec(self, name: str, path=None, target=None) -> ModuleSpec | None:
        source = compiled_modules().get(name)
        return None if source is None else importlib.util.spec_from_file_location(name, source)


def run_from_source() -> None:
    """From here on, this process imports drillsim's compiled modules from their source."""
    sys.meta_path.insert(0, FromSource())
