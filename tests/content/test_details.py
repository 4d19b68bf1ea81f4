"""Detail answers (content/details.yaml): complete, faithful to the seeds, rendered in every
language, short enough to answer first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content import details as detail_text
from bot.content.catalog import Catalog
from bot.content.facts_schema import resolve
from tests.content.conftest import SEEDS

LANGS = ("en", "nb", "nn", "lv", "fa")
TOPICS_WITH_BRIEFS = ("overview", "duties", "skills", "interview", "education", "career",
                      "workplace", "qualities", "tools", "certifications", "outlook")
MAX_DETAIL_CHARS = 400


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def details_of(catalog: Catalog) -> list[tuple[str, str]]:
    return [(role, detail) for role in catalog.role_ids
            for detail in (catalog.facts(role).get("details") or {})]


def test_every_detail_is_registered_and_its_topic_exists(catalog: Catalog) -> None:
    assert len(catalog.details) >= 40
    for role, detail in details_of(catalog):
        assert detail in catalog.details, (role, detail)


def test_every_role_answers_many_details(catalog: Catalog) -> None:
    for role in catalog.role_ids:
        assert len(catalog.facts(role).get("details") or {}) >= 8, role


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
def test_every_seed_quote_is_in_the_seed_and_every_figure_too(catalog: Catalog) -> None:
    for role, detail in details_of(catalog):
        facts = catalog.facts(role)
        seed = _collapse((SEEDS / facts["source"]["seed"]).read_text(encoding="utf-8"))
        seed_digits = _digits(seed.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")))
        entry = facts["details"][detail]
        assert _collapse(entry["seed"]) in seed, (role, detail)
        for path in (entry.get("values") or {}).values():
            value = resolve(facts, str(path))
            numbers = [value["min"], value["max"]] if isinstance(value, dict) else [value]
            if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                numbers = value.split("-")[::2]  # the seed writes "03. februar 2022"
            for number in numbers:
                assert _digits(str(number)) in seed_digits, (role, detail, path)


@pytest.mark.parametrize("lang", LANGS)
def test_every_detail_renders_in_every_language(catalog: Catalog, lang: str) -> None:
    for role, detail in details_of(catalog):
        text = catalog.role(role).texts[lang].details.get(detail)
        assert text, f"{role} {detail} has no {lang} text"
        filled = catalog.detail_text(role, detail, lang)
        assert filled and "{" not in filled and "}" not in filled, (role, detail, lang)
        assert len(filled) <= MAX_DETAIL_CHARS, (role, detail, lang, len(filled))
        # The only digits are the figures filled in from facts.yaml.
        values = (catalog.facts(role)["details"][detail].get("values") or {})
        allowed = "".join(detail_text.format_value(resolve(catalog.facts(role), str(p)), lang)
                          for p in values.values())
        persian = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
        stray = set(_digits(filled.translate(persian))) - set(_digits(allowed.translate(persian)))
        assert not stray, (role, detail, lang, filled)


@pytest.mark.parametrize("lang", LANGS)
def test_every_detail_has_its_question_and_label(catalog: Catalog, lang: str) -> None:
    for detail in catalog.details:
        for part in ("question", "label"):
            key = f"details.{detail}.{part}"
            assert catalog.has_ui(lang, key), key


@pytest.mark.parametrize("lang", LANGS)
def test_every_role_has_a_brief_for_every_topic(catalog: Catalog, lang: str) -> None:
    for role in catalog.role_ids:
        briefs = catalog.role(role).texts[lang].briefs
        for topic in TOPICS_WITH_BRIEFS:
            assert briefs.get(topic), (role, topic, lang)
            assert not re.search(r"\d", briefs[topic]), (role, topic, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_leads_with_the_roles_brief(catalog: Catalog, lang: str) -> None:
    """The answer first: right under the title, a page says in one bold line what the role's
    source says on the topic; the body follows. A career ladder with each step's time says
    more in its one line (how long, too), so it takes the brief's place."""
    from markupsafe import escape
    for role in catalog.role_ids:
        for topic in TOPICS_WITH_BRIEFS:
            text = catalog.topic_text(role, topic, lang)
            if text is None or text.unavailable is not None:
                continue
            page = re.sub("[\u200f\u2068\u2069]", "", catalog.render_topic(role, topic, lang)[0])
            lines = [ln for ln in page.split("\n") if ln]  # Persian direction marks aside
            timed = topic == "career" and any(s["duration"]
                                              for s in catalog.career_steps(role, lang))
            if timed:
                ladder = catalog.career_steps(role, lang)
                assert lines[1].startswith(catalog.ui(lang, "answers.career.ladder_intro")), \
                    (role, lang, lines[1])
                assert ladder[-1]["duration"] in lines[1], (role, lang, lines[1])
                continue
            assert lines[1] == f"<b>{escape(catalog.brief(role, topic, lang))}</b>", \
                (role, topic, lang)

def test_a_detail_no_source_answers_is_not_invented(catalog: Catalog) -> None:
    """Every registered detail is answered by at most the roles whose seeds say something, and
    a detail nobody answers (tax) stays a question the bot answers honestly."""
    answered = {d for _, d in details_of(catalog)}
    assert "salary.tax" not in answered
    assert "outlook.ai" in answered  # the Persian source rates it


def test_a_broken_quote_is_caught(catalog: Catalog, tmp_path: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip("no seeds")
    role, detail = details_of(catalog)[0]
    facts = catalog.facts(role)
    seed = _collapse((SEEDS / facts["source"]["seed"]).read_text(encoding="utf-8"))
    assert _collapse(facts["details"][detail]["seed"] + " (invented)") not in seed
