"""Pay charts and career-ladder pictures, rendered with matplotlib (Agg, no pyplot).

Buttons carry ``callback_data(kind, role)`` (``ch:pay:<role>``, ``ch:career:<role>``) where
``has_chart(catalog, role, kind)``; ``bot.telegram.photos`` handles the press and sends the PNG.
"""

from bot.charts.render import (
    KINDS,
    RenderedChart,
    build_figure,
    callback_data,
    has_chart,
    png_size,
    render_chart,
)

__all__ = ["KINDS", "RenderedChart", "build_figure", "callback_data", "has_chart", "png_size",
           "render_chart"]
