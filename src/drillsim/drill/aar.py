"""The after-action report, in Markdown and in self-contained HTML, from one ``Review``.

The report is built once as a list of blocks (headings, paragraphs, lists, tables, a chart) and
each block is written in both formats, so the two never drift apart. Every piece of scenario or
team text is escaped in HTML; the page fetches nothing — the chart is inline SVG.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from .clock import t_plus, wall_clock
from .review import SAME, Review, counterfactual
from .session import Played

COLOURS = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#b45309", "#0e7490", "#be185d")
STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1c1c1c;line-height:1.45}table{border-collapse:collapse;margin:.5rem 0 1rem}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}.headline{font-size:1.15rem;font-weight:600}svg{max-width:100%}"""


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Para:
    text: str
    strong: bool = False


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Chart:
    """Service level over time, one step line per run (HTML only)."""

    title: str
    series: list[tuple[str, list[tuple[float, float]], float]]  # label, levels, end


Block = Heading | Para | Bullets | Table | Chart


def write_aar(review: Review, folder: str | Path, action_ids: list[int] | None = None
              ) -> tuple[Path, Path]:
    """Write ``aar.md`` and ``aar.html`` into ``folder``; ``action_ids`` are the store's ids."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    blocks = document(review, action_ids)
    title = blocks[0].text
    md, page = folder / "aar.md", folder / "aar.html"
    md.write_text(markdown(blocks), encoding="utf-8")
    page.write_text(html_page(blocks, title), encoding="utf-8")
    return md, page


def document(review: Review, action_ids: list[int] | None = None) -> list[Block]:
    """The report's blocks, in order."""
    played, team = review.played, review.team
    drill, ours = played.drill, team.outcome
    scenario = drill.scenario
    onset = drill.draws.onset
    blocks: list[Block] = [
        Heading(f"After-action report: {scenario.title}", 1),
        Para(f"Drill of {review.date.isoformat()} on scenario {scenario.name}; seed {drill.seed}, "
             f"replication {drill.replication}; team {', '.join(drill.team)}; the outage began "
             f"{wall_clock(onset, 0)}."),
        Para(review.headline, strong=True),
        Heading("Outcome against targets"),
        _targets(review),
        Heading("What other strategies would have done on the same draws"),
        Para(f"Each strategy replayed on exactly this outage (the same seed and replication, the "
             f"same people arriving at the same times), then simulated over "
             f"{review.replications:,} outages: the last column is the share of them that went "
             f"better than the team's {ours.customer_impact_minutes:,.0f} customer-impact "
             "minutes."),
        Bullets([counterfactual(a, team) for a in review.alternatives]),
        _alternatives(review),
        Chart("Service level over time", [("team", team.levels, team.end)]
              + [(a.label, a.incident.levels, a.incident.end) for a in review.alternatives]),
        Heading("Objectives"),
        Table(["objective", "rating", "evidence"],
              [[o.subject, o.rating, o.evidence] for o in review.objectives]),
        Heading("Injects"),
        Table(["time", "inject", "from → to", "message", "expected action", "rating"],
              [[t_plus(f.at, 1), f.name, f"{f.sender} → {f.to}", f.message, f.expected_action,
                f"{r.rating}: {r.evidence}"] for f, r in review.injects])
        if review.injects else Para("No inject of the scenario reached the team."),
        Heading("Timeline"),
        Table(["time", "clock", "what"],
              [[t_plus(t, 1), wall_clock(onset, t), what] for t, what in timeline(played)]),
        Heading("Strengths"),
        Bullets(review.strengths or ["None recorded."]),
        Heading("Areas for improvement"),
        Bullets(review.improvements or ["None recorded."]),
        Heading("Improvement plan"),
    ]
    ids = action_ids or [None] * len(review.actions)
    blocks.append(Table(["id", "action", "owner", "due", "status"],
                        [[str(i) if i is not None else "—", a["action"], a["owner"], a["due"],
                          "open"] for i, a in zip(ids, review.actions, strict=True)])
                  if review.actions else Para("No actions."))
    return blocks


def _targets(review: Review) -> Table:
    scenario, ours = review.played.drill.scenario, review.team.outcome
    rows = [["customer-impact minutes", f"{ours.customer_impact_minutes:,.0f}", ""],
            ["customers affected", f"{ours.customers_affected:,.0f}", ""]]
    if scenario.cost_per_minute is not None:
        rows.append(["cost", f"{ours.cost:,.0f} {scenario.currency}".strip(), ""])
    rows += [["time to detect", t_plus(ours.time_to_detect, 1), ""],
             ["time to mitigate", t_plus(ours.time_to_mitigate, 1), f"by {ours.mitigated_by}"]]
    rto, mtpd = scenario.rto_minutes, scenario.mtpd_minutes
    resume = ours.time_to_resume
    rows.append([f"time to resume (service ≥ {scenario.mbco:.0%})", t_plus(resume, 1),
                 "" if rto is None else f"RTO {rto:g} min: {'met' if resume <= rto else 'missed'}"])
    rows.append(["time to restore (the fix)", t_plus(ours.time_to_restore, 1),
                 "" if mtpd is None else
                 f"MTPD {mtpd:g} min: {'breached' if resume > mtpd else 'not breached'}"])
    return Table(["measure", "team", "target"], rows)


def _alternatives(review: Review) -> Table:
    ours = review.team.outcome
    rows = [["the team", f"{ours.customer_impact_minutes:,.0f}", t_plus(ours.time_to_resume),
             t_plus(ours.time_to_restore), "", "", "", ""]]
    for a in review.alternatives:
        o = a.incident.outcome
        rows.append([a.label, f"{o.customer_impact_minutes:,.0f}", t_plus(o.time_to_resume),
                     t_plus(o.time_to_restore),
                     _difference(o.customer_impact_minutes - ours.customer_impact_minutes),
                     f"{a.median:,.0f}", f"{a.p90:,.0f}", f"{a.beat_team:.0%}"])
    return Table(["strategy", "CIM, same draws", "resume", "restore", "vs team",
                  f"median CIM ({review.replications:,} outages)", "p90",
                  "outages better than the team's"], rows)


def _difference(minutes: float) -> str:
    return "same" if abs(minutes) < SAME else f"{minutes:+,.0f}"


def timeline(played: Played) -> list[tuple[float, str]]:
    """Events, injects and decisions in time order (at one moment: event, inject, decision)."""
    rows = []
    for event in played.incident.log:
        if event.kind == "assigned":
            rows.append((event.time, 2,
                         f"decision: {event.who} → {event.detail.removeprefix('workaround:')}"))
        else:
            who = f"{event.who}: " if event.who else ""
            rows.append((event.time, 0, f"{event.kind}: {who}{event.detail}"))
    for fired in played.shown:
        kind = "ad-hoc inject" if fired.ad_hoc else "inject"
        rows.append((fired.at, 1, f"{kind} ({fired.sender} → {fired.to}): {fired.message}"))
    return [(t, what) for t, _, what in sorted(rows, key=lambda r: (r[0], r[1]))]


# -- Markdown ------------------------------------------------------------------------------
def markdown(blocks: list[Block]) -> str:
    """The report as Markdown (the chart is left to the HTML)."""
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Para):
            out.append(f"**{block.text}**" if block.strong else block.text)
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {item}" for item in block.items))
        elif isinstance(block, Table):
            lines = [_row(block.headers), _row(["---"] * len(block.headers))]
            out.append("\n".join(lines + [_row(r) for r in block.rows]))
    return "\n\n".join(out) + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


# -- HTML ----------------------------------------------------------------------------------
def html_page(blocks: list[Block], title: str) -> str:
    """The report as one self-contained HTML page."""
    body = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{_e(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            body.append(f'<p class="headline">{_e(block.text)}</p>' if block.strong
                        else f"<p>{_e(block.text)}</p>")
        elif isinstance(block, Bullets):
            body.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in block.items) + "</ul>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{_e(h)}</th>" for h in block.headers)
            rows = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>"
                           for row in block.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        else:
            body.append(_svg(block))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _svg(chart: Chart, width: int = 720, height: int = 260) -> str:
    """Step lines of service level (0–100%) against minutes from onset, with a legend."""
    left, right, top, bottom = 48, 150, 24, 36
    span = max(end for _, _, end in chart.series) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t: float) -> float:
        return left + plot_w * t / span

    def y(s: float) -> float:
        return top + plot_h * (1 - s)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{_e(chart.title)}"><title>{_e(chart.title)}</title>',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
             'stroke="#999"/>']
    for s in (0, 0.5, 1):
        parts.append(f'<text x="{left - 6}" y="{y(s) + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{s:.0%}</text>')
    parts.append(f'<text x="{left}" y="{height - 8}" font-size="11">{t_plus(0)}</text>'
                 f'<text x="{left + plot_w}" y="{height - 8}" font-size="11" '
                 f'text-anchor="end">{t_plus(span)} min</text>')
    for i, (label, levels, end) in enumerate(chart.series):
        colour = COLOURS[i % len(COLOURS)]
        points = []
        for (t, s), (stop, _) in zip(levels, [*levels[1:], (end, 1.0)], strict=True):
            points += [f"{x(t):.1f},{y(s):.1f}", f"{x(stop):.1f},{y(s):.1f}"]
        points.append(f"{x(end):.1f},{y(1.0):.1f}")
        dash = "" if i == 0 else ' stroke-dasharray="5 3"'
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{3 if i == 0 else 1.5}"'
                     f'{dash} points="{" ".join(points)}"/>')
        parts.append(f'<text x="{left + plot_w + 10}" y="{top + 14 + 16 * i}" font-size="12" '
                     f'fill="{colour}">{_e(label)}</text>')
    return "".join(parts) + "</svg>"
