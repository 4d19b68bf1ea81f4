"""Which charts exist, building them, and turning a figure into PNG bytes and a caption.

matplotlib and Pillow are imported when a chart is built, not with this module: the Telegram
layer imports it to offer chart buttons, and most bots answer far more text than pictures.
"""

from __future__ import annotations

import html
import io
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.charts.kinds import has_chart

if TYPE_CHECKING:
    from bot.charts.figures import ChartFigure
    from bot.content.catalog import Catalog

CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption (after entity parsing)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_COMPRESSION = 1  # zlib level: ~20 ms faster than 6 for ~15 % more bytes, uploaded once


@dataclass(frozen=True)
class RenderedChart:
    """A chart ready to send: PNG bytes, its size and a Telegram-HTML caption."""

    png: bytes
    caption: str
    width: int
    height: int
    filename: str


def build_figure(catalog: Catalog, role: str, kind: str, lang: str) -> ChartFigure:
    """The chart as a matplotlib figure (not rendered yet); ValueError when there is none."""
    if not has_chart(catalog, role, kind):
        raise ValueError(f"no {kind} chart for {role!r}")
    from bot.charts.career import build_career
    from bot.charts.pay import build_pay

    source = catalog.source_line(role, lang)
    if kind == "pay":
        return build_pay(catalog, role, lang, source)
    return build_career(catalog, role, lang, source)


def caption(chart: ChartFigure) -> str:
    """``<b>title</b>`` and the notes (source first), escaped, within Telegram's limit."""
    lines = [f"<b>{html.escape(chart.title)}</b>", *(html.escape(n) for n in chart.notes)]
    text = "\n".join(lines)
    while len(text) > CAPTION_LIMIT and len(lines) > 1:
        lines.pop()
        text = "\n".join(lines)
    if len(text) > CAPTION_LIMIT:  # a title alone cannot be that long, but never send too much
        text = html.escape(chart.title[: CAPTION_LIMIT - 10])
    return text


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (ValueError if it is not a PNG)."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def to_png(chart: ChartFigure) -> bytes:
    """Render the figure with Agg into PNG bytes (RGB: the alpha channel would only add size)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = chart.figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()  # type: ignore[no-untyped-call]
    width, height = canvas.get_width_height(physical=True)
    rgba = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=PNG_COMPRESSION)
    return buffer.getvalue()


def render_chart(catalog: Catalog, role: str, kind: str, lang: str) -> RenderedChart:
    """Build and render one chart (CPU-bound: call it off the event loop)."""
    chart = build_figure(catalog, role, kind, lang)
    data = to_png(chart)
    width, height = png_size(data)
    return RenderedChart(png=data, caption=caption(chart), width=width, height=height,
                         filename=f"{kind}-{role}-{lang}.png")
