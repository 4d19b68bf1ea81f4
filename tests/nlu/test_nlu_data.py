"""Intent files: loading and the Rasa-validator-like checks, with file:line."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from bot.constants import INTENTS, LANGUAGES, TOPIC_INTENTS
from bot.nlu.data import check_intents, load_intents, read_intents
from bot.problems import ContentError


class FakeCatalog:
    role_ids = ("it-project-manager",)
    details: ClassVar[dict[str, str]] = {}  # no detail questions: no lexicon phrases needed

    def aliases(self) -> dict[str, dict[str, list[str]]]:
        return {"it-project-manager": {"en": ["it project manager"]}}

    def step_names(self) -> dict[str, dict[str, list[str]]]:
        return {}

    def countries(self) -> dict[str, str | None]:
        return {}



def write(root: Path, lang: str, intent: str, examples: list[str]) -> Path:
    path = root / "intents" / lang / f"{intent}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"  - {e}\n" for e in examples)
    path.write_text(f"intent: {intent}\nexamples:\n{body}", encoding="utf-8")
    return path


@pytest.fixture
def complete(tmp_path: Path) -> Path:
    """Enough distinct examples for every intent and language."""
    for lang in LANGUAGES:
        for intent in INTENTS:
            n = 60 if intent == "out_of_scope" else 30 if intent in TOPIC_INTENTS else 15
            write(tmp_path, lang, intent, [f"{lang} {intent} example {i}" for i in range(n)])
    return tmp_path / "intents"


def test_complete_set_has_no_problems(complete: Path) -> None:
    assert check_intents(complete, FakeCatalog()) == []
    assert len(load_intents(complete)) == 5 * (12 * 30 + 7 * 15 + 60)


def test_yaml_error_has_file_and_line(complete: Path) -> None:
    (complete / "en" / "salary.yaml").write_text("intent: salary\nexamples:\n  - a\n - b: [\n")
    problems = check_intents(complete, None)
    assert any(p.file == "intents/en/salary.yaml" and p.line >= 3 for p in problems)
    with pytest.raises(ContentError):
        load_intents(complete)


def test_a_list_item_indented_under_another_is_reported(complete: Path) -> None:
    """"- a" followed by "  - b" is YAML for one example "a - b": the data shipped with three
    such glued examples once, unnoticed."""
    body = "".join(f"- example {i}\n" for i in range(58)) + "- a nurse\n  - a dentist\n"
    (complete / "nb" / "out_of_scope.yaml").write_text(
        f"intent: out_of_scope\nexamples:\n{body}", encoding="utf-8")
    messages = [str(p) for p in check_intents(complete, None)]
    assert "intents/nb/out_of_scope.yaml:61: an example runs over several lines (an indented " \
           "'- ' continues the one above it)" in messages, messages


def test_unknown_intent_missing_language_and_too_few(complete: Path) -> None:
    write(complete.parent, "en", "weather", ["a", "b"])
    (complete / "lv" / "tools.yaml").unlink()
    write(complete.parent, "fa", "skills", ["only one"])
    messages = [str(p) for p in check_intents(complete, None)]
    assert any("intents/en/weather.yaml:1: unknown intent id 'weather'" in m for m in messages)
    assert any("intents/lv/tools.yaml" in m and "missing" in m for m in messages)
    assert any("intents/fa/skills.yaml" in m and "too few examples: 1 < 30" in m for m in messages)


def test_duplicates_within_and_across_intents_name_both_places(complete: Path) -> None:
    write(complete.parent, "en", "salary", [f"pay {i}" for i in range(29)] + ["Pay 3!"])
    write(complete.parent, "en", "skills", [f"skill {i}" for i in range(29)] + ["pay 5"])
    problems = check_intents(complete, None)
    within = [p for p in problems if "duplicates" in p.message]
    across = [p for p in problems if "also an example of" in p.message]
    assert within and within[0].file == "intents/en/salary.yaml"
    assert "intents/en/salary.yaml:6" in within[0].message  # "pay 3" is line 6
    assert across and "intents/en/salary.yaml:8" in across[0].message


def test_role_name_alone_outside_overview_is_reported(complete: Path) -> None:
    write(complete.parent, "en", "tools", [f"tool {i}" for i in range(30)] + ["IT project manager"])
    problems = check_intents(complete, FakeCatalog())
    assert any("only a role name" in p.message and p.line == 33 for p in problems)


class RenamedCatalog(FakeCatalog):
    def aliases(self) -> dict[str, dict[str, list[str]]]:
        return {"it-project-manager": {"en": ["it project lead"]}}


def test_a_repeated_check_finds_the_same_and_follows_the_aliases(complete: Path) -> None:
    """The role check remembers what it found for each example (a teach checks twice): the
    next check reports the same, a new example is checked, other aliases are a new check."""
    write(complete.parent, "en", "tools", [f"tool {i}" for i in range(30)] + ["IT project manager"])
    first = check_intents(complete, FakeCatalog())
    assert [p.line for p in first if "only a role name" in p.message] == [33]
    assert check_intents(complete, FakeCatalog()) == first
    write(complete.parent, "en", "skills",
          [f"skill {i}" for i in range(30)] + ["IT project lead", "it project manager!"])
    found = [(p.file, p.line) for p in check_intents(complete, FakeCatalog())
             if "only a role name" in p.message]
    assert found == [("intents/en/skills.yaml", 34), ("intents/en/tools.yaml", 33)]
    found = [(p.file, p.line) for p in check_intents(complete, RenamedCatalog())
             if "only a role name" in p.message]
    assert found == [("intents/en/skills.yaml", 33)]


def test_example_lines_are_recorded(complete: Path) -> None:
    examples, problems = read_intents(complete)
    assert not problems
    first = next(e for e in examples if e.file == "intents/en/salary.yaml")
    assert (first.line, first.lang, first.intent) == (3, "en", "salary")


def test_shipped_intents_pass_the_checks() -> None:
    from bot.config import PROJECT_ROOT
    from bot.content.catalog import load_catalog

    catalog = load_catalog(PROJECT_ROOT / "content")
    problems = check_intents(PROJECT_ROOT / "intents", catalog)
    assert not problems, "\n".join(str(p) for p in problems[:20])


def write_learned(folder: Path, lang: str, intent: str, examples: list[str]) -> Path:
    path = folder / lang / f"{intent}.learned.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"- {e}\n" for e in examples)
    path.write_text(f"intent: {intent}\nexamples:\n{body}", encoding="utf-8")
    return path


def test_learned_files_beside_the_hand_written_ones_are_read(complete: Path) -> None:
    write_learned(complete, "en", "salary", ["what do they pay in oslo"])
    examples, problems = read_intents(complete)
    assert not problems  # "salary.learned" holds intent salary: no name mismatch
    taught = [e for e in examples if e.file == "intents/en/salary.learned.yaml"]
    assert [(e.text, e.intent, e.lang, e.line) for e in taught] == [
        ("what do they pay in oslo", "salary", "en", 3)]
    assert check_intents(complete, FakeCatalog()) == []


def test_a_separate_learned_folder_is_read_and_checked_with_intents(
        complete: Path, tmp_path: Path) -> None:
    learned = tmp_path / "data" / "learned-intents"
    write_learned(learned, "nb", "skills", ["nb skills example 3", "hva må man kunne"])
    write_learned(learned, "nb", "overview", ["only names what is stored.yaml"])
    (learned / "nb" / "notes.yaml").write_text("not an intents file")  # only *.learned.yaml
    assert len(load_intents(complete, learned)) == len(load_intents(complete)) + 3
    problems = [str(p) for p in check_intents(complete, FakeCatalog(), learned)]
    assert problems == ["learned-intents/nb/skills.learned.yaml:3: 'nb skills example 3' "
                        "duplicates 'nb skills example 3' at intents/nb/skills.yaml:6"], problems
    # Without the folder nothing of it is read.
    assert check_intents(complete, FakeCatalog()) == []
    assert load_intents(complete, complete) == load_intents(complete)  # not read twice


# ------------------------------------------------------ lexicon problems name their line


@pytest.fixture
def shipped_intents(tmp_path: Path) -> Path:
    """A copy of the real intents/ to break on purpose."""
    import shutil

    from bot.config import PROJECT_ROOT

    return Path(shutil.copytree(PROJECT_ROOT / "intents", tmp_path / "intents"))


def _lexicon_problems(intents: Path) -> list[str]:
    from bot.config import PROJECT_ROOT
    from bot.content.catalog import load_catalog
    from bot.nlu.data import check_lexicons

    return [str(p) for p in check_lexicons(intents, load_catalog(PROJECT_ROOT / "content"))]


def _append_after(path: Path, anchor: str, new: str) -> int:
    """Put ``new`` on the line after the first one starting with ``anchor``; its line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(anchor)) + 1
    lines.insert(at, new)
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def test_a_listed_job_that_is_one_of_our_roles_names_its_line(shipped_intents: Path) -> None:
    line = _append_after(shipped_intents / "en" / "lexicon" / "occupations.yaml",
                         "occupations:", "- helpdesk specialist")
    problems = _lexicon_problems(shipped_intents)
    assert [p for p in problems if "is the role" in p] == [
        f"intents/en/lexicon/occupations.yaml:{line}: job 'helpdesk specialist' is the role "
        "helpdesk-specialist (an alias): remove it"]


def test_a_detail_with_too_few_phrases_names_its_line(shipped_intents: Path) -> None:
    path = shipped_intents / "nb" / "lexicon" / "details.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("duties.risk: [")
    end = text.index("]", start)
    path.write_text(text[:start] + "duties.risk: [risiko*, risikovurdering*" + text[end:],
                    encoding="utf-8")
    line = text[:start].count("\n") + 1
    problems = _lexicon_problems(shipped_intents)
    assert [p for p in problems if "duties.risk" in p] == [
        f"intents/nb/lexicon/details.yaml:{line}: detail 'duties.risk' has 2 phrases "
        "(need >= 3)"]


def test_a_too_general_detail_phrase_names_its_line(shipped_intents: Path) -> None:
    path = shipped_intents / "en" / "lexicon" / "details.yaml"
    text = path.read_text(encoding="utf-8")
    # "what" is in most questions: as a phrase of one detail it would pull them all in.
    text = text.replace("duties.typical_day: [", "duties.typical_day: [what, ", 1)
    path.write_text(text, encoding="utf-8")
    line = text[:text.index("duties.typical_day: [")].count("\n") + 1
    problems = [p for p in _lexicon_problems(shipped_intents) if "'what'" in p]
    assert len(problems) == 1 and problems[0].startswith(
        f"intents/en/lexicon/details.yaml:{line}: phrase 'what' of 'duties.typical_day' is too "
        "general"), problems


def test_a_courtesy_phrase_of_one_of_our_languages_names_its_line(shipped_intents: Path) -> None:
    path = shipped_intents / "foreign" / "lexicon" / "courtesy.yaml"
    line = _append_after(path, "courtesy:", "  nb: [god dag]")
    problems = _lexicon_problems(shipped_intents)
    assert problems == [f"intents/foreign/lexicon/courtesy.yaml:{line}: expected the two-letter "
                        "code of a language the bot does not speak"]


def test_a_neighbour_word_table_names_its_mistakes_lines(shipped_intents: Path) -> None:
    """Only Swedish and Danish are read as Bokmål, one word for one word."""
    path = shipped_intents / "foreign" / "lexicon" / "neighbours.yaml"
    phrase = _append_after(path, "  sv:", "    hur mycket: hvor mye")
    language = _append_after(path, "words:", "  de:\n    was: hva")
    problems = _lexicon_problems(shipped_intents)
    assert problems == [
        f"intents/foreign/lexicon/neighbours.yaml:{language}: expected one of sv, da (answered "
        "in Bokmål)",
        f"intents/foreign/lexicon/neighbours.yaml:{phrase + 2}: expected one word mapped to "
        "another single Bokmål word"], problems
