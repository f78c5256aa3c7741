"""Duration distributions written the way people think, sampled through their quantile function.

Every distribution maps uniforms to values with ``ppf``; the simulation stores uniforms and maps
them at use, so a parameter change moves each replication smoothly (see DESIGN §6).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import gamma as gamma_function
from scipy.special import gammaincinv, ndtr, ndtri

Z90 = float(ndtri(0.9))  # standard normal 90th percentile, ≈ 1.2816


class Distribution:
    """A non-negative distribution: ``ppf`` maps uniforms in [0, 1) to values, vectorised."""

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def median(self) -> float:
        return self.quantile(0.5)

    def quantile(self, q: float | Sequence[float]) -> Any:
        """Value below which a share ``q`` of draws fall (scalar in, scalar out)."""
        values = self.ppf(np.asarray(q, dtype=float))
        return float(values) if np.ndim(values) == 0 else values

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...] = 1) -> np.ndarray:
        """Draw ``size`` values from ``rng`` (through the quantile function, as the engine does)."""
        return self.ppf(rng.random(size))

    def describe(self) -> str:
        """A short human form such as ``lognormal(median 40, p90 190)``."""
        raise NotImplementedError

    def spec(self) -> dict[str, Any]:
        """The YAML form that ``parse_distribution`` reads back to this distribution."""
        raise NotImplementedError

    def scaled(self, factor: float) -> Distribution:
        """The same shape stretched in time: every quantile multiplied by ``factor``."""
        raise NotImplementedError


@dataclass(frozen=True)
class Fixed(Distribution):
    value: float

    def ppf(self, u):
        return np.full(np.shape(u), self.value, dtype=float)

    @property
    def mean(self) -> float:
        return self.value

    def describe(self) -> str:
        return f"fixed {self.value:g}"

    def spec(self) -> dict[str, Any]:
        return {"fixed": self.value}

    def scaled(self, factor: float) -> Distribution:
        return Fixed(self.value * factor)


@dataclass(frozen=True)
class Exponential(Distribution):
    mean_value: float

    def ppf(self, u):
        return -self.mean_value * np.log1p(-np.asarray(u, dtype=float))

    @property
    def mean(self) -> float:
        return self.mean_value

    def describe(self) -> str:
        return f"exponential(mean {self.mean_value:g})"

    def spec(self) -> dict[str, Any]:
        return {"exponential": {"mean": self.mean_value}}

    def scaled(self, factor: float) -> Distribution:
        return Exponential(self.mean_value * factor)


@dataclass(frozen=True)
class Lognormal(Distribution):
    """Lognormal given by its median (``e**mu``) and log-standard-deviation ``sigma``."""

    median_value: float
    sigma: float

    def ppf(self, u):
        return self.median_value * np.exp(self.sigma * ndtri(np.asarray(u, dtype=float)))

    @property
    def mean(self) -> float:
        return self.median_value * math.exp(self.sigma**2 / 2)

    def cdf(self, x: float) -> float:
        if x <= 0:
            return 0.0
        if self.sigma == 0:
            return float(x >= self.median_value)
        return float(ndtr(math.log(x / self.median_value) / self.sigma))

    def describe(self) -> str:
        p90 = self.median_value * math.exp(self.sigma * Z90)
        return f"lognormal(median {self.median_value:g}, p90 {p90:.3g}, sigma {self.sigma:.3g})"

    def spec(self) -> dict[str, Any]:
        return {"lognormal": {"median": self.median_value, "sigma": self.sigma}}

    def scaled(self, factor: float) -> Distribution:
        return Lognormal(self.median_value * factor, self.sigma)


@dataclass(frozen=True)
class Triangular(Distribution):
    low: float
    mode: float
    high: float

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full(u.shape, a)
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def describe(self) -> str:
        return f"triangular({self.low:g}, {self.mode:g}, {self.high:g})"

    def spec(self) -> dict[str, Any]:
        return {"triangular": {"low": self.low, "mode": self.mode, "high": self.high}}

    def scaled(self, factor: float) -> Distribution:
        return Triangular(self.low * factor, self.mode * factor, self.high * factor)


@dataclass(frozen=True)
class Uniform(Distribution):
    low: float
    high: float

    def ppf(self, u):
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def describe(self) -> str:
        return f"uniform({self.low:g}, {self.high:g})"

    def spec(self) -> dict[str, Any]:
        return {"uniform": {"low": self.low, "high": self.high}}

    def scaled(self, factor: float) -> Distribution:
        return Uniform(self.low * factor, self.high * factor)


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resamples the given values with equal weight."""

    values: tuple[float, ...]

    def ppf(self, u):
        data = np.asarray(self.values, dtype=float)
        index = np.minimum((np.asarray(u, dtype=float) * len(data)).astype(int), len(data) - 1)
        return data[index]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    def quantile(self, q):
        values = np.quantile(np.asarray(self.values, dtype=float), q)
        return float(values) if np.ndim(values) == 0 else values

    def describe(self) -> str:
        return f"empirical({len(self.values)} values)"

    def spec(self) -> dict[str, Any]:
        return {"empirical": list(self.values)}

    def scaled(self, factor: float) -> Distribution:
        return Empirical(tuple(v * factor for v in self.values))


@dataclass(frozen=True)
class Weibull(Distribution):
    """Weibull with ``shape`` k and ``scale`` λ: P(X > x) = exp(-(x/λ)^k)."""

    shape: float
    scale: float

    def ppf(self, u):
        return self.scale * (-np.log1p(-np.asarray(u, dtype=float))) ** (1 / self.shape)

    @property
    def mean(self) -> float:
        return self.scale * float(gamma_function(1 + 1 / self.shape))

    def describe(self) -> str:
        return f"weibull(shape {self.shape:.3g}, scale {self.scale:.3g})"

    def spec(self) -> dict[str, Any]:
        return {"weibull": {"shape": self.shape, "scale": self.scale}}

    def scaled(self, factor: float) -> Distribution:
        return Weibull(self.shape, self.scale * factor)


@dataclass(frozen=True)
class Gamma(Distribution):
    """Gamma with ``shape`` k and ``scale`` θ (mean kθ)."""

    shape: float
    scale: float

    def ppf(self, u):
        return self.scale * gammaincinv(self.shape, np.asarray(u, dtype=float))

    @property
    def mean(self) -> float:
        return self.shape * self.scale

    def describe(self) -> str:
        return f"gamma(shape {self.shape:.3g}, scale {self.scale:.3g})"

    def spec(self) -> dict[str, Any]:
        return {"gamma": {"shape": self.shape, "scale": self.scale}}

    def scaled(self, factor: float) -> Distribution:
        return Gamma(self.shape, self.scale * factor)


FORMS = "fixed: N, exponential: {mean}, lognormal: {median, p90} or {median, sigma}, " \
    "triangular: {low, mode, high}, uniform: {low, high}, weibull: {shape, scale}, " \
    "gamma: {shape, scale}, empirical: [values]"


def parse_distribution(spec: Any) -> Distribution:
    """Build a distribution from its YAML form; raise ``ValueError`` saying what was expected."""
    if isinstance(spec, Distribution):
        return spec
    if not isinstance(spec, Mapping) or len(spec) != 1:
        raise ValueError(f"expected a distribution, one of {FORMS}; found {spec!r}")
    (kind, args), = spec.items()
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise ValueError(f"unknown distribution {kind!r}; expected one of {', '.join(_BUILDERS)}")
    return builder(args)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what}: expected a finite number, found {value!r}")
    if value < 0:
        raise ValueError(f"{what}: expected a duration of 0 or more, found {value!r}")
    return float(value)


def _fields(args: Any, kind: str, names: Sequence[str]) -> dict[str, float]:
    if not isinstance(args, Mapping) or set(args) != set(names):
        want = "{" + ", ".join(names) + "}"
        raise ValueError(f"{kind}: expected {want}, found {args!r}")
    return {name: _number(args[name], f"{kind}.{name}") for name in names}


def _fixed(args: Any) -> Distribution:
    return Fixed(_number(args, "fixed"))


def _exponential(args: Any) -> Distribution:
    return Exponential(_fields(args, "exponential", ["mean"])["mean"])


def _lognormal(args: Any) -> Distribution:
    if isinstance(args, Mapping) and "sigma" in args:
        f = _fields(args, "lognormal", ["median", "sigma"])
        sigma = f["sigma"]
    else:
        f = _fields(args, "lognormal", ["median", "p90"])
        if f["p90"] < f["median"]:
            raise ValueError(f"lognormal: expected p90 ≥ median, found {args!r}")
        if f["median"] == 0 and f["p90"] > 0:
            raise ValueError("lognormal: a median of 0 needs p90 0 too")
        sigma = math.log(f["p90"] / f["median"]) / Z90 if f["median"] > 0 else 0.0
    return Lognormal(f["median"], sigma)


def _triangular(args: Any) -> Distribution:
    f = _fields(args, "triangular", ["low", "mode", "high"])
    if not f["low"] <= f["mode"] <= f["high"]:
        raise ValueError(f"triangular: expected low ≤ mode ≤ high, found {args!r}")
    return Triangular(f["low"], f["mode"], f["high"])


def _uniform(args: Any) -> Distribution:
    f = _fields(args, "uniform", ["low", "high"])
    if f["low"] > f["high"]:
        raise ValueError(f"uniform: expected low ≤ high, found {args!r}")
    return Uniform(f["low"], f["high"])


def _shape_scale(args: Any, kind: str) -> dict[str, float]:
    f = _fields(args, kind, ["shape", "scale"])
    if f["shape"] <= 0:
        raise ValueError(f"{kind}: expected a shape above 0, found {args!r}")
    return f


def _weibull(args: Any) -> Distribution:
    return Weibull(**_shape_scale(args, "weibull"))


def _gamma(args: Any) -> Distribution:
    return Gamma(**_shape_scale(args, "gamma"))


def _empirical(args: Any) -> Distribution:
    if isinstance(args, str | bytes) or not isinstance(args, Sequence) or not args:
        raise ValueError(f"empirical: expected a non-empty list of durations, found {args!r}")
    return Empirical(tuple(_number(v, "empirical") for v in args))


_BUILDERS = {
    "fixed": _fixed,
    "exponential": _exponential,
    "lognormal": _lognormal,
    "triangular": _triangular,
    "uniform": _uniform,
    "weibull": _weibull,
    "gamma": _gamma,
    "empirical": _empirical,
}
KINDS = frozenset(_BUILDERS)  # the distribution names a scenario may use
