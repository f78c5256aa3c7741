"""Tolerances for statistical tests: 99.9% intervals, so a suite of twenty rarely errs by chance."""

from __future__ import annotations

import math

import numpy as np

Z999 = 3.2905  # two-sided 99.9% standard normal quantile


def assert_mean(values, expected: float) -> None:
    """The sample mean's 99.9% interval contains ``expected``."""
    values = np.asarray(values, dtype=float)
    half = Z999 * values.std(ddof=1) / math.sqrt(len(values))
    mean = values.mean()
    assert abs(mean - expected) <= half, \
        f"mean {mean:.4f} is {abs(mean - expected) / half:.2f}× the 99.9% half-width " \
        f"{half:.4f} from the closed form {expected:.4f}"


def assert_share(flags, expected: float) -> None:
    """The observed share's 99.9% interval (normal approximation) contains ``expected``."""
    flags = np.asarray(flags, dtype=float)
    n = len(flags)
    half = Z999 * math.sqrt(expected * (1 - expected) / n)
    assert abs(flags.mean() - expected) <= half, \
        f"share {flags.mean():.4f} vs closed form {expected:.4f} (99.9% half-width {half:.4f})"
