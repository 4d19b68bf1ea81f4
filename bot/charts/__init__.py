"""Pay charts and career-ladder pictures, rendered with matplotlib (Agg, no pyplot).

Chart buttons (``bot.answer.actions.ShowChart``) are offered where ``has_chart(catalog, role,
kind)``; ``bot.telegram.photos`` handles the press and sends the PNG.
"""

from bot.charts.kinds import KINDS, has_chart
from bot.charts.render import RenderedChart, build_figure, png_size, render_chart

__all__ = ["KINDS", "RenderedChart", "build_figure", "has_chart", "png_size",
           "render_chart"]
