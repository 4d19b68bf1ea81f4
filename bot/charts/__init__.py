"""Pay charts and career-ladder pictures, rendered with matplotlib (Agg, no pyplot).

For the answer service: offer a button with ``Button(catalog.ui(lang, "charts.button.pay"),
callback_data("pay", role))`` when ``has_chart(catalog, role, "pay")``; ``bot.telegram.photos``
handles the press.
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
