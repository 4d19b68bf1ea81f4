"""Usage as one picture, for ``/stats``, the weekly digest and ``helpdesk-bot stats --png``.

Questions per day by language (stacked bars), the top intents and roles, the share answered
from the fallback, and 👍/👎 per topic, in the admin's language and drawn like the pay charts
(:class:`bot.charts.figures.Painter`: DejaVu Sans, Persian shaped and mirrored right to left).
The emoji of the text version are not in the font, so the picture says "helpful"/"not
helpful"; the caption, which Telegram draws, keeps 👍/👎. A range without data still gives a
whole picture, each empty panel saying so. Every number drawn and captioned comes from one
:class:`bot.storage.Stats`, so picture and caption agree.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.patches import Patch

from bot.charts.figures import FONT, INK, MUTED, ChartFigure, Painter
from bot.charts.render import CAPTION_LIMIT, RenderedChart, png_size, to_png
from bot.charts.text import number, shape
from bot.content import formatting as fmt

if TYPE_CHECKING:
    from bot.content.catalog import Catalog
    from bot.storage.models import Stats

TOP = 8  # bars in a ranked panel
LANG_COLORS = {"en": "#1b7a9e", "nb": "#d95f02", "nn": "#7570b3", "lv": "#1b9e77",
               "fa": "#e7298a"}
OTHER_COLOR = "#a0a0a0"
BAR_COLOR = "#52606d"
UP, DOWN = "#1b9e77", "#d95f02"
MAX_DAY_LABELS = 10


@dataclass(frozen=True)
class Numbers:
    """The key numbers, formatted for ``lang`` (picture subtitle and caption alike)."""

    questions: str
    fallbacks: str
    rate: str
    up: str
    down: str
    ratio: str
    since: str
    until: str


def numbers(stats: Stats, lang: str) -> Numbers:
    def percent(value: float | None) -> str:
        return "–" if value is None else fmt.format_percent(round(value * 100), lang)

    return Numbers(number(stats.questions, lang), number(stats.fallbacks, lang),
                   percent(stats.fallback_rate), number(stats.thumbs_up, lang),
                   number(stats.thumbs_down, lang), percent(stats.thumbs_up_ratio),
                   fmt.format_date(stats.since.isoformat(), lang),
                   fmt.format_date(stats.until.isoformat(), lang))


def caption(stats: Stats, catalog: Catalog, lang: str) -> str:
    """The key numbers as Telegram HTML (``admin.stats.*``, as the text version says them)."""
    n = numbers(stats, lang)

    def t(key: str, **values: object) -> str:
        return html.escape(catalog.ui(lang, key, **values).replace("**", ""), quote=False)

    title = t("admin.stats.title", days=number(stats.days, lang), since=n.since, until=n.until)
    lines = [f"<b>{title}</b>",
             t("admin.stats.questions", count=n.questions),
             t("admin.stats.fallback", rate=n.rate, count=n.fallbacks),
             t("admin.stats.feedback", up=n.up, down=n.down, ratio=n.ratio)]
    return "\n".join(lines)[:CAPTION_LIMIT]


def build_stats(stats: Stats, catalog: Catalog, lang: str) -> ChartFigure:
    """The usage picture (not rendered yet)."""
    p = Painter(catalog, lang, 12, 13.5)
    n = numbers(stats, lang)
    title = p.ui("charts.stats.title", since=n.since, until=n.until)
    p.header(title, p.ui("charts.stats.subtitle", questions=n.questions, fallback=n.rate,
                         up=n.up, down=n.down))
    grid = p.figure.add_gridspec(3, 2, left=0.05, right=0.95, top=0.89, bottom=0.06,
                                 hspace=0.32, wspace=0.25, height_ratios=(1.1, 1.25, 1.1))
    start, end = (1, 0) if p.rtl else (0, 1)  # the reading start is on the right in Persian
    _per_day(p, p.figure.add_subplot(grid[0, :]), stats)
    _ranked(p, p.figure.add_subplot(grid[1, start]), "charts.stats.intents",
            [(catalog.intent_name(i, lang), c) for i, c in stats.intents[:TOP]])
    _ranked(p, p.figure.add_subplot(grid[1, end]), "charts.stats.roles",
            [(catalog.role_name(r, lang) if r in catalog.role_ids else r, c)
             for r, c in stats.roles[:TOP]])
    _votes(p, p.figure.add_subplot(grid[2, start]), stats)
    _fallback(p, p.figure.add_subplot(grid[2, end]), stats)
    return ChartFigure(p.figure, title, (), lang)


def render_stats(stats: Stats, catalog: Catalog, lang: str) -> RenderedChart:
    """Build and render the picture (CPU-bound: call it off the event loop)."""
    data = to_png(build_stats(stats, catalog, lang))
    width, height = png_size(data)
    return RenderedChart(png=data, caption=caption(stats, catalog, lang), width=width,
                         height=height, filename=f"stats-{stats.until}-{stats.days}d-{lang}.png")


# ---------------------------------------------------------------------- panels


def _title(p: Painter, ax: Axes, key: str) -> None:
    ax.set_title(p.s(p.ui(key)), fontsize=13, fontweight="bold", color=INK, family=FONT,
                 loc="right" if p.rtl else "left")


def _bare(ax: Axes) -> None:
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)


def _empty(p: Painter, ax: Axes) -> None:
    """A panel without data says so instead of showing empty axes."""
    ax.set_xticks([])
    ax.set_yticks([])
    _bare(ax)
    ax.text(0.5, 0.5, p.s(p.ui("charts.stats.none")), transform=ax.transAxes, ha="center",
            va="center", fontsize=11, color=MUTED, family=FONT, fontstyle=p.italic)


def _value_axis(p: Painter, ax: Axes, peak: int, rows: int) -> None:
    """Bars growing from the reading start, one row each, the largest on top; names are drawn
    above the bars (:func:`_names`), not as tick labels, so a long role name in a narrow panel
    never runs into the next one."""
    ax.set_xlim(0, peak * 1.15)
    ax.set_ylim(rows - 0.45, -0.85)
    if p.rtl:
        ax.invert_xaxis()
    ax.set_xticks([])
    ax.set_yticks([])
    _bare(ax)


def _names(p: Painter, ax: Axes, names: list[str]) -> None:
    for y, name in enumerate(names):
        ax.text(0, y - 0.22, p.s(name), ha=p.start, va="bottom", fontsize=10, color=INK,
                family=FONT)


def _ranked(p: Painter, ax: Axes, key: str, items: list[tuple[str, int]]) -> None:
    _title(p, ax, key)
    if not items:
        _empty(p, ax)
        return
    ys = [y + 0.05 for y in range(len(items))]
    values = [count for _, count in items]
    ax.barh(ys, values, height=0.34, color=BAR_COLOR, linewidth=0)
    peak = max(values)
    _value_axis(p, ax, peak, len(items))
    _names(p, ax, [label for label, _ in items])
    for y, value in enumerate(values):
        p.fact(ax, value + peak * 0.015, ys[y], number(value, p.lang), f"ranked:{key}:{y}",
               ha=p.start, va="center", fontsize=10, color=INK)


def _per_day(p: Painter, ax: Axes, stats: Stats) -> None:
    _title(p, ax, "charts.stats.per_day")
    if not stats.questions:
        _empty(p, ax)
        return
    days = [day for day, _ in stats.per_day]
    xs = list(range(len(days)))
    bottom = [0] * len(days)
    handles = []
    for lang, counts in stats.lang_days:
        color = LANG_COLORS.get(lang, OTHER_COLOR)
        ax.bar(xs, counts, bottom=bottom, width=0.8, color=color, linewidth=0)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        name = p.catalog.ui(lang, "bot.language_name") if lang in LANG_COLORS else lang
        # Each language named in itself: "فارسی" is shaped even on a left-to-right picture.
        handles.append(Patch(color=color, label=shape(name, p.lang if p.rtl else lang)))
    step = max(1, -(-len(days) // MAX_DAY_LABELS))
    shown = xs[::-1][::step][::-1]  # always label the last day
    ax.set_xticks(shown, [p.s(_day(days[i], p.lang)) for i in shown], family=FONT,
                  fontsize=9.5, color=MUTED)
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylim(0, max(bottom) * 1.15)
    if p.rtl:
        ax.invert_xaxis()
        ax.yaxis.tick_right()
    for side in ("top", "left", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", labelsize=9, colors=MUTED, length=0)
    ax.yaxis.set_major_formatter(lambda value, _: number(int(value), p.lang)
                                 if value == int(value) else "")
    ax.grid(axis="y", color="#e4e7eb", linewidth=0.8)
    ax.set_axisbelow(True)
    for x, total in zip(xs, bottom, strict=True):
        if total and len(days) <= 31:
            p.fact(ax, x, total, number(total, p.lang), f"day:{days[x].isoformat()}",
                   ha="center", va="bottom", fontsize=8.5, color=INK)
    if p.rtl:
        handles.reverse()
    ax.legend(handles=handles, loc="upper left" if p.rtl else "upper right",
              ncol=len(handles), frameon=False, markerfirst=not p.rtl,
              bbox_to_anchor=(0.0 if p.rtl else 1.0, 1.16),
              prop={"family": FONT, "size": 10})


def _day(day: date, lang: str) -> str:
    """A day on the axis: ``1.12`` (``۱.۱۲`` in Persian)."""
    text = f"{day.day}.{day.month}"
    return fmt.persian_digits(text) if lang == "fa" else text


def _votes(p: Painter, ax: Axes, stats: Stats) -> None:
    _title(p, ax, "charts.stats.feedback")
    items = stats.topic_votes[:TOP]
    if not items:
        _empty(p, ax)
        return
    ups = [up for _, up, _ in items]
    downs = [down for _, _, down in items]
    ax.barh([y - 0.05 for y in range(len(items))], ups, height=0.2, color=UP, linewidth=0)
    ax.barh([y + 0.17 for y in range(len(items))], downs, height=0.2, color=DOWN,
            linewidth=0)
    peak = max(max(ups), max(downs), 1)
    _value_axis(p, ax, peak, len(items))
    _names(p, ax, [p.catalog.intent_name(topic, p.lang) for topic, _, _ in items])
    for y, (up, down) in enumerate(zip(ups, downs, strict=True)):
        for offset, value, kind in ((-0.05, up, "up"), (0.17, down, "down")):
            p.fact(ax, value + peak * 0.015, y + offset, number(value, p.lang),
                   f"votes:{kind}:{y}", ha=p.start, va="center", fontsize=9, color=INK)
    handles = [Patch(color=UP, label=p.s(p.ui("charts.stats.helpful"))),
               Patch(color=DOWN, label=p.s(p.ui("charts.stats.not_helpful")))]
    if p.rtl:
        handles.reverse()
    ax.legend(handles=handles, loc="lower left" if p.rtl else "lower right", ncol=2,
              bbox_to_anchor=(0.0 if p.rtl else 1.0, 1.0), frameon=False,
              markerfirst=not p.rtl, prop={"family": FONT, "size": 9.5})


def _fallback(p: Painter, ax: Axes, stats: Stats) -> None:
    _title(p, ax, "charts.stats.fallback")
    if not stats.questions:
        _empty(p, ax)
        return
    answered = stats.questions - stats.fallbacks
    ax.pie([answered, stats.fallbacks], colors=[BAR_COLOR, DOWN], startangle=90,
           counterclock=p.rtl, wedgeprops={"width": 0.38, "linewidth": 0})
    ax.set_aspect("equal")
    p.fact(ax, 0, 0, numbers(stats, p.lang).rate, "fallback:rate", ha="center", va="center",
           fontsize=18, fontweight="bold", color=INK)
    handles = [Patch(color=BAR_COLOR, label=p.s(
                   f"{p.ui('charts.stats.answered')}: {number(answered, p.lang)}")),
               Patch(color=DOWN, label=p.s(
                   f"{p.ui('charts.stats.fallbacks')}: {number(stats.fallbacks, p.lang)}"))]
    if p.rtl:
        handles.reverse()
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2,
              frameon=False, markerfirst=not p.rtl, prop={"family": FONT, "size": 10})
