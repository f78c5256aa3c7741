"""Shared fixtures: the bundled scenarios and small scenarios built in code for exact checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillsim.scenario import Scenario
from drillsim.scenario.loading import merge
from mypyc_build import stale

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
    modules = stale()
    if modules:
        pytest.exit(f"{', '.join(modules)}: compiled from another source than the one here; run "
                    "`python3 -m pip install -e .` again", returncode=2)


def scenario(**changes) -> Scenario:
    """A validated scenario: BASE with ``changes`` deep-merged in."""
    return Scenario.model_validate(merge(BASE, changes))


@pytest.fixture
def website_path() -> Path:
    return WEBSITE
