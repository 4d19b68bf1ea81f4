"""Figures come only from the seeds, and pay answers show exactly the figures of facts.yaml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content.catalog import LANGS, Catalog
from bot.content.check import numbers_in
from bot.content.formatting import ascii_digits
from bot.content.telegram_html import plain_text
from tests.content.conftest import CONTENT, SEEDS

SEED_OF = {
    "ict-service-technician": "000_68c874455adb53da.txt",
    "it-project-manager": "001_dd3c85da074f0497.txt",
    "user-support-specialist": "002_62dd0d100995cb5d.txt",
    "helpdesk-specialist": "003_ee34dd54c6af8a3c.txt",
    "it-service-manager": "004_2ff7baa931035e25.txt",
}
MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")


def _facts(role: str) -> dict[str, Any]:
    data = yaml.safe_load((CONTENT / "roles" / role / "facts.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _numbers(value: Any, path: str = "") -> list[tuple[str, int]]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [(path, value)]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _numbers(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _numbers(v, f"{path}[{i}]")]
    return []


def _seed_numbers(role: str) -> set[int]:
    text = ascii_digits((SEEDS / SEED_OF[role]).read_text(encoding="utf-8"))
    text = re.sub(r"(?<=\d)[ \u00a0](?=\d{3}\b)", "", text)  # "43 880" -> "43880"
    return {int(n) for n in re.findall(r"\d+", text)}


def _answer(catalog: Catalog, role: str, lang: str, table: bool = False) -> str:
    msgs = (catalog.render_salary_table(role, lang) if table
            else catalog.render_topic(role, "salary", lang))
    text = MARKS.sub("", "\n".join(plain_text(m) for m in msgs))
    return text.replace(MARKS.sub("", catalog.source_line(role, lang)), "")


@pytest.mark.parametrize("role", sorted(SEED_OF))
def test_every_facts_number_is_in_the_seed(role: str) -> None:
    facts = _facts(role)
    assert facts["source"]["seed"] == SEED_OF[role]
    in_seed = _seed_numbers(role)
    for path, n in _numbers(facts):
        assert n in in_seed, f"{role}{path} = {n} is not in the seed"


def test_dates_and_sources_are_the_seeds() -> None:
    itpm = _facts("it-project-manager")["source"]
    assert (itpm["name"], itpm["date"], itpm["checked_by"]) == (
        "utdanning.no", "2022-02-03", "TietoEVRY")
    assert "Sist kvalitetssikret den 03. februar 2022, av TietoEVRY" in (
        SEEDS / SEED_OF["it-project-manager"]).read_text(encoding="utf-8")
    assert _facts("it-service-manager")["source"]["name"] is None
    for role in SEED_OF:
        if role != "it-project-manager":
            assert "date" not in _facts(role)["source"], role


def test_state_row_keeps_missing_women_values_missing() -> None:
    rows = _facts("ict-service-technician")["pay"]["rows"]
    assert [(r["hours"], r["sector"]) for r in rows] == [
        ("full_time", "all"), ("part_time", "all"), ("full_time", "private"),
        ("part_time", "private"), ("full_time", "state")]
    state = rows[-1]
    assert state["employees"] == {"all": 280, "women": None, "men": 207}
    for measure in ("median", "median_overtime", "mean", "mean_overtime"):
        for period in ("hourly", "monthly", "yearly"):
            assert state[measure][period]["women"] is None
    assert rows[0]["mean_overtime"]["monthly"] == {"all": 47830, "women": 45600, "men": 48770}


def test_pay_kinds_are_as_the_seeds_give_them() -> None:
    assert _facts("user-support-specialist")["pay"] == {
        "kind": "range", "measure": "average", "period": "monthly", "low": 800, "high": 1400,
        "currency": "€"}
    levels = _facts("helpdesk-specialist")["pay"]
    assert (levels["lowest"], levels["median"], levels["highest"], levels["unit"]) == (
        20, 35, 45, "میلیون")
    assert "currency" not in levels
    assert _facts("it-project-manager")["pay"]["kind"] == "none"
    assert _facts("it-service-manager")["pay"]["kind"] == "none"


@pytest.mark.parametrize("lang", LANGS)
def test_it_project_manager_pay_has_no_figure(catalog: Catalog, lang: str) -> None:
    text = _answer(catalog, "it-project-manager", lang)
    assert not re.search(r"\d", text), text
    # The only digits left are the source's quality-assurance date.
    src = ascii_digits(catalog.source_line("it-project-manager", lang))
    assert sorted(int(n) for n in re.findall(r"\d+", src)) == [3, 2022]


@pytest.mark.parametrize("lang", LANGS)
def test_it_service_manager_pay_has_no_figure(catalog: Catalog, lang: str) -> None:
    assert not re.search(r"\d", _answer(catalog, "it-service-manager", lang))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ["ict-service-technician", "user-support-specialist",
                                  "helpdesk-specialist"])
def test_pay_answer_shows_exactly_facts_figures(catalog: Catalog, role: str, lang: str) -> None:
    pay = _facts(role)["pay"]
    allowed = {n for _, n in _numbers(pay)}
    shown = numbers_in(_answer(catalog, role, lang))
    assert shown and set(shown) <= allowed
    if pay["kind"] == "range":
        assert sorted(set(shown)) == [800, 1400]
    if pay["kind"] == "levels":
        assert sorted(set(shown)) == [20, 35, 45]
    if pay["kind"] == "table":
        assert {43880, 526560} <= set(shown)


@pytest.mark.parametrize("lang", LANGS)
def test_full_table_shows_every_cell_and_dashes_for_missing(catalog: Catalog, lang: str) -> None:
    pay = _facts("ict-service-technician")["pay"]
    text = _answer(catalog, "ict-service-technician", lang, table=True)
    expected = [n for _, n in _numbers(pay["rows"])]
    assert sorted(numbers_in(text)) == sorted(expected)
    # 12 lines of the state row, each missing the women's value, plus its employee count.
    assert text.count("–") >= 13
    assert " 0 " not in text


def test_pay_formats_per_language(catalog: Catalog) -> None:
    nbsp = "\u00a0"
    assert f"43{nbsp}880{nbsp}kr" in _answer(catalog, "ict-service-technician", "nb")
    assert f"43{nbsp}880{nbsp}kr" in _answer(catalog, "ict-service-technician", "nn")
    assert f"43,880{nbsp}kr" in _answer(catalog, "ict-service-technician", "en")
    assert "۴۳٬۸۸۰" in _answer(catalog, "ict-service-technician", "fa")
    assert f"1{nbsp}400{nbsp}€" in _answer(catalog, "user-support-specialist", "lv")
    assert "€1,400" in _answer(catalog, "user-support-specialist", "en")
    assert f"۳۵{nbsp}میلیون" in _answer(catalog, "helpdesk-specialist", "fa")


@pytest.mark.parametrize("lang", LANGS)
def test_helpdesk_pay_adds_no_currency(catalog: Catalog, lang: str) -> None:
    text = _answer(catalog, "helpdesk-specialist", lang).casefold()
    for word in ("toman", "rial", "تومان", "ریال", "kr", "kroner", "euro"):
        assert not re.search(rf"(?<!\w){word}(?!\w)", text), word
    assert "€" not in text and "$" not in text


def test_sources_are_named_as_the_seeds_do(catalog: Catalog) -> None:
    assert catalog.source_line("it-project-manager", "en") == (
        "Source: utdanning.no, last quality-assured 3 February 2022 by TietoEVRY")
    assert catalog.source_line("it-project-manager", "nb") == (
        "Kilde: utdanning.no, sist kvalitetssikret 3. februar 2022 av TietoEVRY")
    assert catalog.source_line("helpdesk-specialist", "en") == "Source: Adapto"
    assert catalog.source_line("user-support-specialist", "lv") == "Avots: SheCanDoIT"
    for lang in LANGS:
        line = catalog.source_line("it-service-manager", lang)
        assert "IT Service Manager" in line


def test_seed_files_are_where_the_tests_expect() -> None:
    assert all((SEEDS / name).is_file() for name in SEED_OF.values()), Path(SEEDS)
