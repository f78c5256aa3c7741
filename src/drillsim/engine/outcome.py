"""What an incident's course comes to: its service levels over time and its metrics (DESIGN §3),
the same for the SimPy engine and the fast path."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from mypy_extensions import mypyc_attr

if TYPE_CHECKING:
    from ..draws import IncidentDraws
    from .incident import Model

METRICS = (
    "customer_impact_minutes", "customers_affected", "time_to_detect", "time_to_mitigate",
    "time_to_resume", "time_to_restore", "rto_met", "mtpd_breached", "staff_minutes", "cost",
    "repair_attempts",
)


class Outcome(NamedTuple):
    """One incident's metrics (DESIGN §3), plus what first improved service."""

    customer_impact_minutes: float
    customers_affected: float
    time_to_detect: float
    time_to_mitigate: float
    time_to_resume: float
    time_to_restore: float
    rto_met: float  # 1.0 / 0.0, NaN where the scenario has no RTO
    mtpd_breached: float
    staff_minutes: float
    cost: float  # NaN where the scenario has no cost per minute
    repair_attempts: int
    mitigated_by: str  # "fix" or the workaround option


@mypyc_attr(allow_interpreted_subclasses=True)
class ServiceLevels:
    """The service level's history, shared by the engine and the fast path: ``level`` now,
    ``levels`` as (minutes from onset, level) changes, and when service was first mitigated
    and resumed. A subclass sets ``model`` and gives ``now`` (minutes from onset)."""

    __slots__ = ("level", "levels", "mitigated_at", "mitigated_by", "model", "resumed_at")
    model: Any  # the incident's compiled scenario (incident.Model)
    level: float
    levels: list[tuple[float, float]]
    mitigated_at: float | None
    mitigated_by: str
    resumed_at: float | None

    @property
    def now(self) -> float:
        """Minutes since onset."""
        raise NotImplementedError

    def _start_service(self, model: Model) -> None:
        self.level = model.floor
        self.levels = [(0.0, self.level)]
        self.mitigated_at = None
        self.mitigated_by = "fix"
        self.resumed_at = 0.0 if self.level >= model.scenario.mbco else None

    def _set_level(self, level: float, source: str) -> None:
        if level <= self.level:
            return
        now = self.now
        self.level = level
        self.levels.append((now, level))
        if self.mitigated_at is None:
            self.mitigated_at, self.mitigated_by = now, source
        if self.resumed_at is None and level >= self.model.scenario.mbco:
            self.resumed_at = now


def outcome(model: Model, draws: IncidentDraws, levels: list[tuple[float, float]], end: float,
            staff_minutes: float, resumed_at: float | None, mitigated_at: float | None,
            mitigated_by: str, attempts: int) -> Outcome:
    """An incident's metrics from its course: service ``levels`` as (minutes from onset, level)
    changes — piecewise constant between them, the last the fix's back to 1 — and its times."""
    scenario, week, onset = model.scenario, model.week, draws.onset
    impact, level = 0.0, levels[0][1]
    before = week.cumulative(onset)
    for stop, next_level in levels[1:]:
        after = week.cumulative(onset + stop)
        impact += (1.0 - level) * (after - before)
        before, level = after, next_level
    resumed = resumed_at if resumed_at is not None else end
    mitigated = mitigated_at if mitigated_at is not None else 0.0
    rto, mtpd, cost = scenario.rto_minutes, scenario.mtpd_minutes, scenario.cost_per_minute
    return Outcome(
        impact,
        impact * scenario.demand.customers_per_minute,
        draws.detect,
        mitigated,
        resumed,
        end,
        math.nan if rto is None else float(resumed <= rto),
        math.nan if mtpd is None else float(resumed > mtpd),
        staff_minutes,
        math.nan if cost is None else impact * cost,
        attempts,
        mitigated_by,
    )
