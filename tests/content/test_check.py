"""``check`` on deliberately broken copies of the real content names the right file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.catalog import load_catalog
from bot.content.check import check_content, fold_alias
from bot.problems import ContentError, Problem
from tests.content.conftest import CONTENT


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _insert_after(path: Path, line_no: int, new_line: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(line_no, new_line)
    path.write_text("\n".join(lines), encoding="utf-8")
    return line_no + 1


def _where(problems: list[Problem], file: str, needle: str) -> list[Problem]:
    return [p for p in problems if p.file == file and needle in p.message]


def test_clean_copy_has_the_same_problems_as_the_original(content_copy: Path) -> None:
    # The shipped content itself must be clean (test_completeness); a copy must not differ.
    assert check_content(content_copy) == check_content(CONTENT)


def test_bad_yaml(content_copy: Path) -> None:
    path = content_copy / "roles" / "it-project-manager" / "nn.yaml"
    # A writer's typical slip: a colon and a value where a bullet was meant.
    _replace(path, "  - it prosjektleiar\n", "  - it prosjektleiar\n  wrong: here\n")
    line = _line_of(path, "wrong: here")
    problems = check_content(content_copy)
    found = _where(problems, "content/roles/it-project-manager/nn.yaml", "YAML syntax")
    assert [p.line for p in found] == [line], problems
    with pytest.raises(ContentError) as info:
        load_catalog(content_copy)
    assert any(p.file.endswith("it-project-manager/nn.yaml") for p in info.value.problems)


def test_unclosed_bracket_names_where_it_opened(content_copy: Path) -> None:
    path = content_copy / "roles" / "it-project-manager" / "nb.yaml"
    _replace(path, "aliases:\n  - ", "aliases:\n  - [unclosed, ")
    line = _line_of(path, "[unclosed")
    problems = check_content(content_copy)
    found = _where(problems, "content/roles/it-project-manager/nb.yaml", "YAML syntax")
    assert len(found) == 1 and f"at line {line}" in found[0].message, found


def test_duplicate_key(content_copy: Path) -> None:
    path = content_copy / "roles" / "it-service-manager" / "lv.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "name: Otrs nosaukums\n", encoding="utf-8")
    problems = check_content(content_copy)
    found = _where(problems, "content/roles/it-service-manager/lv.yaml", "duplicate key")
    assert [p.line for p in found] == [len(text.splitlines()) + 1]


def test_missing_language(content_copy: Path) -> None:
    (content_copy / "roles" / "helpdesk-specialist" / "lv.yaml").unlink()
    problems = check_content(content_copy)
    assert _where(problems, "content/roles/helpdesk-specialist/lv.yaml", "missing language")
    # Loading still works (falls back to English) so the bot keeps serving.
    catalog = load_catalog(content_copy)
    assert catalog.render_topic("helpdesk-specialist", "overview", "lv")


def test_missing_topic(content_copy: Path) -> None:
    path = content_copy / "roles" / "user-support-specialist" / "nb.yaml"
    _replace(path, "  outlook:", "  outlook_removed:")
    problems = check_content(content_copy)
    line = _line_of(path, "outlook_removed:")
    assert [p.line for p in _where(problems, "content/roles/user-support-specialist/nb.yaml",
                                   "unknown topic")] == [line]
    assert _where(problems, "content/roles/user-support-specialist/nb.yaml",
                  "topic 'outlook' is missing")


def test_template_syntax_error(content_copy: Path) -> None:
    path = content_copy / "templates" / "topic.html.j2"
    line = _insert_after(path, 3, "{% if %}")
    problems = check_content(content_copy)
    found = _where(problems, "content/templates/topic.html.j2", "syntax")
    assert [p.line for p in found] == [line], problems


def test_undefined_variable(content_copy: Path) -> None:
    path = content_copy / "templates" / "career.html.j2"
    line = _insert_after(path, 4, "{{ no_such_variable }}")
    problems = check_content(content_copy)
    found = _where(problems, "content/templates/career.html.j2", "undefined")
    assert found and {p.line for p in found} == {line}, problems
    assert "no_such_variable" in found[0].message


def test_bad_html(content_copy: Path) -> None:
    path = content_copy / "templates" / "skills.html.j2"
    _replace(path, "{{ c.title(role_name, topic_title) }}",
             "<div>{{ c.title(role_name, topic_title) }}</div>")
    problems = check_content(content_copy)
    found = _where(problems, "content/templates/skills.html.j2", "invalid Telegram HTML")
    assert found and {p.line for p in found} == {_line_of(path, "<div>")}, problems
    # One tag on one line is one problem, however many answers it spoils.
    assert len(found) == 1 and "in 25 answers" in found[0].message, found


def test_alias_collision(content_copy: Path) -> None:
    itpm = content_copy / "roles" / "it-project-manager" / "en.yaml"
    hd = content_copy / "roles" / "helpdesk-specialist" / "en.yaml"
    _replace(hd, "aliases:\n", "aliases:\n  - It Prosjektleder\n")
    problems = check_content(content_copy)
    found = _where(problems, "content/roles/helpdesk-specialist/en.yaml", "collides")
    assert [p.line for p in found] == [_line_of(hd, "It Prosjektleder")], problems
    # The other location is named too (any it-project-manager file holding the alias).
    assert "it-project-manager" in found[0].message
    assert "content/roles/it-project-manager/" in found[0].message
    assert itpm.is_file()


def test_duplicate_alias_in_one_file(content_copy: Path) -> None:
    path = content_copy / "roles" / "it-service-manager" / "nn.yaml"
    _replace(path, "aliases:\n", "aliases:\n  - zz duplicate\n  - ZZ  duplicate\n")
    problems = check_content(content_copy)
    found = _where(problems, "content/roles/it-service-manager/nn.yaml", "duplicate alias")
    assert [p.line for p in found] == [_line_of(path, "ZZ  duplicate")]


def test_digit_in_text_file(content_copy: Path) -> None:
    path = content_copy / "roles" / "user-support-specialist" / "fa.yaml"
    text = path.read_text(encoding="utf-8").split("\n")
    target = next(i for i, line in enumerate(text) if line.startswith("      ") and line.strip())
    text[target] += " ۵"
    path.write_text("\n".join(text), encoding="utf-8")
    problems = check_content(content_copy)
    found = _where(problems, "content/roles/user-support-specialist/fa.yaml", "digit")
    assert [p.line for p in found] == [target + 1]


def test_missing_label(content_copy: Path) -> None:
    path = content_copy / "roles" / "helpdesk-specialist" / "nn.yaml"
    _replace(path, "  skills.speaking:", "  skills.speakin:")
    problems = check_content(content_copy)
    assert _where(problems, "content/roles/helpdesk-specialist/nn.yaml",
                  "label 'skills.speaking' is missing")


def test_facts_zero_instead_of_missing(content_copy: Path) -> None:
    path = content_copy / "roles" / "ict-service-technician" / "facts.yaml"
    _replace(path, "employees: {all: 280, women: null, men: 207}",
             "employees: {all: 280, women: 0, men: 207}")
    problems = check_content(content_copy)
    found = _where(problems, "content/roles/ict-service-technician/facts.yaml", "is 0")
    assert [p.line for p in found] == [_line_of(path, "women: 0")]


def test_pay_figure_changed_in_a_template_is_caught(content_copy: Path) -> None:
    path = content_copy / "templates" / "salary.html.j2"
    _replace(path, "{{ c.footer(", "{{ 12345 }}\n\n{{ c.footer(")
    problems = check_content(content_copy)
    found = [p for p in problems if "not in facts.yaml" in p.message and "12345" in p.message]
    # The figure is typed into the template: one problem at that line, not one per role.
    assert [(p.file, p.line) for p in found] == [
        ("content/templates/salary.html.j2", _line_of(path, "{{ 12345 }}"))], problems


def test_ui_key_missing_and_placeholder_mismatch(content_copy: Path) -> None:
    path = content_copy / "ui" / "lv" / "answers.yaml"
    _replace(path, "see_also:", "see_also_gone:")
    _replace(path, 'source: "Avots: {name}"', 'source: "Avots: {nosaukums}"')
    problems = check_content(content_copy)
    assert _where(problems, "content/ui/lv/answers.yaml", "'answers.see_also' is missing")
    found = _where(problems, "content/ui/lv/answers.yaml", "placeholders")
    assert [p.line for p in found] == [_line_of(path, "{nosaukums}")]


def test_fold_alias() -> None:
    assert fold_alias("Lietotāju  atbalsta Speciāliste") == "lietotaju atbalsta specialiste"
    assert fold_alias("IT-prosjektleiar") == fold_alias("it prosjektleiar")
    assert fold_alias("كارشناس پشتيباني") == fold_alias("کارشناس پشتیبانی")


# ------------------------------------------------ every problem once, at its line, no cascade


def test_a_broken_macro_used_by_every_answer_is_one_problem(content_copy: Path) -> None:
    path = content_copy / "templates" / "_common.html.j2"
    _replace(path, "<b>{{ role_name }}: {{ topic_title }}</b>",
             "<b>{{ role_name }}: {{ topic_title }}{{ no_such.thing }}</b>")
    problems = check_content(content_copy)
    assert [(p.file, p.line) for p in problems] == [
        ("content/templates/_common.html.j2", _line_of(path, "no_such.thing"))], problems
    assert "'no_such' is undefined" in problems[0].message
    # How many answers it breaks, and a few of them to try.
    assert "answers: ict-service-technician/overview/en" in problems[0].message
    assert "more)" in problems[0].message


def test_any_error_raised_by_a_template_is_a_problem_not_a_crash(content_copy: Path) -> None:
    path = content_copy / "templates" / "topic.html.j2"
    _replace(path, "{{ c.title(role_name, topic_title) }}",
             "{{ c.title(role_name, topic_title) }}{{ 1 / 0 }}")
    problems = check_content(content_copy)
    assert [(p.file, p.line) for p in problems] == [
        ("content/templates/topic.html.j2", _line_of(path, "1 / 0"))], problems
    assert "ZeroDivisionError: division by zero" in problems[0].message


def test_a_template_syntax_error_is_reported_once(content_copy: Path) -> None:
    path = content_copy / "templates" / "topic.html.j2"
    line = _insert_after(path, 3, "{% if %}")
    # Not again for every answer the template cannot render.
    assert [(p.file, p.line) for p in check_content(content_copy)] == [
        ("content/templates/topic.html.j2", line)]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("median: 35", "median: 35x", "'median' must be a whole number"),
    ("median: 35", "median: -35", "'median' is negative (-35)"),
])
def test_a_bad_figure_is_one_problem_without_a_cascade(content_copy: Path, old: str, new: str,
                                                       message: str) -> None:
    path = content_copy / "roles" / "helpdesk-specialist" / "facts.yaml"
    _replace(path, old, new)
    problems = check_content(content_copy)
    # Not also once per answer, salary figure and comparison that uses it.
    assert [str(p) for p in problems] == [
        f"content/roles/helpdesk-specialist/facts.yaml:{_line_of(path, new)}: {message}"
        + ("" if "negative" not in message else ": pay and counts cannot be below 0")]


@pytest.mark.parametrize(("role", "old", "new", "message"), [
    # The case: a median above the highest pay.
    ("helpdesk-specialist", "median: 35", "median: 55", "median (55) is above highest (45)"),
    ("helpdesk-specialist", "lowest: 20", "lowest: 40", "lowest (40) is above median (35)"),
    ("user-support-specialist", "low: 800", "low: 1800", "low (1800) is above high (1400)"),
    # A slip of the keyboard in the pay table: a month's pay above the year's ...
    ("ict-service-technician", "monthly: {all: 43880,", "monthly: {all: 4388000,",
     "median monthly all (4388000) is above median yearly all (526560)"),
    # ... pay without overtime above pay with it, a group larger than everyone.
    ("ict-service-technician", "monthly: {all: 47020,", "monthly: {all: 48020,",
     "mean monthly all (48020) is above mean_overtime monthly all (47830)"),
    ("ict-service-technician", "employees: {all: 3964, women: 1186,",
     "employees: {all: 3964, women: 11860,",
     "employees women (11860) is above employees all (3964)"),
])
def test_figures_that_make_no_sense_are_one_problem_at_their_line(
        content_copy: Path, role: str, old: str, new: str, message: str) -> None:
    path = content_copy / "roles" / role / "facts.yaml"
    _replace(path, old, new)
    problems = check_content(content_copy)
    assert [str(p) for p in problems] == [
        f"content/roles/{role}/facts.yaml:{_line_of(path, new)}: {message}"], problems


def test_reload_refuses_a_median_above_the_highest(content_copy: Path) -> None:
    # /reload runs the same rules: the bot keeps serving the old content.
    path = content_copy / "roles" / "helpdesk-specialist" / "facts.yaml"
    _replace(path, "median: 35", "median: 55")
    with pytest.raises(ContentError) as info:
        load_catalog(content_copy)
    assert any("median (55) is above highest (45)" in p.message for p in info.value.problems)
