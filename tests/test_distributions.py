"""Distributions written the way people think: parsing, summaries, sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drillsim.distributions import Empirical, Lognormal, parse_distribution
from stats import assert_mean


def test_lognormal_from_median_and_p90():
    d = parse_distribution({"lognormal": {"median": 40, "p90": 190}})
    assert d.median == pytest.approx(40)
    assert d.quantile(0.9) == pytest.approx(190)
    assert d.sigma == pytest.approx(math.log(190 / 40) / 1.2815515655446004)
    assert d.mean == pytest.approx(40 * math.exp(d.sigma**2 / 2))


def test_lognormal_from_median_and_sigma_matches_research_fit():
    d = parse_distribution({"lognormal": {"median": 74.5, "sigma": 1.13}})
    assert isinstance(d, Lognormal) and d.median == pytest.approx(74.5)


@pytest.mark.parametrize("spec, mean, median", [
    ({"fixed": 5}, 5, 5),
    ({"fixed": 0}, 0, 0),
    ({"exponential": {"mean": 30}}, 30, 30 * math.log(2)),
    ({"triangular": {"low": 2, "mode": 5, "high": 15}}, 22 / 3, None),
    ({"uniform": {"low": 10, "high": 20}}, 15, 15),
    ({"empirical": [1, 2, 3, 10]}, 4, 2.5),
])
def test_means_medians_and_sampling(spec, mean, median):
    d = parse_distribution(spec)
    assert d.mean == pytest.approx(mean)
    if median is not None:
        assert d.median == pytest.approx(median)
    draws = d.sample(np.random.default_rng(1), 200_000)
    assert draws.shape == (200_000,) and (draws >= 0).all()
    if draws.std() > 0:
        assert_mean(draws, mean)
    assert np.quantile(d.sample(np.random.default_rng(2), 1000), [0.1, 0.9]).shape == (2,)


def test_triangular_quantiles_invert_its_cdf():
    d = parse_distribution({"triangular": {"low": 2, "mode": 5, "high": 15}})
    q = np.array([0.0, 0.1, 3 / 13, 0.5, 0.99])
    x = d.quantile(q)
    cdf = np.where(x < 5, (x - 2) ** 2 / (13 * 3), 1 - (15 - x) ** 2 / (13 * 10))
    assert np.allclose(cdf, q)


def test_empirical_resamples_only_given_values():
    d = parse_distribution({"empirical": [3, 7, 7, 20]})
    assert isinstance(d, Empirical)
    assert set(d.sample(np.random.default_rng(0), 1000).tolist()) == {3.0, 7.0, 20.0}


def test_same_uniforms_same_values():
    d = parse_distribution({"lognormal": {"median": 10, "p90": 30}})
    u = np.random.default_rng(5).random(10)
    assert np.array_equal(d.ppf(u), d.ppf(u.copy()))


@pytest.mark.parametrize("spec, message", [
    ({"pareto": {"k": 2}}, "unknown distribution 'pareto'"),
    ({"gamma": {"k": 2}}, r"gamma: expected \{shape, scale\}"),
    ({"fixed": -1}, "expected a duration of 0 or more"),
    ({"lognormal": {"median": 40, "p90": 10}}, "p90 ≥ median"),
    ({"lognormal": {"median": 40}}, r"expected \{median, p90\}"),
    ({"triangular": {"low": 5, "mode": 1, "high": 9}}, "low ≤ mode ≤ high"),
    ({"uniform": {"low": 5, "high": 1}}, "low ≤ high"),
    ({"empirical": []}, "non-empty list"),
    ({"exponential": {"mean": "soon"}}, "finite number"),
    (5, "expected a distribution"),
])
def test_bad_distributions_say_what_was_expected(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_distribution(spec)
