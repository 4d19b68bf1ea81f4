"""Answers about pay: any cell of a pay table, or what a range or levels source gives.

A pay question names a slice (sector, hours, gender, statistic, period, overtime); the answer is
the figure for exactly that slice with its labels and head-count, then one short note for every
part of the question the source cannot answer (no municipal row, no period for the Iranian
figures, ...). A conversion the source does not make (a monthly range times twelve) is shown as
a calculation and labelled as ours. Nothing here invents a figure: every amount is read from
``facts.yaml`` or computed from it in the open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.content import formatting as fmt
from bot.nlu.result import PaySlice

Text = Callable[..., str]  # a UI string in the reply language: t("dialogue.pay.x", ...)

PERIODS = ("monthly", "yearly", "hourly")


def _amount(value: int, unit: str, lang: str, approx: bool = False) -> str:
    return fmt.format_amount(value, unit, lang, approx)


def _find_row(rows: list[dict[str, Any]], hours: str, sector: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["hours"] == hours and r["sector"] == sector), None)


def table_lines(pay: dict[str, Any], want: PaySlice, lang: str, t: Text, *,
                gender_gap: bool = False) -> tuple[list[str], list[str]]:
    """The cell(s) a slice names in a ``table`` pay, each line with its labels, and before
    them the notes on what the table lacks of the slice asked (no municipal row, no lowest
    pay): ``(notes, cells)``, the notes to be shown first."""
    unit = pay["currency"]
    approx = set(pay.get("approx_periods", []))
    rows: list[dict[str, Any]] = pay["rows"]
    notes: list[str] = []
    hours = want.hours or "full_time"
    sector = want.sector or "all"
    if sector == "municipal":
        notes.append(t("dialogue.pay.no_sector", sector=t("dialogue.pay.sector.municipal")))
        sector = "all"
    row = _find_row(rows, hours, sector)
    if row is None:
        notes.append(t("dialogue.pay.no_row", hours=t(f"answers.pay.hours.{hours}"),
                       sector=t(f"answers.pay.sector.{sector}")))
        sector = "all"
        row = _find_row(rows, hours, sector) or rows[0]
    if want.stat in ("lowest", "highest"):
        notes.append(t("dialogue.pay.no_stat_table"))
    measure = "mean" if want.stat == "mean" else "median"
    if want.overtime:
        measure += "_overtime"
    # The period asked first, then the month and the year ("and with overtime?" after "per
    # hour?" may mean any of them; one line holds all three).
    periods = (want.period, *(p for p in ("monthly", "yearly") if p != want.period)) \
        if want.period else ("monthly", "yearly")
    groups = ["women", "men"] if gender_gap else [want.gender or "all"]
    lines: list[str] = []
    values: dict[str, int] = {}
    for group in groups:
        cells = {p: row[measure][p][group] for p in PERIODS}
        if cells[periods[0]] is None:
            notes.insert(0, t("dialogue.pay.no_group", group=t(f"answers.pay.{group}")))
            continue
        if cells["monthly"] is not None:
            values[group] = cells["monthly"]
        amounts = ", ".join(  # a period the table leaves empty is left out, never printed
            t(f"dialogue.pay.per.{p}", amount=_amount(cells[p], unit, lang, p in approx))
            for p in periods if cells[p] is not None)
        who = t("answers.pay.row", hours=t(f"answers.pay.hours.{row['hours']}"),
                sector=t(f"answers.pay.sector.{row['sector']}"))
        if group != "all":
            who = t("dialogue.pay.who_group", who=who, group=t(f"answers.pay.{group}"))
        count = row["employees"][group]
        lines.append(t("dialogue.pay.cell", who=who, amounts=amounts,
                       measure=t(f"dialogue.pay.measure.{measure}"),
                       employees=t("dialogue.pay.employees", count=fmt.format_int(count, lang))
                       if count is not None else t("dialogue.pay.employees_unknown")))
    if not lines:  # the asked group has no figure in this row: give the others instead
        for group in ("all", "men", "women"):
            if row[measure][periods[0]][group] is not None:
                more, found = table_lines(pay, PaySlice(
                    hours=row["hours"], sector=row["sector"], gender=group, stat=want.stat,
                    period=want.period, overtime=want.overtime), lang, t)
                return [*notes, *more], found
    if gender_gap and len(values) == 2 and values["men"] != values["women"]:
        diff = values["men"] - values["women"]
        higher = "men" if diff > 0 else "women"
        lines.append(t("dialogue.pay.gap", group=t(f"answers.pay.{higher}"),
                       amount=_amount(abs(diff), unit, lang)))
    return notes, lines


def range_lines(pay: dict[str, Any], want: PaySlice, lang: str, t: Text, region: str
                ) -> list[str]:
    """What a ``range`` pay (an average monthly range) says about the slice asked: the answer
    to the part asked first (the lower end; "the source gives no median"), then the range."""
    unit = pay["currency"]
    low, high = pay["low"], pay["high"]
    period = pay.get("period", "monthly")
    measure = pay.get("measure", "average")
    first: list[str] = []
    if want.stat == "lowest":
        first.append(t("dialogue.pay.range_low", amount=_amount(low, unit, lang)))
    elif want.stat == "highest":
        first.append(t("dialogue.pay.range_high", amount=_amount(high, unit, lang)))
    elif want.stat == "median" and measure != "median":
        first.append(t("dialogue.pay.range_no_median"))
    if want.period and want.period != period and not (want.period == "yearly"
                                                      and period == "monthly"):
        first.append(t("dialogue.pay.only_period", period=t(f"answers.pay.period.{period}")))
    lines = [*_not_split(want, t), *first,
             t(f"answers.pay.range.{measure}_{period}",
               range=fmt.format_range(low, high, unit, lang), region=region)]
    if want.period == "yearly" and period == "monthly":  # refers to the range just given
        lines.append(t("dialogue.pay.range_year_calc",
                       range=fmt.format_range(low * 12, high * 12, unit, lang)))
    return lines


def levels_lines(pay: dict[str, Any], want: PaySlice, lang: str, t: Text, region: str,
                 unit: str) -> list[str]:
    """What a ``levels`` pay (lowest / median / highest, no currency or period) says: what the
    source cannot answer first ("is that per month?": it does not say), then the figures."""
    figures = {k: fmt.format_amount(pay[k], unit, lang) for k in ("lowest", "median", "highest")}
    lines = _not_split(want, t)
    if want.period:
        lines.append(t("dialogue.pay.levels_no_period"))
    if want.stat in figures:
        lines.append(t(f"dialogue.pay.level.{want.stat}", amount=figures[want.stat],
                       region=region))
    else:
        if want.stat == "mean":
            lines.append(t("dialogue.pay.levels_no_mean", amount=figures["median"]))
        lines.append(t("answers.pay.levels", region=region, **figures))
    if not want.period:
        lines.append(t("answers.pay.levels_note"))
    return lines


def _not_split(want: PaySlice, t: Text) -> list[str]:
    """One note naming every dimension asked about that the source does not break down."""
    dims = [t(f"dialogue.pay.dimension.{d}") for d, v in (
        ("gender", want.gender), ("sector", want.sector), ("hours", want.hours),
        ("overtime", want.overtime)) if v is not None]
    if not dims:
        return []
    return [t("dialogue.pay.no_split", dimensions=", ".join(dims))]


def headline(pay: dict[str, Any] | None, lang: str, t: Text, region: str, unit: str) -> str:
    """One line for a role's pay in an answer across all roles (never converted)."""
    kind = (pay or {}).get("kind", "none")
    if pay is None or kind == "none":
        return t("dialogue.cross.no_pay")
    if kind == "table":
        row = _find_row(pay["rows"], "full_time", "all") or pay["rows"][0]
        amount = _amount(row["median"]["monthly"]["all"], pay["currency"], lang)
        return t("dialogue.cross.table", amount=amount, region=region)
    if kind == "range":
        return t("dialogue.cross.range", region=region,
                 range=fmt.format_range(pay["low"], pay["high"], pay["currency"], lang))
    return t("dialogue.cross.levels", region=region,
             median=fmt.format_amount(pay["median"], unit, lang))
