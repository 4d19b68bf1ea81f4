"""Every cell of the ICT pay table is reachable, with its labels and head-count; the range and
levels sources say plainly what they do not give; calculations are labelled as ours."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bot.answer.compose import Composer
from bot.answer.dialogue import Plan
from bot.answer.service import AnswerService
from bot.answer.state import ChatState
from bot.content import formatting as fmt
from bot.nlu.result import PaySlice
from bot.textfmt import html_to_text

ICT = "ict-service-technician"
LANGS = ("en", "nb", "nn", "lv", "fa")
MEASURES = {("median", False): "median", ("median", True): "median_overtime",
            ("mean", False): "mean", ("mean", True): "mean_overtime"}


def answer(service: AnswerService, role: str, want: PaySlice, lang: str = "en",
           kind: str = "pay", detail: str | None = None) -> str:
    composer = Composer(service.catalog, ChatState(), lang)
    reply = composer.answer(Plan(kind, role=role, topic="salary", pay=want, detail=detail))
    return html_to_text(reply.messages[0])


def rows(service: AnswerService) -> list[dict[str, Any]]:
    pay: dict[str, Any] = service.catalog.facts(ICT)["pay"]
    return list(pay["rows"])


def cells(service: AnswerService) -> list[tuple[dict[str, Any], str, bool, str, str]]:
    out = []
    for row in rows(service):
        for (stat, overtime), period, group in itertools.product(
                MEASURES, ("hourly", "monthly", "yearly"), ("all", "women", "men")):
            out.append((row, stat, overtime, period, group))
    return out


def test_every_cell_is_answered_with_its_own_figure(service: AnswerService) -> None:
    checked = 0
    for row, stat, overtime, period, group in cells(service):
        value = row[MEASURES[(stat, overtime)]][period][group]
        want = PaySlice(sector=row["sector"], hours=row["hours"],
                        gender=None if group == "all" else group, stat=stat,
                        period=period, overtime=overtime)
        text = answer(service, ICT, want)
        line = next(x for x in text.split("\n") if x.startswith(("Full-time", "Part-time")))
        if value is None:  # the state sector gives no women's figures: said, and others shown
            assert "no figure for women" in text, (want, text)
            continue
        amount = fmt.format_amount(value, "kr", "en", period == "hourly")
        assert amount in line, (want, line)
        sector = {"all": "all sectors", "private": "private sector", "state": "state sector"}
        assert sector[row["sector"]] in line and ("women" in line) == (group == "women")
        assert ("men" in line.replace("women", "")) == (group == "men")
        assert ("with overtime" in line) == overtime
        assert ("average" in line) == (stat == "mean")
        count = row["employees"][group]
        assert fmt.format_int(count, "en") + " employees" in line, line
        checked += 1
    assert checked == 5 * 4 * 3 * 3 - 4 * 3  # every cell but the state sector's women


def test_women_and_men_are_never_swapped(service: AnswerService) -> None:
    row = rows(service)[0]
    women = fmt.format_amount(row["median"]["monthly"]["women"], "kr", "en")
    men = fmt.format_amount(row["median"]["monthly"]["men"], "kr", "en")
    assert women in answer(service, ICT, PaySlice(gender="women", period="monthly"))
    assert men not in answer(service, ICT, PaySlice(gender="women", period="monthly"))
    assert men in answer(service, ICT, PaySlice(gender="men", period="monthly"))
    gap = answer(service, ICT, PaySlice(), detail="salary.gender_gap", kind="detail")
    assert f"Full-time, all sectors, women: {women}" in gap
    assert f"Full-time, all sectors, men: {men}" in gap
    diff = row["median"]["monthly"]["men"] - row["median"]["monthly"]["women"]
    assert f"men earn {fmt.format_amount(diff, 'kr', 'en')} more" in gap.replace("Men", "men")
    assert "our calculation" in gap


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_gives_the_cell_in_its_own_format(service: AnswerService,
                                                         lang: str) -> None:
    row = next(r for r in rows(service) if r["sector"] == "private" and r["hours"] == "part_time")
    value = row["mean_overtime"]["yearly"]["men"]
    text = answer(service, ICT, PaySlice(sector="private", hours="part_time", gender="men",
                                         stat="mean", period="yearly", overtime=True), lang)
    assert fmt.format_amount(value, "kr", lang) in text
    assert fmt.format_int(row["employees"]["men"], lang) in text


def test_what_the_table_lacks_is_said_plainly(service: AnswerService) -> None:
    municipal = answer(service, ICT, PaySlice(sector="municipal"))
    assert "no figures for the municipal sector" in municipal
    lowest = answer(service, ICT, PaySlice(stat="lowest"))
    assert "not the lowest or the highest" in lowest
    state_part_time = answer(service, ICT, PaySlice(sector="state", hours="part_time"))
    assert "no figures for “Part-time, state sector”" in state_part_time


def test_range_source_labels_its_yearly_calculation(service: AnswerService) -> None:
    text = answer(service, "user-support-specialist", PaySlice(period="yearly"))
    assert "€800–€1,400" in text
    assert "€9,600–€16,800 a year" in text and "our calculation" in text
    assert "gender" in answer(service, "user-support-specialist", PaySlice(gender="women"))


def test_levels_source_says_it_names_no_period_or_currency(service: AnswerService) -> None:
    monthly = answer(service, "helpdesk-specialist", PaySlice(period="monthly"))
    assert "does not say whether these figures are per month or per year" in monthly
    assert "35\u00a0million" in monthly
    assert "Lowest pay: 20\u00a0million" in answer(service, "helpdesk-specialist",
                                              PaySlice(stat="lowest"))
    assert "not the average" in answer(service, "helpdesk-specialist", PaySlice(stat="mean"))


def _first_line(text: str) -> str:
    """The line right under the title: where the answer to the question asked belongs."""
    return [x for x in text.split("\n") if x.strip()][1]


def test_the_part_asked_is_answered_before_the_figures(service: AnswerService) -> None:
    """"Is that per month?", "for women?", "the lowest?": the answer (often "the source does not
    say") comes first, the figures the source does give after it."""
    levels = "helpdesk-specialist"
    assert "per month or per year" in _first_line(answer(service, levels,
                                                         PaySlice(period="monthly")))
    assert "not the average" in _first_line(answer(service, levels, PaySlice(stat="mean")))
    assert "by gender" in _first_line(answer(service, levels, PaySlice(gender="women")))
    ranged = "user-support-specialist"
    lowest = _first_line(answer(service, ranged, PaySlice(stat="lowest")))
    assert "no lowest pay" in lowest and "lower end is €800" in lowest
    assert "upper end is €1,400" in _first_line(answer(service, ranged, PaySlice(stat="highest")))
    assert "not a median" in _first_line(answer(service, ranged, PaySlice(stat="median")))
    assert "by gender" in _first_line(answer(service, ranged, PaySlice(gender="men")))
    assert "no figures for the municipal sector" in _first_line(
        answer(service, ICT, PaySlice(sector="municipal")))
    assert "not the lowest or the highest" in _first_line(answer(service, ICT,
                                                                 PaySlice(stat="lowest")))

@pytest.mark.parametrize("role", ["it-project-manager", "it-service-manager"])
def test_roles_without_figures_say_so_and_point_to_those_with(service: AnswerService,
                                                              role: str) -> None:
    text = answer(service, role, PaySlice())
    assert "no pay" in text.lower() and "Pay figures are available for" in text
    assert not any(ch.isdigit() for ch in text.split("Pay figures")[0])


def test_a_period_the_table_leaves_empty_is_left_out(service: AnswerService) -> None:
    """A row with a monthly figure but no yearly one (the state row's women cells are empty in
    every period today) gives the periods it has, not a crash."""
    import copy

    from bot.answer.pay import table_lines

    pay = copy.deepcopy(service.catalog.facts("ict-service-technician")["pay"])
    row = next(r for r in pay["rows"] if r["hours"] == "full_time" and r["sector"] == "all")
    row["median"]["yearly"]["all"] = None

    def t(key: str, **values: object) -> str:
        return f"{key}({', '.join(f'{k}={v}' for k, v in sorted(values.items()))})"

    notes, cells = table_lines(pay, PaySlice(), "en", t)
    assert notes == [] and len(cells) == 1 and "dialogue.pay.per.monthly" in cells[0]
    assert "dialogue.pay.per.yearly" not in cells[0]
