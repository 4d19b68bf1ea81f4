"""Charts: valid PNGs in every language, numbers equal to facts.yaml, gaps never drawn as zero."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bot.answer import AnswerService
from bot.answer.actions import ShowChart, encode
from bot.charts import KINDS, build_figure, has_chart, png_size, render_chart
from bot.charts.figures import FACT_GID, ChartFigure
from bot.charts.render import CAPTION_LIMIT, PNG_SIGNATURE
from bot.charts.text import NATIVE_SHAPING, RLM, shape
from bot.content import formatting as fmt
from bot.content.catalog import LANGS, Catalog
from bot.content.telegram_html import plain_text, validate_html

CHARTS = [("ict-service-technician", "pay"), ("user-support-specialist", "pay"),
          ("helpdesk-specialist", "pay"), ("helpdesk-specialist", "career"),
          ("it-service-manager", "career")]
# A number as any of our languages writes it: 43,880 / 43 880 / ۴۳٬۸۸۰ (after ascii_digits).
NUMBER = re.compile(r"\d{1,3}(?:[,\u00a0 \u066c]\d{3})+(?!\d)|\d+")


@pytest.fixture(scope="module")
def catalog(service: AnswerService) -> Catalog:
    return service.catalog


def numbers(text: str) -> list[int]:
    """Every integer written in ``text`` (Persian digits and group separators understood)."""
    plain = fmt.ascii_digits(text)
    return [int(re.sub(r"\D", "", m)) for m in NUMBER.findall(plain)]


def chart_numbers(chart: ChartFigure) -> Counter[int]:
    return Counter(n for text in chart.texts() for n in numbers(text))


def table_facts(catalog: Catalog) -> Counter[int]:
    """Monthly median and mean (all, women, men) and employee counts: what the chart shows."""
    expected: Counter[int] = Counter()
    for row in catalog.facts("ict-service-technician")["pay"]["rows"]:
        for measure in ("median", "mean"):
            expected.update(v for v in row[measure]["monthly"].values() if v is not None)
        expected.update(v for v in row["employees"].values() if v is not None)
    return expected


def test_which_roles_have_which_charts(catalog: Catalog) -> None:
    have = {(r, k) for r in catalog.role_ids for k in KINDS if has_chart(catalog, r, k)}
    assert have == set(CHARTS)
    assert not has_chart(catalog, "no-such-role", "pay")
    assert not has_chart(catalog, "helpdesk-specialist", "pie")
    with pytest.raises(ValueError):
        build_figure(catalog, "it-project-manager", "pay", "en")
    assert all(len(encode(ShowChart(k, r)).encode()) <= 64 for r, k in CHARTS)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("role", "kind"), CHARTS)
def test_every_chart_renders_to_a_sensible_png(catalog: Catalog, role: str, kind: str,
                                               lang: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = render_chart(catalog, role, kind, lang)
    # A glyph the font lacks is drawn as an empty box (matplotlib warns): none may be missing.
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert chart.png.startswith(PNG_SIGNATURE)
    assert (chart.width, chart.height) == png_size(chart.png)
    assert 800 <= chart.width <= 2000 and 400 <= chart.height <= 1400
    assert chart.width / chart.height < 3  # Telegram shows very wide photos as thin strips
    assert 10_000 < len(chart.png) < 1_000_000
    assert chart.filename.endswith(".png")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("role", "kind"), CHARTS)
def test_caption_is_short_valid_html_naming_the_source(catalog: Catalog, role: str, kind: str,
                                                       lang: str) -> None:
    chart = render_chart(catalog, role, kind, lang)
    assert validate_html(chart.caption) == []
    shown = plain_text(chart.caption)
    assert 0 < len(shown.encode("utf-16-le")) // 2 <= CAPTION_LIMIT
    name = catalog.facts(role)["source"].get("name") or catalog.facts(role)["source"]["profile"]
    assert name in shown
    assert catalog.source_line(role, lang) in shown


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("role", "kind"), CHARTS)
def test_no_ui_key_or_stray_number_on_any_chart(catalog: Catalog, role: str, kind: str,
                                                lang: str) -> None:
    chart = build_figure(catalog, role, kind, lang)
    for text in chart.texts():
        assert not re.search(r"\b(charts|answers)\.[a-z_]+", text), text
    facts = catalog.facts(role)
    allowed = set(_all_ints(facts.get("pay"))) | set(_all_ints(facts.get("career_ladder")))
    assert set(chart_numbers(chart)) <= allowed, chart.texts()


def _all_ints(data: Any) -> list[int]:
    if isinstance(data, bool):
        return []
    if isinstance(data, int):
        return [data]
    if isinstance(data, dict):
        return [n for v in data.values() for n in _all_ints(v)]
    if isinstance(data, list):
        return [n for v in data for n in _all_ints(v)]
    return []


@pytest.mark.parametrize("lang", LANGS)
def test_table_numbers_equal_the_facts(catalog: Catalog, lang: str) -> None:
    chart = build_figure(catalog, "ict-service-technician", "pay", lang)
    assert chart_numbers(chart) == table_facts(catalog)
    # And each value sits where it belongs: the gid names measure, row and group.
    rows = {(r["hours"], r["sector"]): r for r in catalog.facts("ict-service-technician")["pay"]
            ["rows"]}
    checked = 0
    for gid, text in chart.fact_texts():
        parts = gid.split(":")
        if parts[1] in ("median", "mean"):
            _, measure, period, hours, sector, group = parts
            assert numbers(text) == [rows[(hours, sector)][measure][period][group]]
            checked += 1
    assert checked == 2 * sum(1 for r in rows.values() for v in r["median"]["monthly"].values()
                              if v is not None)


@pytest.mark.parametrize("lang", LANGS)
def test_missing_values_are_marked_not_drawn_as_zero(catalog: Catalog, lang: str) -> None:
    chart = build_figure(catalog, "ict-service-technician", "pay", lang)
    marker = shape(catalog.ui(lang, "charts.missing"), lang)
    missing = [(gid, text) for gid, text in chart.fact_texts() if ":missing:" in gid]
    assert sorted(gid for gid, _ in missing) == [
        f"{FACT_GID}:missing:mean:monthly:full_time:state:women",
        f"{FACT_GID}:missing:median:monthly:full_time:state:women"]
    assert all(text == marker for _, text in missing)
    # The state row's employee line says the women's count is missing, and shows no zero.
    employees = dict(chart.fact_texts())[f"{FACT_GID}:employees:full_time:state"]
    assert catalog.ui(lang, "charts.missing") in employees
    assert numbers(employees) == [280, 207]
    # Bars: exactly one per known value, none of zero length.
    rows = catalog.facts("ict-service-technician")["pay"]["rows"]
    for ax in chart.figure.axes:
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        widths = sorted(round(b.get_width()) for b in bars)
        title = ax.get_title()
        measure = "median" if title == shape(catalog.ui(lang, "charts.pay.median"), lang) \
            else "mean"
        expected = sorted(v for r in rows for v in r[measure]["monthly"].values()
                          if v is not None)
        assert widths == expected
        assert min(widths) > 0
    assert 0 not in chart_numbers(chart)


@pytest.mark.parametrize("lang", LANGS)
def test_range_is_drawn_as_a_range_with_the_sources_currency(catalog: Catalog,
                                                             lang: str) -> None:
    chart = build_figure(catalog, "user-support-specialist", "pay", lang)
    facts = dict(chart.fact_texts())
    assert numbers(facts[f"{FACT_GID}:low"]) == [800]
    assert numbers(facts[f"{FACT_GID}:high"]) == [1400]
    euro = "یورو" if lang == "fa" else "€"  # Persian writes the currency's name
    assert all(euro in facts[f"{FACT_GID}:{k}"] for k in ("low", "high"))
    bars = [p for ax in chart.figure.axes for p in ax.patches if isinstance(p, Rectangle)]
    assert [(round(b.get_x()), round(b.get_x() + b.get_width())) for b in bars] == [(800, 1400)]


@pytest.mark.parametrize("lang", LANGS)
def test_levels_keep_the_sources_unit_and_name_no_currency(catalog: Catalog, lang: str) -> None:
    chart = build_figure(catalog, "helpdesk-specialist", "pay", lang)
    facts = dict(chart.fact_texts())
    unit = "میلیون" if lang == "fa" else catalog.ui(lang, "answers.pay.unit_million")
    for name, value in (("lowest", 20), ("median", 35), ("highest", 45)):
        assert numbers(facts[f"{FACT_GID}:{name}"]) == [value]
        assert unit in facts[f"{FACT_GID}:{name}"]
    text = " ".join(chart.texts())
    for currency in ("€", "kr", "$", "ریال", "تومان", "rial", "toman", "کرون", "یورو"):
        assert currency not in text.lower()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ["helpdesk-specialist", "it-service-manager"])
def test_career_ladder_steps_and_durations_come_from_the_files(catalog: Catalog, role: str,
                                                               lang: str) -> None:
    chart = build_figure(catalog, role, "career", lang)
    steps = catalog.facts(role)["career_ladder"]
    shown = " ".join(t.replace("\n", " ") for t in chart.texts())
    squeezed = re.sub(r"[\s\u200f]+", "", shown)  # labels are wrapped onto several lines
    for step in steps if NATIVE_SHAPING or lang != "fa" else ():
        label = catalog.label(role, f"career.{step['key']}", lang)
        assert re.sub(r"\s+", "", label) in squeezed, (label, shown)
    durations = {gid.rsplit(":", 1)[1]: numbers(text) for gid, text in chart.fact_texts()}
    spans = {s["key"]: s.get("lasts") or s.get("experience") for s in steps}
    expected = {key: [span["min"], span["max"]] for key, span in spans.items() if span}
    assert durations == expected
    if role == "it-service-manager":  # six steps and no durations in the seed
        assert len(steps) == 6 and not expected
        assert chart_numbers(chart) == Counter()
        assert catalog.ui(lang, "charts.career.no_durations") in shown.replace(RLM, "")
    else:
        assert len(steps) == 5


# ---------------------------------------------------------------------- right to left


def test_persian_text_is_handed_over_the_way_this_matplotlib_needs() -> None:
    word = "کارشناس پشتیبانی"
    if NATIVE_SHAPING:  # libraqm shapes and reorders: logical order, forced RTL paragraph
        assert shape(word, "fa") == RLM + word
    else:  # presentation forms, visual order
        assert shape(word, "fa") != word
        assert all("\ufb50" <= ch <= "\ufeff" or ch == " " for ch in shape(word, "fa"))
    # The fallback mirrors brackets as the bidi algorithm requires: "(نروژ)" stays "( ... )".
    fallback = shape("حقوق (نروژ)", "fa", native=False)
    assert fallback.startswith("(") and fallback.endswith("\ufea3"), fallback  # ﺣ, initial
    assert shape(word, "en") == word
    assert shape("a\nb", "fa").count("\n") == 1


def _ink_columns(text: str) -> np.ndarray[Any, Any]:
    """Per pixel column, how many dark pixels a one-line rendering of ``text`` has."""
    fig = Figure(figsize=(4, 1), dpi=100)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=28, family="DejaVu Sans")
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[:, :, 0]
    ink = pixels < 128
    cols = ink.sum(axis=0)
    used = np.nonzero(cols)[0]
    return np.asarray(cols[used[0]:used[-1] + 1])


def test_persian_renders_right_to_left() -> None:
    # Alef (tall, first in logical order) then tatweels (a low line): right to left puts the
    # tall stroke at the right end of the ink.
    cols = _ink_columns(shape("ا" + "ـ" * 6 + "ب", "fa"))
    tallest = int(np.argmax(cols))
    assert tallest > len(cols) * 0.6, (tallest, len(cols))


def test_persian_letters_join() -> None:
    # Joined letters are narrower than the same letters kept apart by ZWNJ.
    joined = _ink_columns(shape("ببببب", "fa"))
    apart = _ink_columns(shape("\u200c".join("ببببب"), "fa"))
    assert len(joined) < len(apart) * 0.8, (len(joined), len(apart))


def test_persian_chart_uses_persian_digits_and_mirrors_the_layout(catalog: Catalog) -> None:
    chart = build_figure(catalog, "ict-service-technician", "pay", "fa")
    values = [text for gid, text in chart.fact_texts() if ":missing:" not in gid]
    assert values and all(not re.search(r"[0-9]", t) for t in values)
    assert any("۴۳٬۸۸۰" in t for t in values)
    median_ax = next(ax for ax in chart.figure.axes
                     if ax.get_title() == shape(catalog.ui("fa", "charts.pay.median"), "fa"))
    mean_ax = next(ax for ax in chart.figure.axes if ax is not median_ax)
    # Right to left: the first panel (median) on the right, bars growing leftwards.
    assert median_ax.get_position().x0 > mean_ax.get_position().x0
    assert median_ax.xaxis_inverted()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("role", "kind"), CHARTS)
def test_texts_stay_on_the_picture_and_do_not_overlap(catalog: Catalog, role: str, kind: str,
                                                      lang: str) -> None:
    chart = build_figure(catalog, role, kind, lang)
    canvas = chart.figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()  # legends place their texts while drawing
    renderer = canvas.get_renderer()
    width, height = canvas.get_width_height()
    boxes = []
    for text in chart.figure.findobj(Text):
        if not text.get_text().strip() or not text.get_visible():
            continue
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, \
            (text.get_text(), box)
        boxes.append((text.get_text(), box))
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            assert not box_a.overlaps(box_b), (a, b)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ["helpdesk-specialist", "it-service-manager"])
def test_step_names_and_durations_fit_inside_their_boxes(catalog: Catalog, role: str,
                                                         lang: str) -> None:
    chart = build_figure(catalog, role, "career", lang)
    canvas = chart.figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = {p.get_gid().split(":", 1)[1]: p.get_window_extent(renderer)
             for ax in chart.figure.axes for p in ax.patches
             if (p.get_gid() or "").startswith("box:")}
    assert len(boxes) == len(catalog.facts(role)["career_ladder"])
    for text in chart.figure.findobj(Text):
        gid = text.get_gid() or ""
        if gid.startswith(("label:", f"{FACT_GID}:duration:")):
            box = boxes[gid.rsplit(":", 1)[1]]
            extent = text.get_window_extent(renderer)
            assert box.x0 <= extent.x0 and extent.x1 <= box.x1, (text.get_text(), extent, box)
            assert box.y0 <= extent.y0 and extent.y1 <= box.y1, (text.get_text(), extent, box)
