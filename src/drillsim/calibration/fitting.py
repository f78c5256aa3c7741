"""Fit duration families to incident durations and rank them. Pure functions, no printing.

Each family is fitted by maximum likelihood with its location fixed at 0 (a duration starts at
the incident's start; a free location lets a three-parameter fit chase the shortest row). The
families are ranked by AIC, and each gets the Kolmogorov–Smirnov distance to the data's ECDF as
a goodness-of-fit figure: the largest gap, in shares of incidents, between the fitted and the
observed distribution. (Its p-value would be wrong with fitted parameters, so none is given.)
Standard errors come from the observed information, on the log of each parameter, so intervals
stay positive. Ties (durations in whole minutes) are treated as exact values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from ..distributions import Distribution, Exponential, Gamma, Lognormal, Weibull


@dataclass(frozen=True)
class Family:
    """A scipy family with location 0, its parameters by name, and its drillsim distribution."""

    name: str
    scipy: stats.rv_continuous
    names: tuple[str, ...]
    to_params: Callable[[tuple], tuple[float, ...]]  # scipy's fit → our parameters
    to_scipy: Callable[..., dict]  # our parameters → scipy's shape/scale keywords
    to_distribution: Callable[..., Distribution]


FAMILIES = {
    "lognormal": Family("lognormal", stats.lognorm, ("median", "sigma"),
                        lambda fit: (fit[2], fit[0]),
                        lambda median, sigma: {"s": sigma, "scale": median}, Lognormal),
    "weibull": Family("weibull", stats.weibull_min, ("shape", "scale"),
                      lambda fit: (fit[0], fit[2]),
                      lambda shape, scale: {"c": shape, "scale": scale}, Weibull),
    "gamma": Family("gamma", stats.gamma, ("shape", "scale"),
                    lambda fit: (fit[0], fit[2]),
                    lambda shape, scale: {"a": shape, "scale": scale}, Gamma),
    "exponential": Family("exponential", stats.expon, ("mean",),
                          lambda fit: (fit[1],),
                          lambda mean: {"scale": mean}, Exponential),
}


@dataclass(frozen=True)
class Fit:
    """One family fitted to ``n`` durations."""

    family: str
    params: dict[str, float]
    log_se: dict[str, float]  # standard error of log(parameter)
    log_likelihood: float
    aic: float
    ks: float  # Kolmogorov–Smirnov distance to the data's ECDF
    n: int

    @property
    def distribution(self) -> Distribution:
        """The fitted distribution as a scenario uses it (``spec()`` gives its YAML)."""
        return FAMILIES[self.family].to_distribution(*self.params.values())

    def quantile(self, q: float) -> float:
        return self.distribution.quantile(q)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        family = FAMILIES[self.family]
        return family.scipy.cdf(x, **family.to_scipy(**self.params))

    def ci(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Each parameter's interval at ``level`` (normal on the log scale)."""
        z = float(stats.norm.ppf(0.5 + level / 2))
        return {k: (v * math.exp(-z * self.log_se[k]), v * math.exp(z * self.log_se[k]))
                for k, v in self.params.items()}


def fit(durations: np.ndarray, family: str) -> Fit:
    """Maximum-likelihood fit of one family (location 0) to positive durations."""
    x = _positive(durations)
    spec = FAMILIES[family]
    params = tuple(float(p) for p in spec.to_params(spec.scipy.fit(x, floc=0)))

    def nll(log_params: np.ndarray) -> float:
        return -float(np.sum(spec.scipy.logpdf(x, **spec.to_scipy(*np.exp(log_params)))))

    log_params = np.log(params)
    try:
        variances = np.diag(np.linalg.inv(_hessian(nll, log_params)))
    except np.linalg.LinAlgError:  # a flat likelihood: no interval can be given
        variances = np.full(len(params), np.nan)
    log_se = np.sqrt(np.where(variances > 0, variances, np.nan))
    log_likelihood = -nll(log_params)
    fitted = Fit(family, dict(zip(spec.names, params, strict=True)),
                 dict(zip(spec.names, log_se.tolist(), strict=True)),
                 log_likelihood, 2 * len(params) - 2 * log_likelihood, 0.0, len(x))
    return replace(fitted, ks=float(stats.kstest(x, fitted.cdf).statistic))


def fit_all(durations: np.ndarray, families: tuple[str, ...] = tuple(FAMILIES)) -> list[Fit]:
    """Every family fitted, best (lowest AIC) first."""
    return sorted((fit(durations, f) for f in families), key=lambda f: f.aic)


def _positive(durations: np.ndarray) -> np.ndarray:
    x = np.asarray(durations, dtype=float)
    if x.ndim != 1 or len(x) < 2 or not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise ValueError("expected at least two positive, finite durations")
    if np.all(x == x[0]):
        raise ValueError("all durations are equal: nothing to fit a spread to")
    return x


def _hessian(f: Callable[[np.ndarray], float], at: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``at``."""
    k = len(at)
    out = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * step, np.eye(k)[j] * step
            out[i, j] = out[j, i] = (f(at + ei + ej) - f(at + ei - ej) - f(at - ei + ej)
                                     + f(at - ei - ej)) / (4 * step * step)
    return out
