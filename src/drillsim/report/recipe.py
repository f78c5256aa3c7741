"""Report recipes: what a quarterly preparedness report covers, validated like scenarios.

A recipe names the organisation and the quarter, the scenarios (``library`` for every scenario
in the library) and the portfolio to cover, the strategies to compare, the team sizes and incident
loads of the quarter view, the replications and the seed. Unknown keys are errors and every error
names file, line and field, so a typo never falls back to a default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ..portfolio import Portfolio, load_portfolio
from ..scenario import Scenario, ScenarioError, find_scenario, load_scenario
from ..scenario.library import entries, search_path
from ..scenario.loading import load_document
from ..scenario.schema import Strict
from ..store import QUARTER

Positive = Annotated[int, Field(ge=1)]


class Sensitivity(Strict):
    """Which assumptions to shake, by how much, and on which scenarios."""

    scenarios: tuple[str, ...] | None = None  # default: the costliest outage of the report
    spread: Annotated[float, Field(gt=0, lt=1)] = 0.2  # each assumption moved ± this share
    replications: Annotated[int, Field(ge=10)] = 1000


class Recipe(Strict):
    organisation: Annotated[str, Field(min_length=1)]
    quarter: str  # e.g. 2026Q4; the command's --quarter overrides it
    title: str = "Quarterly preparedness report"
    scenarios: Literal["library"] | tuple[str, ...] = ()  # library names or files beside the recipe
    portfolio: str | None = None  # a quarter of incidents across the firm's systems
    strategies: Annotated[tuple[str, ...], Field(min_length=2)] = ("fix-only", "fix-plus-workaround")
    baseline: str | None = None  # the procedure the others are measured against (default: first)
    team_sizes: tuple[Positive, ...] = ()  # the quarter view's team sizes (with loads: the crossover)
    loads: tuple[Annotated[float, Field(gt=0, le=20)], ...] = ()  # every system's incident rate × these
    replications: Annotated[int, Field(ge=10)] = 2000  # outages per scenario and strategy
    quarter_replications: Annotated[int, Field(ge=10)] = 200  # quarters per strategy and cell
    seed: Annotated[int, Field(ge=0)]
    currency: str = ""  # the currency of every cost figure, e.g. EUR
    notes: str = ""
    sensitivity: Sensitivity = Sensitivity()
    _source: str = PrivateAttr(default="<recipe>")

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, value: str) -> str:
        if not QUARTER.match(value):
            raise ValueError(f"expected a year and quarter such as 2026Q4, found {value!r}")
        return value

    @field_validator("strategies")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError(f"expected distinct strategies, found {value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Recipe:
        if self.baseline is not None and self.baseline not in self.strategies:
            raise ValueError(f"baseline {self.baseline!r} is not among the strategies "
                             f"{', '.join(self.strategies)}")
        if not self.scenarios and self.portfolio is None:
            raise ValueError("give scenarios (a list, or library) or a portfolio, or both")
        if (self.team_sizes or self.loads) and self.portfolio is None:
            raise ValueError("team_sizes and loads vary the portfolio: give a portfolio")
        return self

    @property
    def source(self) -> Path:
        return Path(self._source)

    @property
    def compared(self) -> str:
        """The baseline: the procedure every other strategy is measured against."""
        return self.baseline or self.strategies[0]

    @property
    def challenger(self) -> str:
        """The strategy the report argues about: the first that is not the baseline."""
        return next(s for s in self.strategies if s != self.compared)

    def scenario_objects(self) -> list[Scenario]:
        """The scenarios to cover, loaded: every library scenario, or each as named."""
        if self.scenarios == "library":
            found = entries()
            broken = [e.error for e in found if e.scenario is None]
            if broken:
                raise ScenarioError(broken[0])
            if not found:
                raise ScenarioError(f"{self._source}: scenarios: library, but no scenario library "
                                    "was found")
            return [e.scenario for e in found]
        return [load_scenario(self._find(name)) for name in self.scenarios]

    def _find(self, name: str) -> Path:
        """A scenario file beside the recipe, as given, or in the library."""
        try:
            return _beside(self.source, name) or find_scenario(name)
        except ScenarioError as exc:
            raise ScenarioError(f"{self._source}: scenarios: {exc}") from None

    def portfolio_object(self) -> Portfolio | None:
        """The portfolio: a file beside the recipe, a file as given, or a library portfolio."""
        if self.portfolio is None:
            return None
        path = _beside(self.source, self.portfolio) or Path(self.portfolio)
        if not path.is_file():
            path = next((folder / "portfolios" / f"{self.portfolio}.yaml" for folder in search_path()
                         if (folder / "portfolios" / f"{self.portfolio}.yaml").is_file()), path)
        if not path.is_file():
            raise ScenarioError(f"{self._source}: portfolio: no file {self.portfolio} and no "
                                "library portfolio of that name")
        return load_portfolio(path)


@dataclass(frozen=True)
class Period:
    """A calendar quarter: its label and its first and last days."""

    label: str
    first: dt.date
    last: dt.date

    @classmethod
    def of(cls, label: str) -> Period:
        year, q = int(label[:4]), int(label[-1])
        first = dt.date(year, 3 * q - 2, 1)
        after = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        return cls(label, first, after - dt.timedelta(days=1))

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def text(self) -> str:
        return f"{self.first:%-d %B} – {self.last:%-d %B %Y}"


def _beside(recipe: Path, name: str) -> Path | None:
    """A file named relative to the recipe's folder, if there is one."""
    path = recipe.parent / name
    return path if path.is_file() else None


def load_recipe(path: str | Path, quarter: str | None = None) -> Recipe:
    """Read and validate a recipe; ``quarter`` (e.g. from ``--quarter``) replaces its own."""
    recipe = load_document(path, Recipe, "report recipe")
    if quarter is not None:
        if not QUARTER.match(quarter):
            raise ScenarioError(f"--quarter: expected a year and quarter such as 2026Q4, found "
                                f"{quarter!r}")
        recipe = recipe.model_copy(update={"quarter": quarter})
    recipe._source = str(path)
    return recipe
