"""Shared fixtures: the bundled scenarios and small scenarios built in code for exact checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiled import stale_sources
from drillsim.scenario import Scenario
from drillsim.scenario.loading import merge

ROOT = Path(__file__).resolve().parents[1]
WEBSITE = ROOT / "scenarios" / "website-outage.yaml"

# A bare outage: detected at once, everyone on site at once, one fix phase, no workarounds.
BASE = {
    "name": "bare",
    "title": "Bare outage for closed-form checks",
    "severity": 1.0,
    "demand": {"customers_per_minute": 10, "profile": "flat"},
    "detection": {"monitoring": {"delay": {"fixed": 0}}},
    "team": {
        "responders": 2,
        "response": {"business_hours": {"fixed": 0}, "after_hours": {"fixed": 0}},
        "speedup_exponent": 0.0,
    },
    "fix": {"phases": [{"name": "fix", "duration": {"exponential": {"mean": 100}}}]},
}


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test stale binaries: a compiled module edited since its build would run as it
    was built, not as it now reads."""
    stale = stale_sources()
    if stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        pytest.exit(f"{names} changed since drillsim was compiled: run `python3 -m pip install "
                    "-e .` again (or `python3 setup.py build_ext --inplace`)", returncode=2)


def scenario(**changes) -> Scenario:
    """A validated scenario: BASE with ``changes`` deep-merged in."""
    return Scenario.model_validate(merge(BASE, changes))


@pytest.fixture
def website_path() -> Path:
    return WEBSITE
