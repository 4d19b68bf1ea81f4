"""``helpdesk-bot check``: every content rule, each broken rule as a ``file:line`` problem.

Runs what ``/reload`` would refuse (schema, YAML, template syntax) plus what only a full pass
can see: completeness per role x language x topic, rendering with no undefined variable, valid
Telegram HTML within the length limit, no digits in text files, alias collisions, and pay
answers whose figures equal ``facts.yaml``.
"""

from __future__ import annotations

import re
import traceback
import unicodedata
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, UndefinedError

from bot.content import formatting as fmt
from bot.content.answers import TOPIC_TEMPLATES
from bot.content.catalog import LANGS, TOPICS, Catalog, load_content, placeholders
from bot.content.facts_schema import label_keys
from bot.content.telegram_html import MAX_MESSAGE_LENGTH, plain_text, text_length, validate_html
from bot.problems import Problem

_NUMBER = re.compile(r"\d{1,3}(?:[,\u00a0\u066c]\d{3})+|\d+")


def fold_alias(text: str) -> str:
    """How the engine compares names: case, diacritics, Arabic/Persian letter variants, spacing."""
    text = text.replace("\u200c", "").replace("ي", "ی").replace("ك", "ک").replace("ة", "ه")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ø", "o").replace("æ", "ae").replace("đ", "d").replace("ł", "l")
    return " ".join(re.sub(r"[\W_]+", " ", stripped).split())


def _no_marks(text: str) -> str:
    return re.sub("[\u200e\u200f\u2066-\u2069]", "", text)


def numbers_in(text: str) -> list[int]:
    """Integers written in a rendered text, in any of our languages' digit and group styles."""
    plain = fmt.ascii_digits(text)
    return [int(re.sub(r"\D", "", m.group(0))) for m in _NUMBER.finditer(plain)]


def _template_line(exc: BaseException, catalog: Catalog) -> tuple[str, int]:
    """Template file and line of an exception raised while rendering (Jinja rewrites frames)."""
    found = ("content/templates", 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            found = (_display(Path(frame.filename), catalog.content_dir), frame.lineno or 0)
    return found


def _display(path: Path, content_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(content_dir.resolve().parent))
    except ValueError:
        return str(path)


def _render(catalog: Catalog, what: str, problems: list[Problem], fn: Any,
            *args: str) -> list[str] | None:
    try:
        messages: list[str] = fn(*args)
    except UndefinedError as exc:
        file, line = _template_line(exc, catalog)
        problems.append(Problem(file, line, f"undefined variable rendering {what}: {exc.message}"))
        return None
    except (TemplateError, KeyError, TypeError, ValueError, AttributeError) as exc:
        file, line = _template_line(exc, catalog)
        problems.append(Problem(file, line, f"cannot render {what}: {exc!r}"))
        return None
    return messages


def _html_culprit(catalog: Catalog, template: str, error: str) -> tuple[str, int]:
    """Writer text and UI strings are escaped, so bad HTML comes from the template: find the
    line holding the offending tag."""
    path = catalog.content_dir / "templates" / template
    display = _display(path, catalog.content_dir)
    m = re.search(r"<(/?[a-zA-Z][\w-]*)", error)
    if m:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return display, 0
        for n, line in enumerate(lines, start=1):
            if f"<{m.group(1)}" in line:
                return display, n
    return display, 0


def _check_messages(catalog: Catalog, messages: list[str], what: str, template: str,
                    where: tuple[str, int], problems: list[Problem],
                    one_message: bool = False) -> None:
    if one_message and len(messages) != 1:
        problems.append(Problem(where[0], where[1], f"{what} does not fit one message"))
    for i, msg in enumerate(messages, start=1):
        for err in validate_html(msg):
            file, line = _html_culprit(catalog, template, err)
            problems.append(Problem(file, line,
                                    f"{what}, message {i}: invalid Telegram HTML: {err}"))
        n = text_length(msg)
        if n > MAX_MESSAGE_LENGTH:
            problems.append(Problem(where[0], where[1],
                                    f"{what}, message {i}: {n} characters > {MAX_MESSAGE_LENGTH}"))


def _pay_numbers(facts: dict[str, Any]) -> tuple[set[int], set[int]]:
    """(every figure of the pay facts, the figures a pay answer must show)."""
    pay = facts.get("pay") or {}
    kind = pay.get("kind")
    allowed: set[int] = set()
    required: set[int] = set()
    if kind == "table":
        for row in pay.get("rows", []):
            allowed |= {v for v in row["employees"].values() if v is not None}
            for m in ("median", "median_overtime", "mean", "mean_overtime"):
                for cells in row[m].values():
                    allowed |= {v for v in cells.values() if v is not None}
            if row.get("hours") == "full_time" and row.get("sector") == "all":
                required |= {row["median"]["monthly"]["all"], row["median"]["yearly"]["all"]}
    elif kind == "range":
        allowed = required = {pay["low"], pay["high"]}
    elif kind == "levels":
        allowed = required = {pay["lowest"], pay["median"], pay["highest"]}
    return allowed, required


def _check_pay_figures(catalog: Catalog, role: str, lang: str, messages: list[str],
                       where: tuple[str, int], problems: list[Problem]) -> None:
    facts = catalog.facts(role)
    allowed, required = _pay_numbers(facts)
    source = catalog.source_line(role, lang)
    text = _no_marks("\n".join(plain_text(m) for m in messages)).replace(_no_marks(source), "")
    found = numbers_in(text)
    strays = sorted({n for n in found if n not in allowed})
    if strays:
        problems.append(Problem(where[0], where[1],
                                f"pay answer ({lang}) shows figures not in facts.yaml: {strays}"))
    missing = sorted(required - set(found))
    if missing:
        problems.append(Problem(where[0], where[1],
                                f"pay answer ({lang}) lacks the facts figures {missing}"))


def _check_digits(path: Path, display: str, problems: list[Problem]) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return
    for n, line in enumerate(lines, start=1):
        if line.lstrip().startswith("#"):
            continue
        digits = [c for c in line if unicodedata.category(c) == "Nd"]
        if digits:
            problems.append(Problem(display, n, f"digit {digits[0]!r} in a role text file: "
                                                "figures belong in facts.yaml"))


def check_catalog(catalog: Catalog) -> list[Problem]:
    """Completeness, rendering, HTML, aliases and pay figures of a loaded catalog."""
    problems: list[Problem] = []
    base = catalog.content_dir
    aliases_seen: dict[str, tuple[str, str, int]] = {}
    for rid in catalog.role_ids:
        role = catalog.role(rid)
        role_dir = base / "roles" / rid
        facts_where = (role.facts_doc.display, 1) if role.facts_doc else (
            _display(role_dir / "facts.yaml", base), 0)
        needed_labels = label_keys(role.facts)
        for lang in LANGS:
            text = role.texts.get(lang)
            path = role_dir / f"{lang}.yaml"
            if text is None:
                if not path.exists():
                    problems.append(Problem(_display(path, base), 0,
                                            f"missing language file for role {rid}"))
                continue
            doc = text.doc
            _check_digits(path, doc.display, problems)
            for topic in TOPICS:
                if topic not in text.topics:
                    problems.append(doc.problem(f"topic {topic!r} is missing (write text, or "
                                                "unavailable: <reason>)", "topics"))
                    continue
                for other in text.topics[topic].see_also:
                    if other in text.topics and text.topics[other].unavailable:
                        problems.append(doc.problem(f"see_also names {other!r}, which is "
                                                    "unavailable too", "topics", topic,
                                                    "see_also"))
            for key in needed_labels:
                if key not in text.labels:
                    problems.append(doc.problem(f"label {key!r} is missing (facts.yaml uses it)",
                                                "labels"))
            if len(text.aliases) < 8:
                problems.append(doc.problem(f"only {len(text.aliases)} aliases (need >= 8)",
                                            "aliases"))
            in_file: dict[str, int] = {}
            for i, alias in enumerate(text.aliases):
                line = doc.line("aliases", i)
                exact = " ".join(alias.casefold().split())
                if exact in in_file:
                    problems.append(Problem(doc.display, line, f"duplicate alias {alias!r} "
                                                               f"(also line {in_file[exact]})"))
                in_file.setdefault(exact, line)
            entries = [(text.name, doc.line("name"))] + [
                (a, doc.line("aliases", i)) for i, a in enumerate(text.aliases)]
            for alias, line in entries:
                folded = fold_alias(alias)
                if not folded:
                    problems.append(Problem(doc.display, line,
                                            f"alias {alias!r} is empty after folding"))
                    continue
                owner = aliases_seen.get(folded)
                if owner and owner[0] != rid:
                    problems.append(Problem(
                        doc.display, line,
                        f"alias {alias!r} of {rid} collides with {owner[0]} "
                        f"({owner[1]}:{owner[2]})"))
                else:
                    aliases_seen.setdefault(folded, (rid, doc.display, line))

        for lang in LANGS:
            text = role.texts.get(lang)
            for topic in TOPICS:
                what = f"{rid}/{topic}/{lang}"
                where = (text.doc.display, text.doc.line("topics", topic)) if text else \
                    facts_where
                msgs = _render(catalog, what, problems, catalog.render_topic, rid, topic, lang)
                if msgs is None:
                    continue
                tt = catalog.topic_text(rid, topic, lang)
                template = ("unavailable.html.j2" if tt is None or tt.unavailable
                            else TOPIC_TEMPLATES.get(topic, "topic.html.j2"))
                _check_messages(catalog, msgs, what, template, where, problems)
                if topic == "salary" and catalog.topic_available(rid, topic, lang):
                    _check_pay_figures(catalog, rid, lang, msgs, facts_where, problems)
            if catalog.has_salary_table(rid):
                what = f"{rid}/salary table/{lang}"
                msgs = _render(catalog, what, problems, catalog.render_salary_table, rid, lang)
                if msgs is not None:
                    _check_messages(catalog, msgs, what, "salary_table.html.j2", facts_where,
                                    problems)
                    _check_pay_figures(catalog, rid, lang, msgs, facts_where, problems)
    for lang in LANGS:
        for i, a in enumerate(catalog.role_ids):
            for b in catalog.role_ids[i + 1:]:
                what = f"compare {a}/{b}/{lang}"
                msgs = _render(catalog, what, problems, catalog.render_compare, a, b, lang)
                if msgs is not None:
                    where = (_display(catalog.content_dir / "templates" / "compare.html.j2",
                                      catalog.content_dir), 0)
                    _check_messages(catalog, msgs, what, "compare.html.j2", where, problems,
                                    one_message=True)
    problems += _check_ui(catalog)
    return problems


def _check_ui(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    en_keys = catalog.ui_keys("en")
    for lang in LANGS:
        keys = catalog.ui_keys(lang)
        lines = catalog.ui_lines.get(lang, {})
        ui_dir = _display(catalog.content_dir / "ui" / lang, catalog.content_dir)
        en_lines = catalog.ui_lines.get("en", {})
        for key in sorted(en_keys - keys):
            area = key.split(".", 1)[0]
            en_file, en_line = en_lines[key]
            problems.append(Problem(f"{ui_dir}/{area}.yaml", 0,
                                    f"UI string {key!r} is missing in {lang} "
                                    f"(English has it at {en_file}:{en_line})"))
        if lang == "en":
            continue
        for key in sorted(keys - en_keys):
            file, line = lines[key]
            problems.append(Problem(file, line, f"UI string {key!r} is not in English"))
        for key in sorted(keys & en_keys):
            mine = placeholders(catalog.ui(lang, key))
            theirs = placeholders(catalog.ui("en", key))
            if mine != theirs:
                file, line = lines[key]
                problems.append(Problem(file, line,
                                        f"placeholders {sorted(mine)} differ from English "
                                        f"{sorted(theirs)}"))
    return problems


def check_content(content_dir: Path) -> list[Problem]:
    """Every problem in ``content_dir``, sorted by file and line."""
    catalog, problems = load_content(Path(content_dir))
    if catalog is not None:
        # Rendering a role whose files failed to load would only repeat those problems.
        problems += check_catalog(catalog)
    return sorted(set(problems))
