"""Which of drillsim's modules run compiled by mypyc (setup.py), and a way to run their Python
source instead, to check that both give the same numbers."""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "drillsim"


def compiled_modules() -> dict[str, tuple[Path, Path]]:
    """Each compiled module of the source tree by dotted name: its binary and its source."""
    found = {}
    for suffix in EXTENSION_SUFFIXES:
        for binary in PACKAGE.rglob(f"*{suffix}"):
            source = binary.with_name(binary.name.removesuffix(suffix) + ".py")
            if source.exists():
                parts = source.relative_to(PACKAGE.parent).with_suffix("").parts
                found[".".join(parts)] = (binary, source)
    return found


def stale_sources() -> list[Path]:
    """Sources edited since they were compiled: Python would still run the old binary. Their
    code is in the library that setup.py's ``group_name`` names; each module's own binary only
    loads it, and is left as it was when it need not change."""
    built = max((library.stat().st_mtime for suffix in EXTENSION_SUFFIXES
                 for library in PACKAGE.parent.glob(f"drillsim__mypyc{suffix}")), default=0.0)
    return [source for _, source in compiled_modules().values() if source.stat().st_mtime > built]


class FromSource(importlib.abc.MetaPathFinder):
    """Imports the compiled modules from their Python source, as a pure-Python build would."""

    def find_spec(self, name, path=None, target=None):
        module = compiled_modules().get(name)
        return None if module is None else importlib.util.spec_from_file_location(name, module[1])


def run_from_source() -> None:
    """From here on, this process imports drillsim's compiled modules from their source."""
    sys.meta_path.insert(0, FromSource())
