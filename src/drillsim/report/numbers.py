"""Numbers written for people, shared by the report's sentences, tables and template."""

from __future__ import annotations

DASH = "\u2060–\u2060"  # an en dash a line never breaks at: 49–58%
TO = "\u00a0to\u00a0"  # " to " between numbers, kept on one line


def pct(x: float | None, digits: int = 0) -> str:
    """A share as a percentage: 0.537 → 54%."""
    return "—" if x is None else _minus(f"{x * 100:.{digits}f}%")


def cut(r: float) -> str:
    """A reduction as a signed change: 0.54 → −54%, −0.1 → +10%."""
    return f"−{r * 100:.0f}%" if r >= 0 else f"+{-r * 100:.0f}%"


def interval(ci: list[float] | None, digits: int = 0) -> str:
    """A 95% interval of shares: 49–58%, or −5% to 12% where it crosses zero."""
    if not ci:
        return "—"
    if round(ci[0] * 100, digits) == round(ci[1] * 100, digits):
        digits += 1  # a narrow interval keeps a decimal, so it never reads 32–32%
    low, high = (f"{x * 100:.{digits}f}" for x in ci)
    return f"{low}{DASH}{high}%" if ci[0] >= 0 else _minus(f"{low}%{TO}{high}%")


def num(x: float | None, digits: int = 0) -> str:
    """A number with thousands separators: 1,234 (a minus sign, not a hyphen)."""
    return "—" if x is None else _minus(f"{x:,.{digits}f}")


def num_interval(ci: list[float] | None, digits: int = 0) -> str:
    """An interval of numbers: 419–464, or −1,275 to −1,108."""
    if not ci:
        return "—"
    joint = DASH if ci[0] >= 0 else TO
    return f"{num(ci[0], digits)}{joint}{num(ci[1], digits)}"


def money(x: float | None) -> str:
    """Compact amounts: 950, 78k, 1.20M."""
    if x is None:
        return "—"
    text = f"{x / 1e6:,.2f}M" if abs(x) >= 1e6 else f"{x / 1e3:,.0f}k" if abs(x) >= 1e4 else \
        f"{x:,.0f}"
    return _minus(text)


def times(load: float) -> str:
    """A load multiplier: 2×."""
    return f"{load:g}×"


def value(text: str) -> str:
    """A varied value as written (x0.8 is a multiplier): 0.8×."""
    return f"{text[1:]}×" if text.startswith("x") else text


def words(name: str) -> str:
    """An identifier in words: backup_site → backup site."""
    return name.replace("_", " ").replace("-", " ")


def article(noun: str) -> str:
    """The noun with its indefinite article: an alternate provider, a backup site."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def quoted(title: str) -> str:
    """A scenario's title inside a sentence: “Customers can't reach the public website”."""
    return f"“{title.strip().rstrip('.')}”"


def _minus(text: str) -> str:
    return text.replace("-", "−")
