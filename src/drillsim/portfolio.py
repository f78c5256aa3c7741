"""Portfolio files: a quarter of incidents across a firm's systems, handled by one team.

Validated like scenarios (unknown keys are errors; every error names file, line and field). Each
system names a scenario — a library name or a file beside the portfolio — and how often it fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator

from .scenario import Scenario, ScenarioError, find_scenario, load_scenario
from .scenario.loading import Document, read_document, validate_document
from .scenario.schema import Calendar, People, Strict, Weight
from .week import BUSINESS_DAY, WEEKDAYS, Week, parse_clock

# Customer-impacting incidents by weekday, Monday first: GitHub incident counts [fit],
# RESEARCH.md "weekday weights".
WEEKDAY_WEIGHTS = [1.0, 1.0, 1.0, 1.0, 0.6, 0.15, 0.15]
DAYS_PER_MONTH = 365.25 / 12


class Rate(Strict):
    """How often a system has a customer-impacting incident."""

    per_month: Annotated[float, Field(ge=0, le=100_000)]
    # Variance over mean of the monthly count: 1 is Poisson; RESEARCH.md finds about 3.
    dispersion: Annotated[float, Field(ge=1, le=100)] = 1.0


class System(Strict):
    scenario: str  # a library name, or a file relative to the portfolio file
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")] | None = None
    rate: Rate
    weekday_weights: Annotated[list[Weight], Field(min_length=7, max_length=7)] = WEEKDAY_WEIGHTS
    hour_weights: Literal["flat", "business-day"] | list[Weight] = "flat"

    @field_validator("hour_weights")
    @classmethod
    def _hours(cls, value):
        if isinstance(value, list) and (len(value) != 24 or not any(value)):
            raise ValueError(f"expected 24 hourly weights, not all zero; found {len(value)}")
        return value

    def arrivals(self) -> Week:
        """When this system's incidents begin, by weekday and hour."""
        hours = self.hour_weights
        if hours == "flat":
            hours = [1.0] * 24
        elif hours == "business-day":
            hours = list(BUSINESS_DAY)
        return Week(hours, self.weekday_weights)


class Period(Strict):
    days: Annotated[int, Field(ge=1, le=366)] = 90
    start: dt.date = dt.date(2026, 10, 1)

    @property
    def minutes(self) -> float:
        return self.days * 1440.0

    @property
    def offset(self) -> float:
        """Minutes from Monday 00:00 to the period's start."""
        return self.start.weekday() * 1440.0


class QuarterTeam(People):
    """The firm's team through a quarter: its roster, and rest between incidents."""

    page_extra: Annotated[int, Field(ge=0)] = 1  # after hours, beyond the on-call person
    # on-call hand-over every so many days: at least an hour (1/24)
    rotation_days: Annotated[float, Field(ge=1 / 24)] = 7
    rest_hours: Annotated[float, Field(ge=0)] = 8  # a break this long makes a person fresh
    handover_minutes: Annotated[float, Field(ge=0)] = 15  # briefing a fresh colleague


class Portfolio(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: str
    description: str = ""
    period: Period = Period()
    calendar: Calendar = Calendar()
    team: QuarterTeam
    systems: Annotated[list[System], Field(min_length=1)]
    merge_concurrent: bool = True  # an incident on a system already down joins the open one
    dispatch: Literal["default", "cost-first"] = "default"
    _source: str = PrivateAttr(default="<code>")
    _digest: str = PrivateAttr(default="")
    _scenarios: list[Scenario] = PrivateAttr(default_factory=list)

    @field_validator("systems")
    @classmethod
    def _resolve(cls, systems: list[System], info: ValidationInfo) -> list[System]:
        base = Path((info.context or {}).get("source", ".")).parent
        names = [s.name or Path(s.scenario).stem for s in systems]
        if len(set(names)) != len(names):
            raise ValueError(f"expected distinct system names (give `name:`), found {names}")
        for system in systems:
            try:
                _scenario(base, system.scenario)
            except ScenarioError as exc:
                raise ValueError(f"scenario {system.scenario!r}: {exc}") from None
        return systems

    def scenarios(self) -> list[Scenario]:
        """Each system's scenario, loaded once."""
        if not self._scenarios:
            base = Path(self._source).parent
            self._scenarios = [_scenario(base, s.scenario) for s in self.systems]
        return self._scenarios

    def system_names(self) -> list[str]:
        return [s.name or scenario.name for s, scenario in zip(self.systems, self.scenarios(),
                                                               strict=True)]

    def calendar_week(self) -> Week:
        """Business hours and days of the team's roster (demand weights do not matter here)."""
        return Week(business_start=parse_clock(self.calendar.business_hours.start),
                    business_end=parse_clock(self.calendar.business_hours.end),
                    business_days=[WEEKDAYS.index(d) for d in self.calendar.business_days])

    @property
    def source(self) -> str:
        """The file this portfolio was read from."""
        return self._source

    @property
    def digest(self) -> str:
        """SHA-256 of the portfolio file's text and its scenarios' digests, so a changed scenario
        changes it too (empty for a portfolio built in code)."""
        return self._digest

    def summary(self) -> dict:
        return {"name": self.name, "title": self.title, "file": self._source,
                "systems": self.system_names(), "days": self.period.days}


def _scenario(base: Path, name: str) -> Scenario:
    """A system's scenario: a file beside the portfolio, or a library name or path."""
    local = base / name
    return load_scenario(local if local.is_file() else find_scenario(name))


def load_portfolio(path: str | Path) -> Portfolio:
    """Read and validate a portfolio file, and every scenario it names."""
    return portfolio_from(read_document(path, "portfolio"))


def portfolio_from(document: Document) -> Portfolio:
    """Validate a parsed portfolio file, and every scenario it names."""
    portfolio = validate_document(document, Portfolio)
    portfolio._source = document.source
    texts = [document.text, *(s.digest for s in portfolio.scenarios())]
    portfolio._digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    return portfolio
