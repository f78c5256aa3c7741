"""The scenario library: name a scenario by file or by name, and list every scenario on the path.

A name is looked up, in order, in each folder of ``$DRILLSIM_SCENARIOS`` (separated like
``PATH``), then in ``./scenarios``, then in the ``scenarios/`` folder of the source checkout the
package runs from. A file's stem is its name (``website-outage.yaml`` is ``website-outage``); the
first folder that has a name wins, so a firm's own folder can shadow a bundled scenario.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .loading import ScenarioError, load_scenario
from .schema import Scenario

ENVIRONMENT = "DRILLSIM_SCENARIOS"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Entry:
    """One library file: the scenario, or the error that stops it from loading."""

    name: str
    path: Path
    scenario: Scenario | None
    error: str | None


def search_path() -> list[Path]:
    """The existing library folders, in lookup order, each once."""
    folders = [Path(p) for p in os.environ.get(ENVIRONMENT, "").split(os.pathsep) if p]
    folders += [Path("scenarios"), Path(__file__).resolve().parents[3] / "scenarios"]
    seen: set[Path] = set()
    out = []
    for folder in folders:
        if folder.is_dir() and folder.resolve() not in seen:
            seen.add(folder.resolve())
            out.append(folder)
    return out


def find_scenario(name: str | Path) -> Path:
    """The file meant by ``name``: an existing file as given, else ``NAME.yaml`` on the search path."""
    path = Path(name)
    if path.is_file():
        return path
    if len(path.parts) == 1 and path.suffix not in SUFFIXES:
        for folder in search_path():
            for suffix in SUFFIXES:
                candidate = folder / f"{name}{suffix}"
                if candidate.is_file():
                    return candidate
        folders = ", ".join(str(f) for f in search_path()) or "none found"
        raise ScenarioError(f"{name}: no such file and no library scenario of that name "
                            f"(library folders: {folders}; see `drillsim scenarios list`)")
    raise ScenarioError(f"{name}: no such scenario file")


def entries() -> list[Entry]:
    """Every scenario file on the search path, sorted by name; the first folder wins a name."""
    found: dict[str, Path] = {}
    for folder in search_path():
        for path in sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file()):
            found.setdefault(path.stem, path)
    out = []
    for name, path in sorted(found.items()):
        try:
            out.append(Entry(name, path, load_scenario(path), None))
        except ScenarioError as exc:
            out.append(Entry(name, path, None, str(exc)))
    return out
