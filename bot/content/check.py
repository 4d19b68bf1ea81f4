"""``helpdesk-bot check``: every content rule, each broken rule as a ``file:line`` problem.

Runs what ``/reload`` would refuse (schema, YAML, template syntax) plus what only a full pass
can see: completeness per role x language x topic, rendering with no undefined variable, valid
Telegram HTML within the length limit, no digits in text files, alias collisions, and pay
answers whose figures equal ``facts.yaml``.

Each cause is reported once: a broken template or macro is one problem at its line with the
number of answers it spoils and a few of them (not one line per answer), and a role whose
facts fail their schema is not rendered at all, so one bad figure is one problem.
"""

from __future__ import annotations

import re
import traceback
import unicodedata
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, UndefinedError

from bot.content import formatting as fmt
from bot.content.answers import TOPIC_TEMPLATES
from bot.content.catalog import LANGS, TOPICS, Catalog, load_content, placeholders
from bot.content.facts_schema import label_keys, validate
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


SHOWN_ANSWERS = 3  # answers named in a problem many answers share; the rest are counted


class _Findings:
    """Problems found while rendering every answer, one per cause.

    A broken template or macro fails every answer that uses it (5 languages x 12 topics x 5
    roles); the admin needs its line once, with how many answers it breaks and a few of them.
    """

    def __init__(self) -> None:
        self._answers: dict[tuple[str, int, str], list[str]] = {}

    def add(self, file: str, line: int, message: str, answer: str) -> None:
        """Record that ``answer`` shows the problem ``message`` caused at ``file:line``."""
        answers = self._answers.setdefault((file, line, message), [])
        if answer not in answers:  # two bad tags on one line spoil an answer once
            answers.append(answer)

    def problems(self) -> list[Problem]:
        """One problem per cause, naming the answers it spoils."""
        out: list[Problem] = []
        for (file, line, message), answers in self._answers.items():
            if len(answers) == 1:
                where = f"in {answers[0]}"
            else:
                where = f"in {len(answers)} answers: {', '.join(answers[:SHOWN_ANSWERS])}"
                if len(answers) > SHOWN_ANSWERS:
                    where += f" and {len(answers) - SHOWN_ANSWERS} more"
            out.append(Problem(file, line, f"{message} ({where})"))
        return out


def _template_line(exc: BaseException, catalog: Catalog,
                   fallback: tuple[str, int]) -> tuple[str, int]:
    """Template file and line of an exception raised while rendering (Jinja rewrites frames);
    ``fallback`` when it was raised before any template ran (building the answer's data)."""
    found = fallback
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            found = (_display(Path(frame.filename), catalog.content_dir), frame.lineno or 0)
    return found


def _display(path: Path, content_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(content_dir.resolve().parent))
    except ValueError:
        return str(path)


def _render(catalog: Catalog, what: str, where: tuple[str, int], found: _Findings, fn: Any,
            *args: str) -> list[str] | None:
    try:
        messages: list[str] = fn(*args)
    except TemplateSyntaxError:
        return None  # load_content reports each template's syntax error once, at its line
    except UndefinedError as exc:
        file, line = _template_line(exc, catalog, where)
        found.add(file, line, f"undefined variable: {exc.message}", what)
        return None
    except Exception as exc:  # a template can raise anything; check reports, never crashes
        file, line = _template_line(exc, catalog, where)
        found.add(file, line, f"cannot render: {type(exc).__name__}: {exc}", what)
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
            return display, 1
        for n, line in enumerate(lines, start=1):
            if f"<{m.group(1)}" in line:
                return display, n
    return display, 1


_OFFSET = re.compile(r" ?\(offset \d+\)| at offset \d+")


def _check_messages(catalog: Catalog, messages: list[str], what: str, template: str,
                    where: tuple[str, int], found: _Findings,
                    one_message: bool = False) -> None:
    if one_message and len(messages) != 1:
        found.add(where[0], where[1], "the answer does not fit one message", what)
    for i, msg in enumerate(messages, start=1):
        part = what if len(messages) == 1 else f"{what} message {i}"
        for err in validate_html(msg):
            file, line = _html_culprit(catalog, template, err)
            # Offsets differ from answer to answer; the cause (tag, line) is the same.
            found.add(file, line, f"invalid Telegram HTML: {_OFFSET.sub('', err)}", part)
        n = text_length(msg)
        if n > MAX_MESSAGE_LENGTH:
            found.add(where[0], where[1], f"a message is longer than {MAX_MESSAGE_LENGTH} "
                                          "characters", f"{part}: {n}")


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


def _literal_in_templates(catalog: Catalog, numbers: list[int]) -> tuple[str, int] | None:
    """The template line that writes one of ``numbers`` itself, if any does."""
    pattern = re.compile(r"(?<!\d)(?:" + "|".join(str(n) for n in numbers) + r")(?!\d)")
    for path in sorted((catalog.content_dir / "templates").glob("*.j2")):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for n, text in enumerate(lines, start=1):
            if pattern.search(text):
                return _display(path, catalog.content_dir), n
    return None


def _check_pay_figures(catalog: Catalog, role: str, lang: str, messages: list[str],
                       what: str, where: tuple[str, int], found: _Findings) -> None:
    facts = catalog.facts(role)
    allowed, required = _pay_numbers(facts)
    source = catalog.source_line(role, lang)
    text = _no_marks("\n".join(plain_text(m) for m in messages)).replace(_no_marks(source), "")
    numbers = numbers_in(text)
    strays = sorted({n for n in numbers if n not in allowed})
    if strays:
        # A figure typed into a template is the template's fault, in every role's answer.
        file, line = _literal_in_templates(catalog, strays) or where
        found.add(file, line, f"the pay answer shows figures not in facts.yaml: {strays}",
                  what)
    missing = sorted(required - set(numbers))
    if missing:
        found.add(where[0], where[1], f"the pay answer lacks the facts figures {missing}", what)


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

    found = _Findings()
    renderable = [rid for rid in catalog.role_ids if _facts_valid(catalog, rid)]
    for rid in renderable:
        _check_answers(catalog, rid, found)
    compare = catalog.content_dir / "templates" / "compare.html.j2"
    compare_where = (_display(compare, catalog.content_dir), 1)
    for lang in LANGS:
        for i, a in enumerate(renderable):
            for b in renderable[i + 1:]:
                what = f"compare {a}/{b}/{lang}"
                msgs = _render(catalog, what, compare_where, found, catalog.render_compare,
                               a, b, lang)
                if msgs is not None:
                    _check_messages(catalog, msgs, what, "compare.html.j2", compare_where,
                                    found, one_message=True)
    problems += found.problems()
    problems += _check_ui(catalog)
    return problems


def _facts_valid(catalog: Catalog, rid: str) -> bool:
    """Whether a role's facts passed their schema. Loading has reported what is wrong with
    them; rendering answers from a bad figure would only repeat it once per answer."""
    doc = catalog.role(rid).facts_doc
    if doc is None:
        return False
    bad: list[Problem] = []
    validate(doc, rid, bad)
    return not bad


def _check_answers(catalog: Catalog, rid: str, found: _Findings) -> None:
    """Render every answer of a role in every language and check what users would get."""
    role = catalog.role(rid)
    assert role.facts_doc is not None  # _facts_valid
    pay_where = (role.facts_doc.display, role.facts_doc.line("pay"))
    for lang in LANGS:
        text = role.texts.get(lang)
        for topic in TOPICS:
            what = f"{rid}/{topic}/{lang}"
            where = (text.doc.display, text.doc.line("topics", topic)) if text else pay_where
            msgs = _render(catalog, what, where, found, catalog.render_topic, rid, topic, lang)
            if msgs is None:
                continue
            tt = catalog.topic_text(rid, topic, lang)
            template = ("unavailable.html.j2" if tt is None or tt.unavailable
                        else TOPIC_TEMPLATES.get(topic, "topic.html.j2"))
            _check_messages(catalog, msgs, what, template, where, found)
            if topic == "salary" and catalog.topic_available(rid, topic, lang):
                _check_pay_figures(catalog, rid, lang, msgs, what, pay_where, found)
        if catalog.has_salary_table(rid):
            what = f"{rid}/salary table/{lang}"
            msgs = _render(catalog, what, pay_where, found, catalog.render_salary_table, rid,
                           lang)
            if msgs is not None:
                _check_messages(catalog, msgs, what, "salary_table.html.j2", pay_where, found)
                _check_pay_figures(catalog, rid, lang, msgs, what, pay_where, found)


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
            exists = (catalog.content_dir / "ui" / lang / f"{area}.yaml").is_file()
            problems.append(Problem(f"{ui_dir}/{area}.yaml", 1 if exists else 0,
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
