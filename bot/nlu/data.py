"""Loading and validating ``intents/<lang>/<intent>.yaml`` (Rasa-validator-like problems).

Examples an admin taught from ``/unanswered`` live apart from the hand-written ones, in
``<lang>/<intent>.learned.yaml``: beside them in ``intents/`` when that folder is writable, else
in a learned-examples folder on the data volume (``learned_dir``) that is read together with
``intents/``. Both are read, checked and trained on exactly like the hand-written files.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from bot.constants import INTENTS, LANGUAGES, META_INTENTS, TOPIC_INTENTS
from bot.nlu.lexicon import Lexicons, Term
from bot.nlu.normalize import folded
from bot.problems import ContentError, Problem

MIN_EXAMPLES = {"topic": 30, "meta": 15, "out_of_scope": 60}

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


class AliasSource(Protocol):
    """The part of the content catalog the engine needs (bot.content.catalog.Catalog)."""

    @property
    def role_ids(self) -> tuple[str, ...]: ...

    @property
    def details(self) -> dict[str, str]: ...  # detail id -> what it asks

    def aliases(self) -> dict[str, dict[str, list[str]]]: ...

    def step_names(self) -> dict[str, dict[str, list[str]]]: ...  # role -> step key -> names

    def countries(self) -> dict[str, str | None]: ...  # role -> its source's country


@dataclass(frozen=True)
class Example:
    """One training sentence and where it came from (for file:line problems)."""

    text: str
    intent: str
    lang: str
    file: str
    line: int


LEARNED = ".learned"  # <lang>/<intent>.learned.yaml: examples taught by an admin


def _display(path: Path, intents_dir: Path) -> str:
    try:
        return str(path.relative_to(intents_dir.parent))
    except ValueError:
        return str(path)


def learned_path(folder: Path, lang: str, intent: str) -> Path:
    """Where the examples of ``intent`` taught in ``lang`` are kept under ``folder``."""
    return folder / lang / f"{intent}{LEARNED}.yaml"


def learned_files(intents_dir: Path, learned_dir: Path | None) -> list[Path]:
    """The learned files of a separate ``learned_dir`` (none when it is ``intents_dir`` itself,
    whose own ``*.learned.yaml`` are among its example files anyway)."""
    if learned_dir is None or not learned_dir.is_dir() or _same(learned_dir, intents_dir):
        return []
    return sorted(learned_dir.glob(f"*/*{LEARNED}.yaml"))


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def example_files(intents_dir: Path, learned_dir: Path | None = None) -> list[Path]:
    """The files that hold intent examples: one home for the pattern, which the saved model's
    key must cover exactly."""
    return (sorted(intents_dir.glob("*/*.yaml")) + sorted(intents_dir.glob("*/*.yml"))
            + learned_files(intents_dir, learned_dir))


def read_intents(intents_dir: Path, learned_dir: Path | None = None
                 ) -> tuple[list[Example], list[Problem]]:
    """Every example under ``intents_dir`` (and the learned files of ``learned_dir``) plus the
    problems that stop a file from loading."""
    examples: list[Example] = []
    problems: list[Problem] = []
    if not intents_dir.is_dir():
        return [], [Problem(str(intents_dir), 0, "intents directory not found")]
    global _READ
    separate = set(learned_files(intents_dir, learned_dir))
    known, kept = _READ, {}
    for path in example_files(intents_dir, learned_dir):
        lang = path.parent.name
        shown = _display(path, learned_dir if path in separate and learned_dir else intents_dir)
        if lang not in LANGUAGES:
            problems.append(Problem(shown, 0, f"unknown language folder {lang!r}"))
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(shown, 0, f"cannot read: {exc}"))
            continue
        key = (shown, path.stem, data)  # the folder is in ``shown``, the stem may not be
        found = known.get(key)
        if found is None:
            found = _read_file(data, lang, shown, path.stem.removesuffix(LEARNED))
        kept[key] = found
        examples.extend(found[0])
        problems.extend(found[1])
    _READ = kept
    return examples, problems


# What each intents file held at the last read, by (shown name, stem, bytes): a reload, its
# checks and the build read every file four times, and an admin's edit changes one of them
# (a teach's staged copy has the same shown names). Holds today's files only (one entry
# each), so memory does not grow.
_READ: dict[tuple[str, str, bytes], tuple[tuple[Example, ...], tuple[Problem, ...]]] = {}


def _read_file(data: bytes, lang: str, shown: str, stem: str
               ) -> tuple[tuple[Example, ...], tuple[Problem, ...]]:
    """The examples of one intents file's bytes and the problems that stop them loading."""
    problems: list[Problem] = []
    try:
        # As ``Path.read_text`` decodes (universal newlines, the same error positions).
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return (), (Problem(shown, line, f"YAML error: {exc.problem or exc}"),)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        return (), (Problem(shown, 0, f"cannot read: {exc}"),)
    found = _examples(node, lang, shown, stem, problems)
    return tuple(found), tuple(problems)


def _examples(
    node: yaml.Node | None, lang: str, shown: str, stem: str, problems: list[Problem]
) -> list[Example]:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(shown, 1, "expected a mapping with 'intent' and 'examples'"))
        return []
    fields = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    intent_node = fields.get("intent")
    if not isinstance(intent_node, yaml.ScalarNode) or not intent_node.value:
        problems.append(Problem(shown, node.start_mark.line + 1, "missing 'intent'"))
        return []
    intent = str(intent_node.value)
    line = intent_node.start_mark.line + 1
    if intent not in INTENTS:
        problems.append(Problem(shown, line, f"unknown intent id {intent!r}"))
        return []
    if intent != stem:
        problems.append(Problem(shown, line, f"intent {intent!r} in a file named {stem!r}"))
    seq = fields.get("examples")
    if not isinstance(seq, yaml.SequenceNode):
        problems.append(Problem(shown, line, "'examples' must be a list"))
        return []
    out: list[Example] = []
    for item in seq.value:
        item_line = item.start_mark.line + 1
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            problems.append(Problem(shown, item_line, "an example must be a non-empty string"))
            continue
        if not item.style and item.end_mark.line > item.start_mark.line and " - " in item.value:
            # "- a\n  - b" is one example "a - b", not two: an indented "- " continues it.
            problems.append(Problem(shown, item_line, "an example runs over several lines "
                                    "(an indented '- ' continues the one above it)"))
            continue
        out.append(Example(str(item.value).strip(), intent, lang, shown, item_line))
    for key, value in fields.items():
        if key not in ("intent", "examples"):
            problems.append(Problem(shown, value.start_mark.line + 1, f"unknown key {key!r}"))
    return out


def load_intents(intents_dir: Path, learned_dir: Path | None = None) -> list[Example]:
    """Examples for training; raises ContentError when a file cannot be read."""
    examples, problems = read_intents(intents_dir, learned_dir)
    if problems:
        raise ContentError(problems)
    if not examples:
        raise ContentError([Problem(str(intents_dir), 0, "no intent examples found")])
    return examples


def _minimum(intent: str) -> int:
    if intent == "out_of_scope":
        return MIN_EXAMPLES["out_of_scope"]
    return MIN_EXAMPLES["topic"] if intent in TOPIC_INTENTS else MIN_EXAMPLES["meta"]


def check_intents(intents_dir: Path, catalog: AliasSource | None,
                  learned_dir: Path | None = None) -> list[Problem]:
    """All problems an admin should fix before the examples are trusted for training."""
    examples, problems = read_intents(intents_dir, learned_dir)
    count: dict[tuple[str, str], int] = defaultdict(int)
    for ex in examples:
        count[(ex.intent, ex.lang)] += 1
    for intent in INTENTS:
        for lang in LANGUAGES:
            shown = _display(intents_dir / lang / f"{intent}.yaml", intents_dir)
            n = count.get((intent, lang), 0)
            if n == 0:
                problems.append(Problem(shown, 0, f"missing: no {lang} examples for {intent!r}"))
            elif n < _minimum(intent):
                problems.append(
                    Problem(shown, 1, f"too few examples: {n} < {_minimum(intent)} for {intent!r}")
                )
    folds = _folded_texts(examples)
    seen: dict[str, Example] = {}
    for ex in examples:
        key = folds[ex.text]
        first = seen.get(key)
        if first is None:
            seen[key] = ex
        elif first.intent != ex.intent:
            problems.append(
                Problem(
                    ex.file,
                    ex.line,
                    f"{ex.text!r} is also an example of {first.intent!r} at "
                    f"{first.file}:{first.line}",
                )
            )
        elif first.lang == ex.lang:
            problems.append(
                Problem(
                    ex.file,
                    ex.line,
                    f"{ex.text!r} duplicates {first.text!r} at {first.file}:{first.line}",
                )
            )
    if catalog is not None:
        problems.extend(_role_only_examples(examples, catalog, folds))
        problems.extend(check_lexicons(intents_dir, catalog, learned_dir))
    return sorted(problems)


# ``folded`` of each example text at the last check (today's texts only): a reload checks
# the same texts again, and folding them was a third of what the check had left to do.
_FOLDED: dict[str, str] = {}


def _folded_texts(examples: list[Example]) -> dict[str, str]:
    """Example text -> ``folded`` of it."""
    global _FOLDED
    known = _FOLDED
    out = {ex.text: known[ex.text] if ex.text in known else folded(ex.text) for ex in examples}
    _FOLDED = out
    return out


MIN_DETAIL_PHRASES = 3
# A detail phrase found in this many examples of other intents, and in more of them than of its
# own topic, is too general: it would pull other questions onto the detail.
GENERIC_PHRASE_HITS = 3


def _generic_detail_phrases(intents_dir: Path, lexicons: Lexicons,
                            learned_dir: Path | None = None) -> list[Problem]:
    global _DETAIL_HITS
    examples, _ = read_intents(intents_dir, learned_dir)
    by_lang: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ex in examples:
        by_lang[ex.lang].append((ex.text, ex.intent))
    known = _DETAIL_HITS[1] if _DETAIL_HITS is not None and _DETAIL_HITS[0] is lexicons else {}
    kept: dict[tuple[str, str], tuple[Term, ...]] = {}
    problems: list[Problem] = []
    for lang, index in lexicons.details.items():
        hits: dict[Term, Counter[str]] = defaultdict(Counter)
        # English phrases apply to every language's messages (users mix English in), so they
        # are checked against every language's examples.
        for source in LANGUAGES if lang == "en" else (lang,):
            for text, intent in by_lang.get(source, []):
                found = kept.get((lang, text))
                if found is None:
                    found = known.get((lang, text))
                    if found is None:
                        found = tuple(hit.term for hit in index.find(folded(text).split()))
                    kept[(lang, text)] = found
                for term in found:
                    hits[term][intent] += 1
        for term, counts in hits.items():
            topic = term.value.split(".", 1)[0]
            other = sum(n for intent, n in counts.items() if intent != topic)
            if other >= GENERIC_PHRASE_HITS and other > counts.get(topic, 0):
                shown = _display(intents_dir / lang / "lexicon" / "details.yaml", intents_dir)
                common = ", ".join(f"{i} {n}" for i, n in counts.most_common(3))
                problems.append(Problem(shown, term.line, f"phrase {' '.join(term.words)!r} of "
                                        f"{term.value!r} is too general: it is in {other} "
                                        f"examples of other intents ({common})"))
    _DETAIL_HITS = (lexicons, kept)
    return problems


# The detail phrases each example text holds, by the language of the phrases, for the last
# lexicons: a reload checks mostly the same examples again. Today's examples only.
_DETAIL_HITS: tuple[Lexicons, dict[tuple[str, str], tuple[Term, ...]]] | None = None


def check_lexicons(intents_dir: Path, catalog: AliasSource,
                   learned_dir: Path | None = None) -> list[Problem]:
    """Lexicon files load; every detail has phrases in every language; no listed job is one of
    our roles (a job title that is also an alias would turn our role away)."""
    from bot.nlu.lexicon import cached_lexicons

    detail_ids = frozenset(catalog.details)
    lexicons, problems = cached_lexicons(intents_dir, detail_ids)
    for lang in LANGUAGES:
        index = lexicons.details.get(lang)
        counts: dict[str, int] = defaultdict(int)
        first: dict[str, int] = {}  # detail -> the line of its first phrase
        for terms in [*(index.exact.values() if index else ()),
                      *(index.stems.values() if index else ())]:
            for term in terms:
                counts[term.value] += 1
                first[term.value] = min(first.get(term.value, term.line), term.line)
        path = intents_dir / lang / "lexicon" / "details.yaml"
        shown = _display(path, intents_dir)
        for detail in sorted(detail_ids):
            if counts.get(detail, 0) < MIN_DETAIL_PHRASES:
                # At its phrases, or the file's top where it has none (0: no file at all).
                line = first.get(detail, 1 if path.is_file() else 0)
                problems.append(Problem(shown, line, f"detail {detail!r} has "
                                        f"{counts.get(detail, 0)} phrases "
                                        f"(need >= {MIN_DETAIL_PHRASES})"))
    problems += _generic_detail_phrases(intents_dir, lexicons, learned_dir)
    return problems + _jobs_that_are_roles(intents_dir, lexicons, catalog)


# The last lexicons and aliases checked by _jobs_that_are_roles and what it found: matching
# every job title against the aliases takes a second, and an edit of examples changes neither.
_JOBS: tuple[Lexicons, str, list[Problem]] | None = None


def _jobs_that_are_roles(intents_dir: Path, lexicons: Lexicons, catalog: AliasSource
                         ) -> list[Problem]:
    """Listed jobs that are one of our roles' aliases."""
    global _JOBS
    from bot.nlu.roles import RoleMatcher

    aliases = catalog.aliases()
    key = json.dumps([str(intents_dir), aliases], sort_keys=True, ensure_ascii=False)
    if _JOBS is not None and _JOBS[0] is lexicons and _JOBS[1] == key:
        return list(_JOBS[2])
    problems: list[Problem] = []
    matcher = RoleMatcher(aliases)
    terms = [t for ts in [*lexicons.occupations.exact.values(),
                          *lexicons.occupations.stems.values()] for t in ts]
    for term in terms:
        words = [w.rstrip("*") for w in term.words]
        found = matcher.find(words)
        if found and found[0].start == 0 and found[0].end == len(words) and found[0].score >= 95:
            shown = _display(intents_dir / term.lang / "lexicon" / "occupations.yaml",
                             intents_dir)
            problems.append(Problem(shown, term.line, f"job {' '.join(term.words)!r} is the "
                                    f"role {found[0].role} (an alias): remove it"))
    _JOBS = (lexicons, key, problems)
    return list(problems)


# What the role check found for each example text under the last set of aliases: a reload or
# a teach checks the same examples again (a teach twice), and matching role names is the slow
# part of the check. One entry, holding today's examples only, so memory does not grow.
_ROLE_ONLY: tuple[str, dict[str, bool]] | None = None


def _role_only_examples(examples: list[Example], catalog: AliasSource,
                        folds: dict[str, str]) -> list[Problem]:
    """A bare role name always means ``overview``; as an example of another intent it misleads."""
    global _ROLE_ONLY
    from bot.nlu.roles import MASK, RoleMatcher, mask

    aliases = catalog.aliases()
    key = hashlib.sha256(json.dumps(aliases, sort_keys=True, ensure_ascii=False).encode()
                         ).hexdigest()
    known = _ROLE_ONLY[1] if _ROLE_ONLY is not None and _ROLE_ONLY[0] == key else {}
    matcher: RoleMatcher | None = None
    found: dict[str, bool] = {}
    problems: list[Problem] = []
    for ex in examples:
        if ex.intent in ("overview", "compare"):
            continue
        words = folds[ex.text].split()
        text = " ".join(words)
        only = found.get(text, known.get(text))
        if only is None:
            matcher = matcher or RoleMatcher(aliases)
            matches = matcher.find(words)
            only = bool(matches) and all(w == MASK for w in mask(words, matches))
        found[text] = only
        if only:
            problems.append(
                Problem(ex.file, ex.line, "only a role name, which always means 'overview'")
            )
    _ROLE_ONLY = (key, found)
    return problems


__all__ = ["LEARNED", "META_INTENTS", "Example", "check_intents", "learned_files", "learned_path",
           "load_intents", "read_intents"]
