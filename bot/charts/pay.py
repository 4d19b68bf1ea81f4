"""Pay charts: the full table as grouped bars, a range as a floating bar, levels as a scale.

Every number drawn comes from ``facts.yaml`` through :mod:`bot.content.formatting`, so a chart
and the text answer always agree; a value the source leaves out is drawn as the ``missing``
marker, never as a bar of length zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.patches import Patch

from bot.charts.figures import COLORS, FONT, INK, MUTED, ChartFigure, Painter, with_region
from bot.charts.kinds import pay_kind
from bot.charts.text import amount, number

if TYPE_CHECKING:
    from bot.content.catalog import Catalog

GROUPS = ("all", "women", "men")
MEASURES = ("median", "mean")
HOURS_ORDER = ("full_time", "part_time")
SECTOR_ORDER = ("all", "private", "state")
BAR = 0.26  # bar height in row units; a row holds three bars and a gap


def build_pay(catalog: Catalog, role: str, lang: str, source: str) -> ChartFigure:
    """The pay chart of ``role`` in ``lang`` (ValueError when the role has no pay figures)."""
    kind = pay_kind(catalog, role)
    if kind == "table":
        return _table(catalog, role, lang, source)
    if kind == "range":
        return _range(catalog, role, lang, source)
    if kind == "levels":
        return _levels(catalog, role, lang, source)
    raise ValueError(f"{role} has no pay figures to draw")


# ---------------------------------------------------------------------- table


def _sorted_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(row: dict[str, Any]) -> tuple[int, int]:
        return (HOURS_ORDER.index(row["hours"]) if row["hours"] in HOURS_ORDER else 9,
                SECTOR_ORDER.index(row["sector"]) if row["sector"] in SECTOR_ORDER else 9)

    return sorted(rows, key=key)


def _table(catalog: Catalog, role: str, lang: str, source: str) -> ChartFigure:
    pay = catalog.facts(role)["pay"]
    currency = pay.get("currency") or ""
    rows = _sorted_rows(pay["rows"])
    p = Painter(catalog, lang, 12.5, 2.6 + 1.25 * len(rows))
    missing = p.ui("charts.missing")
    title = with_region(catalog, role, lang,
                        p.ui("charts.pay.title", occupation=pay.get("occupation", "")))
    p.header(title, p.ui("charts.pay.subtitle", currency=currency))

    height = p.figure.get_figheight()
    top = 1 - 1.55 / height
    bottom = 1.0 / height
    left, right = (0.03, 0.71) if p.rtl else (0.29, 0.97)
    p.figure.subplots_adjust(left=left, right=right, top=top, bottom=bottom, wspace=0.06)
    axes = p.figure.subplots(1, 2, sharey=True)
    panels: list[Axes] = list(reversed(axes)) if p.rtl else list(axes)

    peak = max(v for row in rows for m in MEASURES
               for v in row[m]["monthly"].values() if v is not None)
    row_pitch = len(GROUPS) * BAR + 0.4
    centres = [i * row_pitch for i in range(len(rows))]
    any_missing = False
    for measure, ax in zip(MEASURES, panels, strict=True):
        ax.set_title(p.s(p.ui(f"charts.pay.{measure}")), fontsize=12.5, fontweight="bold",
                     color=INK, family=FONT, loc="center")
        ax.set_xlim(0, peak * 1.02)
        if p.rtl:
            ax.invert_xaxis()
        ys: list[float] = []
        widths: list[int] = []
        colours: list[str] = []
        for r, row in enumerate(rows):
            for g, group in enumerate(GROUPS):
                y = centres[r] + (g - 1) * BAR
                value = row[measure]["monthly"].get(group)
                gid = f"{measure}:monthly:{row['hours']}:{row['sector']}:{group}"
                if value is None:
                    any_missing = True
                    p.fact(ax, peak * 0.012, y, missing, f"missing:{gid}", ha=p.start,
                           va="center", fontsize=9.5, fontstyle=p.italic, color=MUTED)
                    continue
                ys.append(y)
                widths.append(value)
                colours.append(COLORS[group])
                p.fact(ax, value - peak * 0.012, y, number(value, lang), gid,
                       ha=p.end, va="center", fontsize=9.5, color="white",
                       fontweight="bold")
        # One call per panel: adding bars one by one costs a limits update each.
        ax.barh(ys, widths, height=BAR * 0.9, color=colours, linewidth=0)
        ax.set_xticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
    ax0 = panels[0]
    ax0.set_ylim(centres[-1] + row_pitch / 2, centres[0] - row_pitch / 2)
    ax0.set_yticks(centres, [""] * len(rows))
    if p.rtl:
        for ax in panels:
            ax.yaxis.tick_right()
    label_ax = ax0
    for r, row in enumerate(rows):
        label = p.ui("charts.pay.row", hours=p.ui(f"charts.pay.hours.{row['hours']}"),
                     sector=p.ui(f"charts.pay.sector.{row['sector']}"))
        emp = {g: (missing if v is None else number(v, lang))
               for g, v in row["employees"].items()}
        any_missing = any_missing or None in row["employees"].values()
        counts = p.ui("charts.pay.employees", all=emp.get("all", missing),
                      women=emp.get("women", missing), men=emp.get("men", missing))
        x = 1.015 if p.rtl else -0.015
        label_ax.text(x, centres[r] - 0.16, p.s(label), transform=label_ax.get_yaxis_transform(),
                      ha=p.end, va="center", fontsize=11, fontweight="bold", color=INK,
                      family=FONT)
        p.fact(label_ax, x, centres[r] + 0.2, counts, f"employees:{row['hours']}:{row['sector']}",
               transform=label_ax.get_yaxis_transform(), ha=p.end, va="center", fontsize=9.5,
               color=MUTED)

    handles = [Patch(color=COLORS[g], label=p.s(p.ui(f"charts.pay.{g}"))) for g in GROUPS]
    if p.rtl:
        handles.reverse()
    p.figure.legend(handles=handles, loc="upper right" if not p.rtl else "upper left",
                    bbox_to_anchor=(0.97 if not p.rtl else 0.03, 1 - 0.95 / height),
                    ncol=3, frameon=False, markerfirst=not p.rtl,
                    prop={"family": FONT, "size": 10.5})
    notes = [p.ui("charts.missing_note", missing=missing)] if any_missing else []
    p.footer([*notes, source])
    return ChartFigure(p.figure, title, (source, *notes), lang)


# ---------------------------------------------------------------------- range and levels


def _scale_axes(p: Painter) -> Axes:
    ax = p.figure.add_axes((0.06, 0.3, 0.88, 0.34))
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(MUTED)
    return ax


def _range(catalog: Catalog, role: str, lang: str, source: str) -> ChartFigure:
    pay = catalog.facts(role)["pay"]
    low, high, unit = int(pay["low"]), int(pay["high"]), pay.get("currency")
    measure, period = pay.get("measure") or "average", pay.get("period") or "monthly"
    p = Painter(catalog, lang, 10, 4.6)
    title = with_region(catalog, role, lang, p.ui(f"charts.pay.range_title.{measure}_{period}"))
    p.header(title, catalog.role_name(role, lang))
    ax = _scale_axes(p)
    ax.set_xlim(0, high * 1.15)
    ax.set_ylim(-1, 1.2)
    if p.rtl:
        ax.invert_xaxis()
    ax.barh(0, high - low, left=low, height=0.7, color=COLORS["all"], linewidth=0)
    # The floor of the axis, so the range reads against zero.
    ax.plot([0, high * 1.15], [-1, -1], color=MUTED, linewidth=0.8)
    for value, gid in ((low, "low"), (high, "high")):
        p.fact(ax, value, 0.55, amount(value, unit, lang), gid, ha="center", va="bottom",
               fontsize=13, fontweight="bold", color=INK)
        ax.plot([value, value], [-0.45, 0.45], color=INK, linewidth=2)
    p.footer([p.ui("charts.pay.range_note"), source])
    return ChartFigure(p.figure, title, (source,), lang)


def _levels(catalog: Catalog, role: str, lang: str, source: str) -> ChartFigure:
    pay = catalog.facts(role)["pay"]
    # The unit exactly as the source writes it; translated only where it means "million".
    unit: str = pay.get("unit") or ""
    if lang != "fa" and pay.get("unit_meaning") == "million":
        unit = catalog.ui(lang, "answers.pay.unit_million")
    levels = [("lowest", int(pay["lowest"])), ("median", int(pay["median"])),
              ("highest", int(pay["highest"]))]
    p = Painter(catalog, lang, 10, 4.8)
    title = with_region(catalog, role, lang, p.ui("charts.pay.levels_title"))
    p.header(title, catalog.role_name(role, lang))
    ax = _scale_axes(p)
    top = levels[-1][1]
    ax.set_xlim(0, top * 1.15)
    ax.set_ylim(-1, 1.6)
    if p.rtl:
        ax.invert_xaxis()
    ax.barh(0, levels[-1][1] - levels[0][1], left=levels[0][1], height=0.5,
            color=COLORS["all"], alpha=0.35, linewidth=0)
    ax.plot([0, top * 1.15], [-1, -1], color=MUTED, linewidth=0.8)
    names = {"lowest": "charts.pay.lowest", "median": "charts.pay.median_level",
             "highest": "charts.pay.highest"}
    for name, value in levels:
        colour = COLORS["men"] if name == "median" else INK
        ax.plot([value], [0], marker="o", markersize=12, color=colour)
        ax.text(value, 0.95, p.s(p.ui(names[name])), ha="center", va="bottom", fontsize=11,
                color=MUTED, family=FONT)
        p.fact(ax, value, 0.42, amount(value, unit, lang), name, ha="center", va="bottom",
               fontsize=13, fontweight="bold", color=colour)
    p.footer([p.ui("charts.pay.levels_note"), source])
    return ChartFigure(p.figure, title, (source, p.ui("charts.pay.levels_note")), lang)
