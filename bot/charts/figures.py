"""Shared pieces of every chart: the figure, title block, footer, and where the facts live.

Only matplotlib's object-oriented API is used (``Figure`` + the Agg canvas, never pyplot), so a
figure belongs to the thread that builds it and no global state is shared between renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.charts.text import is_rtl, shape

if TYPE_CHECKING:
    from bot.content.catalog import Catalog

DPI = 100
FONT = "DejaVu Sans"  # ships with matplotlib; has Latin, Latvian and Arabic-script glyphs
INK = "#1f2933"
MUTED = "#52606d"
COLORS = {"all": "#52606d", "women": "#d95f02", "men": "#1b7a9e"}
# Gid prefix of text artists that carry a figure from facts.yaml (tests read them back).
FACT_GID = "fact"


@dataclass
class ChartFigure:
    """A built, not yet rendered chart: the figure plus what goes with it when sent."""

    figure: Figure
    title: str  # plain text, in the chart's language
    notes: tuple[str, ...]  # plain-text lines for the caption (source first)
    lang: str

    def texts(self) -> list[str]:
        """Every non-empty text drawn on the figure, as given to matplotlib."""
        return [t.get_text() for t in self.figure.findobj(Text) if t.get_text().strip()]

    def fact_texts(self) -> list[tuple[str, str]]:
        """(gid, text) of the texts that show a figure from the facts."""
        out = []
        for t in self.figure.findobj(Text):
            gid = t.get_gid()
            if gid and gid.startswith(FACT_GID):
                out.append((gid, t.get_text()))
        return out


class Painter:
    """Puts text on a figure in the chart's language: shaped, aligned and mirrored for RTL."""

    def __init__(self, catalog: Catalog, lang: str, width: float, height: float) -> None:
        self.catalog = catalog
        self.lang = lang
        self.rtl = is_rtl(lang)
        self.figure = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
        FigureCanvasAgg(self.figure)

    def ui(self, key: str, **values: object) -> str:
        """A ``charts.*`` (or other) UI string in the chart's language."""
        return self.catalog.ui(self.lang, key, **values)

    def s(self, text: str) -> str:
        """``text`` shaped for display in the chart's language."""
        return shape(text, self.lang)

    def x(self, fraction: float) -> float:
        """A horizontal figure position measured from the reading start (mirrored for RTL)."""
        return 1.0 - fraction if self.rtl else fraction

    @property
    def start(self) -> str:
        """Horizontal alignment at the reading start of a line."""
        return "right" if self.rtl else "left"

    @property
    def end(self) -> str:
        return "left" if self.rtl else "right"

    @property
    def italic(self) -> str:
        """Italic where the font has it: DejaVu Sans Oblique lacks Arabic-script glyphs."""
        return "normal" if self.rtl else "italic"

    def header(self, title: str, subtitle: str | None = None) -> None:
        """Title (bold) and an optional subtitle at the top, aligned to the reading start."""
        height = self.figure.get_figheight()  # positions in inches, whatever the figure size
        self.figure.text(self.x(0.025), 1 - 0.3 / height, self.s(title), ha=self.start,
                         va="top", fontsize=16, fontweight="bold", color=INK, family=FONT)
        if subtitle:
            self.figure.text(self.x(0.025), 1 - 0.78 / height, self.s(subtitle), ha=self.start,
                             va="top", fontsize=11, color=MUTED, family=FONT)

    def footer(self, lines: list[str]) -> None:
        """Small grey lines at the bottom (notes, then the source)."""
        height = self.figure.get_figheight()
        y = 0.16 / height
        for line in reversed(lines):
            self.figure.text(self.x(0.025), y, self.s(line), ha=self.start, va="bottom",
                             fontsize=9.5, color=MUTED, family=FONT)
            y += 0.25 / height

    def fact(self, ax: Any, x: float, y: float, text: str, gid: str, **kw: Any) -> None:
        """A text that shows a figure from the facts (tagged so tests can find it)."""
        kw.setdefault("family", FONT)
        ax.text(x, y, self.s(text), gid=f"{FACT_GID}:{gid}", **kw)


def region(catalog: Catalog, role: str, lang: str) -> str | None:
    """The role's country in ``lang`` (None when the facts name none)."""
    country = catalog.facts(role).get("country")
    return catalog.ui(lang, f"answers.country.{country}") if country else None


def with_region(catalog: Catalog, role: str, lang: str, text: str) -> str:
    """``text (Norway)``; just ``text`` when no country is known."""
    where = region(catalog, role, lang)
    return catalog.ui(lang, "charts.with_region", text=text, region=where) if where else text
