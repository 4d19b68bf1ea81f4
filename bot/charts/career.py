"""The career ladder as a staircase of steps, lowest first, the role itself highlighted.

Step names come from the role's language file (``labels: career.<key>``), durations
(``lasts`` / ``experience``) from ``facts.yaml``; a ladder without durations (the IT Service
Manager seed) shows none and says so.
"""

from __future__ import annotations

import itertools
import textwrap
from typing import TYPE_CHECKING

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from bot.charts.figures import COLORS, FONT, INK, MUTED, ChartFigure, Painter
from bot.charts.kinds import ladder
from bot.content import formatting as fmt

if TYPE_CHECKING:
    from bot.content.catalog import Catalog

BOX_W = 0.9  # of one column
BOX_H = 1.0
RISE = 0.62  # vertical step between rungs
WRAP = {5: 21, 6: 17}


def build_career(catalog: Catalog, role: str, lang: str, source: str) -> ChartFigure:
    """The career-ladder picture of ``role`` in ``lang`` (ValueError when it has no ladder)."""
    steps = ladder(catalog, role)
    if not steps:
        raise ValueError(f"{role} has no career ladder")
    n = len(steps)
    current = catalog.facts(role).get("career_position")
    p = Painter(catalog, lang, 12.5, 7.4)
    title = p.ui("charts.career.title", role=catalog.role_name(role, lang))
    p.header(title, p.ui("charts.career.subtitle"))
    ax = p.figure.add_axes((0.02, 0.1, 0.96, 0.74))
    ax.set_xlim(0, n)
    ax.set_ylim(-0.15, (n - 1) * RISE + BOX_H + 0.45)
    ax.set_axis_off()
    wrap = WRAP.get(n, max(12, 110 // n))
    has_durations = any(s.get("lasts") or s.get("experience") for s in steps)

    centres: list[tuple[float, float]] = []
    for i, step in enumerate(steps):
        column = n - 1 - i if p.rtl else i
        cx, y0 = column + 0.5, i * RISE
        centres.append((cx, y0))
        mine = step["key"] == current
        face, text_colour = (COLORS["men"], "white") if mine else ("#e4e7eb", INK)
        ax.add_patch(FancyBboxPatch((cx - BOX_W / 2, y0), BOX_W, BOX_H,
                                    boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor=face, edgecolor="none", gid=f"box:{step['key']}"))
        label = catalog.label(role, f"career.{step['key']}", lang)
        lines = textwrap.wrap(label, wrap, break_long_words=False) or [label]
        size = 10.5 if n > 5 else 11.0
        longest = max(len(line) for line in lines)
        if longest > wrap:  # one long word ("Informasjonsdirektør"): smaller, not clipped
            size *= wrap / longest
        dur = step.get("lasts") or step.get("experience")
        label_y = y0 + BOX_H * (0.62 if dur else 0.5)
        ax.text(cx, label_y, p.s("\n".join(lines)), ha="center", va="center",
                fontsize=size, fontweight="bold", color=text_colour,
                family=FONT, linespacing=1.25, gid=f"label:{step['key']}")
        if dur:
            span = fmt.format_duration(dur.get("min"), dur.get("max"), dur["unit"], lang)
            # How long the step lasts, or the experience it takes to reach it.
            text = catalog.ui(lang, "answers.career.lasts" if step.get("lasts")
                              else "answers.career.after", span=span)
            p.fact(ax, cx, y0 + BOX_H * 0.17, text, f"duration:{step['key']}", ha="center",
                   va="center", fontsize=10, color=text_colour)
        if mine:
            ax.text(cx, y0 + BOX_H + 0.08, p.s(p.ui("charts.career.this_role")), ha="center",
                    va="bottom", fontsize=10, fontstyle=p.italic, color=COLORS["men"],
                    family=FONT)
    for (x1, y1), (x2, y2) in itertools.pairwise(centres):
        step_dir = -1 if p.rtl else 1
        ax.add_patch(FancyArrowPatch((x1 + step_dir * BOX_W / 2, y1 + BOX_H * 0.5),
                                     (x2 - step_dir * BOX_W / 2, y2 + BOX_H * 0.5),
                                     arrowstyle="-|>", mutation_scale=14, color=MUTED,
                                     linewidth=1.4, shrinkA=2, shrinkB=2))
    notes = [] if has_durations else [p.ui("charts.career.no_durations")]
    p.footer([*notes, source])
    return ChartFigure(p.figure, title, (source, *notes), lang)
