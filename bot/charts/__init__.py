"""Pay charts and career-ladder pictures, rendered with matplotlib (Agg, no pyplot)."""

from bot.charts.render import (
    KINDS,
    RenderedChart,
    build_figure,
    has_chart,
    png_size,
    render_chart,
)

__all__ = ["KINDS", "RenderedChart", "build_figure", "has_chart", "png_size", "render_chart"]
