"""Match a whole scenario to an incident history: one scale and one spread, found by simulation.

Two targets (the history's median and p90) can pin two numbers, no more (DESIGN §12):

- a **scale** that multiplies every fix phase and every workaround's find and activate time
  (the firm's pace against the scenario's defaults; detection and response stay as written), and
- the **spread** (lognormal σ) of one fix phase, by default the lognormal phase with the largest
  median.

The chosen metric is simulated under the chosen strategy on common random numbers (one seed), so
its median and p90 move smoothly with the two numbers, and a least-squares solve on the log scale
finds them. Public histories mostly run from the first status post to a mitigation, so the
default is ``time_to_mitigate`` less ``time_to_detect``, under the strategy the firm used while
the history was recorded. A match counts when both simulated figures fall inside the observed
quantiles' 95% intervals. Pure: no printing, no files.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from ..analysis import quantile_ci
from ..distributions import Lognormal
from ..runner import simulate
from ..scenario import Scenario

TARGETS = ("time_to_mitigate", "time_to_resume", "time_to_restore")
MAX_EVALUATIONS = 60  # simulations the solve may run; each is ``replications`` long
SCALES = (0.01, 100.0)  # the scale is searched within these bounds
SIGMAS = (0.02, 4.0)  # and the spread within these


class MatchError(ValueError):
    """A scenario or request that cannot be matched; ``str()`` is one line for the user."""


@dataclass(frozen=True)
class Match:
    """A calibrated scenario and how its simulated metric compares with the history."""

    scenario: Scenario
    scale: float
    phase: str  # the fix phase whose spread was fitted
    sigma: tuple[float, float]  # that phase's σ before and after
    observed: tuple[float, float]  # the history's median and p90
    observed_ci: tuple[tuple[float, float] | None, tuple[float, float] | None]
    simulated: tuple[float, float]
    strategy: str
    target: str
    from_detection: bool
    replications: int
    seed: int
    evaluations: int

    @property
    def matched(self) -> bool:
        """Both simulated figures inside the observed figures' 95% intervals."""
        return all(ci is not None and ci[0] <= s <= ci[1]
                   for s, ci in zip(self.simulated, self.observed_ci, strict=True))


def match_scenario(scenario: Scenario, durations: np.ndarray, strategy: str = "fix-only",
                   target: str = "time_to_mitigate", from_detection: bool = True,
                   phase: str | None = None, replications: int = 2000, seed: int = 1,
                   progress: Callable[[int], None] | None = None) -> Match:
    """Scale the scenario's fix and workarounds and set one phase's σ to match ``durations``."""
    if target not in TARGETS:
        raise MatchError(f"unknown target {target!r}; expected one of {', '.join(TARGETS)}")
    phase = spread_phase(scenario, phase)
    ordered = np.sort(np.asarray(durations, dtype=float))
    observed = (float(np.quantile(ordered, 0.5)), float(np.quantile(ordered, 0.9)))
    observed_ci = tuple(_pair(quantile_ci(ordered, q)) for q in (0.5, 0.9))
    sigma0 = next(p.duration.sigma for p in scenario.fix.phases if p.name == phase)
    evaluations = 0

    def residuals(x: np.ndarray) -> np.ndarray:
        """Log gaps between simulated and observed median and p90 at (log scale, log σ) = x."""
        nonlocal evaluations
        evaluations += 1
        candidate = calibrated(scenario, math.exp(x[0]), phase, math.exp(x[1]))
        simulated = simulated_quantiles(candidate, strategy, target, from_detection, replications,
                                        seed, progress)
        return np.log(np.maximum(simulated, 1e-9)) - np.log(observed)

    bounds = (np.log([SCALES[0], SIGMAS[0]]), np.log([SCALES[1], SIGMAS[1]]))
    start = np.clip([0.0, math.log(max(sigma0, SIGMAS[0]))], *bounds)
    solution = least_squares(residuals, start, bounds=bounds, diff_step=0.05, xtol=1e-3,
                             ftol=1e-4, max_nfev=MAX_EVALUATIONS // 3)
    scale, sigma = (float(v) for v in np.exp(solution.x))
    result = calibrated(scenario, scale, phase, sigma)
    simulated = simulated_quantiles(result, strategy, target, from_detection, replications, seed,
                                    progress)
    return Match(result, scale, phase, (sigma0, sigma), observed, observed_ci, simulated,
                 strategy, target, from_detection, replications, seed, evaluations + 1)


def spread_phase(scenario: Scenario, name: str | None = None) -> str:
    """The fix phase whose σ is fitted: ``name``, else the lognormal phase with the largest median."""
    lognormal = [p for p in scenario.fix.phases if isinstance(p.duration, Lognormal)]
    if name is not None:
        if name not in {p.name for p in lognormal}:
            raise MatchError(f"{scenario.name}: no lognormal fix phase named {name!r}; expected "
                             f"one of {', '.join(p.name for p in lognormal) or '(none)'}")
        return name
    if not lognormal:
        raise MatchError(f"{scenario.name}: the spread is fitted on a lognormal fix phase, and "
                         "this scenario has none")
    return max(lognormal, key=lambda p: p.duration.median_value).name


def calibrated(scenario: Scenario, scale: float, phase: str, sigma: float) -> Scenario:
    """The scenario with every fix and workaround duration scaled, and ``phase`` given ``sigma``."""
    def stretched(p):
        duration = p.duration.scaled(scale)
        if p.name == phase:
            duration = Lognormal(duration.median_value, sigma)
        return p.model_copy(update={"duration": duration})

    fix = scenario.fix.model_copy(update={"phases": [stretched(p) for p in scenario.fix.phases]})
    workarounds = [w.model_copy(update={"find": w.find.scaled(scale),
                                        "activate": w.activate.scaled(scale)})
                   for w in scenario.workarounds]
    return scenario.model_copy(update={"fix": fix, "workarounds": workarounds})


def simulated_quantiles(scenario: Scenario, strategy: str, target: str, from_detection: bool,
                        replications: int, seed: int,
                        progress: Callable[[int], None] | None = None) -> tuple[float, float]:
    """Median and p90 of the target metric (less detection, if asked) under one strategy."""
    frame = simulate(scenario, [strategy], replications, seed, progress=progress).frame
    values = frame[target].to_numpy(dtype=float)
    if from_detection:
        values = np.maximum(values - frame["time_to_detect"].to_numpy(dtype=float), 0.0)
    return float(np.quantile(values, 0.5)), float(np.quantile(values, 0.9))


def _pair(ci: list | None) -> tuple[float, float] | None:
    return None if ci is None else (float(ci[0]), float(ci[1]))
