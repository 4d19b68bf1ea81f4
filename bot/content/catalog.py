"""Load ``content/`` (roles, facts, UI strings, templates) into an immutable ``Catalog``.

Loading is strict about what is there (malformed YAML, wrong types, unknown keys: a
``ContentError`` listing every problem as ``file:line``) and lenient about what is missing
(a missing language or topic falls back to English), so half-written content still serves.
Completeness is the job of ``helpdesk-bot check`` (``bot.content.check``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError, TemplateSyntaxError

from bot.constants import INTENTS, TOPIC_INTENTS
from bot.content import answers, render
from bot.content import details as details_text
from bot.content import formatting as fmt
from bot.content.model import Role, RoleText, TopicText
from bot.content.yamlsrc import YamlDoc, load_yaml
from bot.problems import ContentError, Problem

log = logging.getLogger(__name__)

LANGS: tuple[str, ...] = ("en", "nb", "nn", "lv", "fa")
TOPICS: tuple[str, ...] = (
    "overview", "duties", "salary", "skills", "interview", "education",
    "career", "workplace", "qualities", "tools", "certifications", "outlook",
)
FALLBACK_LANG = "en"
# SPEC.md order, used when present; other roles follow alphabetically.
ROLE_ORDER = (
    "ict-service-technician", "it-project-manager", "user-support-specialist",
    "helpdesk-specialist", "it-service-manager",
)
PAY_KINDS = ("table", "range", "levels", "none")
_ROLE_KEYS = {"name", "aliases", "topics", "labels", "details", "briefs"}
_TOPIC_KEYS = {"text", "general", "unavailable", "see_also"}


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base.parent))
    except ValueError:
        return str(path)


def _flatten(data: Any, prefix: str, out: dict[str, str], lines: dict[str, tuple[str, int]],
             doc: YamlDoc, path: tuple[str | int, ...], problems: list[Problem]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out, lines, doc,
                     (*path, key), problems)
    elif isinstance(data, str):
        out[prefix] = data
        lines[prefix] = (doc.display, doc.line(*path))
    else:
        problems.append(doc.problem(f"UI string {prefix!r} must be text", *path))


def placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders of a UI string."""
    names: set[str] = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name:
            names.add(name.split(".")[0].split("[")[0])
    return names


def _lang(lang: str) -> str:
    """An unsupported language code renders in English rather than failing."""
    return lang if lang in LANGS else FALLBACK_LANG


class Catalog:
    """Everything the bot says, loaded from ``content/``; immutable once built."""

    def __init__(self, content_dir: Path, roles: dict[str, Role],
                 ui: dict[str, dict[str, str]], ui_lines: dict[str, dict[str, tuple[str, int]]],
                 env: Environment, version: str,
                 details: dict[str, str] | None = None) -> None:
        self.content_dir = content_dir
        self._roles = roles
        self._ui = ui
        self.ui_lines = ui_lines
        self.env = env
        self.version = version
        self.role_ids: tuple[str, ...] = tuple(roles)
        self.languages: tuple[str, ...] = LANGS
        self.topics: tuple[str, ...] = TOPICS
        # content/details.yaml: detail id ("workplace.remote") -> what it asks, for editors.
        self.details: dict[str, str] = details or {}
        self._cache: dict[tuple[str, ...], list[str]] = {}

    # ------------------------------------------------------------------ lookups

    def role(self, role: str) -> Role:
        """The loaded role (KeyError for an unknown id)."""
        return self._roles[role]

    def role_text(self, role: str, lang: str) -> RoleText | None:
        """The role's text in ``lang``, else English, else any language; None if it has none."""
        texts = self._roles[role].texts
        return texts.get(lang) or texts.get(FALLBACK_LANG) or next(iter(texts.values()), None)

    def role_name(self, role: str, lang: str) -> str:
        """Display name of the role in ``lang``."""
        text = self.role_text(role, lang)
        return text.name if text else role

    def intent_name(self, intent: str, lang: str) -> str:
        """An intent as admins read it in ``lang``: a topic's name, or the meta intent's; an id
        the UI does not name (an old counter's) as it is."""
        if intent not in INTENTS:
            return intent
        area = "bot.topic" if intent in TOPIC_INTENTS else "admin.intent"
        return self.ui(lang, f"{area}.{intent}").replace("**", "").strip()

    def aliases(self) -> dict[str, dict[str, list[str]]]:
        """role -> lang -> aliases (the display name included)."""
        out: dict[str, dict[str, list[str]]] = {}
        for rid, role in self._roles.items():
            out[rid] = {}
            for lang, text in role.texts.items():
                seen: list[str] = []
                for alias in (text.name, *text.aliases):
                    if alias not in seen:
                        seen.append(alias)
                out[rid][lang] = seen
        return out

    def ladder(self, role: str) -> tuple[str, ...]:
        """The keys of the role's career ladder, lowest step first (none without one)."""
        return tuple(s["key"] for s in self._roles[role].facts.get("career_ladder") or []
                     if isinstance(s, dict) and isinstance(s.get("key"), str))

    def step_names(self) -> dict[str, dict[str, list[str]]]:
        """role -> step key -> the names of that step of its career ladder, in every language
        (a step such as "user services manager" names that role's career, not another role)."""
        out: dict[str, dict[str, list[str]]] = {}
        for rid, role in self._roles.items():
            keys = self.ladder(rid)
            out[rid] = {key: [name for text in role.texts.values()
                              if f"career.{key}" in text.labels
                              for name in _step_names(text.labels[f"career.{key}"])]
                        for key in keys}
        return out

    def countries(self) -> dict[str, str | None]:
        """role -> the country its source describes (norway, latvia, iran), or None."""
        out: dict[str, str | None] = {}
        for rid, role in self._roles.items():
            country = role.facts.get("country")
            out[rid] = country if isinstance(country, str) else None
        return out

    def facts(self, role: str) -> dict[str, Any]:
        """The role's ``facts.yaml`` as data."""
        return self._roles[role].facts

    def label(self, role: str, key: str, lang: str) -> str:
        """A label (``career.<key>``, ``skills.<key>``) in ``lang``, falling back to English."""
        for candidate in (lang, FALLBACK_LANG):
            text = self._roles[role].texts.get(candidate)
            if text and key in text.labels:
                return text.labels[key]
        return key.split(".", 1)[-1].replace("_", " ")

    def topic_text(self, role: str, topic: str, lang: str) -> TopicText | None:
        """The topic in ``lang`` (English when that language lacks it)."""
        for candidate in (lang, FALLBACK_LANG):
            text = self._roles[role].texts.get(candidate)
            if text and topic in text.topics:
                return text.topics[topic]
        return None

    def topic_available(self, role: str, topic: str, lang: str) -> bool:
        """True when the topic has a real answer (not ``unavailable``)."""
        if role not in self._roles:
            return False
        t = self.topic_text(role, topic, lang)
        return t is not None and t.unavailable is None

    def see_also(self, role: str, topic: str, lang: str) -> tuple[str, ...]:
        """Topics offered instead of an unavailable one."""
        t = self.topic_text(role, topic, lang)
        return t.see_also if t else ()

    def ui(self, lang: str, key: str, **values: object) -> str:
        """A UI string (``"area.key"``) in ``lang`` (English fallback), ``{name}`` filled in."""
        template = self._ui.get(lang, {}).get(key)
        if template is None:
            template = self._ui.get(FALLBACK_LANG, {}).get(key)
        if template is None:
            log.warning("missing UI string %s", key)
            return key
        if not values:
            return template
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            log.warning("UI string %s/%s cannot be formatted: %s", lang, key, exc)
            return template

    def detail_text(self, role: str, detail: str, lang: str) -> str | None:
        """A detail's answer in ``lang`` (English fallback), figures filled in; None when the
        role's source says nothing about it."""
        facts = self._roles[role].facts
        if detail not in (facts.get("details") or {}):
            return None
        for candidate in (lang, FALLBACK_LANG):
            text = self._roles[role].texts.get(candidate)
            if text and detail in text.details:
                return details_text.fill(text.details[detail], facts, detail, candidate)
        return None

    def brief(self, role: str, topic: str, lang: str) -> str | None:
        """The role's one-line answer on a topic (for questions across all roles)."""
        for candidate in (lang, FALLBACK_LANG):
            text = self._roles[role].texts.get(candidate)
            if text and topic in text.briefs:
                return text.briefs[topic]
        return None

    def has_ui(self, lang: str, key: str) -> bool:
        """Whether ``lang`` itself defines ``key`` (no fallback)."""
        return key in self._ui.get(lang, {})

    def ui_keys(self, lang: str) -> set[str]:
        """All UI keys defined in ``lang``."""
        return set(self._ui.get(lang, {}))

    # ------------------------------------------------------------------ rendering

    def render_topic(self, role: str, topic: str, lang: str) -> list[str]:
        """One topic as Telegram HTML messages (each within 4096 characters)."""
        lang = _lang(lang)
        return self._cached(("topic", role, topic, lang),
                            lambda: answers.render_topic(self, role, topic, lang))

    def render_salary_table(self, role: str, lang: str) -> list[str]:
        """The full pay table (for ``table`` pay); the summary for other kinds."""
        lang = _lang(lang)
        return self._cached(("salary_table", role, lang),
                            lambda: answers.render_salary_table(self, role, lang))

    def has_salary_table(self, role: str) -> bool:
        """Whether the role has a full pay table to offer."""
        pay = self.facts(role).get("pay")
        return isinstance(pay, dict) and pay.get("kind") == "table"

    def render_compare(self, role_a: str, role_b: str, lang: str) -> list[str]:
        """Two roles side by side, one message."""
        lang = _lang(lang)
        return self._cached(("compare", role_a, role_b, lang),
                            lambda: answers.render_compare(self, role_a, role_b, lang))

    def career_steps(self, role: str, lang: str) -> list[dict[str, Any]]:
        """The role's career ladder in ``lang``: each step's key, number, label, description
        and duration (as the career page shows them)."""
        return answers.ladder_context(self, role, _lang(lang))

    def source_line(self, role: str, lang: str) -> str:
        """The plain-text source line of a role."""
        lang = _lang(lang)
        return answers.source_text(self, role, lang)

    def _cached(self, key: tuple[str, ...], build: Callable[[], list[str]]) -> list[str]:
        hit = self._cache.get(key)
        if hit is None:
            hit = build()
            self._cache[key] = hit
        return list(hit)


def _step_names(label: str) -> list[str]:
    """A step's label and, for "IT Service Desk-leder (IT Service Desk Manager)", each name
    apart: the local one and the source's own title. A bracket with an abbreviation in it
    ("(CIO)", "(Chief Information Officer, CIO)") explains the label: it stays one name."""
    outer, _, inner = label.partition(" (")
    if inner.endswith(")") and len(inner.split()) >= 2 and "," not in inner:
        return [label, outer, inner[:-1]]
    return [label]


# ---------------------------------------------------------------------- loading


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _load_role_text(doc: YamlDoc, lang: str, problems: list[Problem]) -> RoleText | None:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem("expected a mapping with name, aliases, topics, labels"))
        return None
    ok = True
    for key in data:
        if key not in _ROLE_KEYS:
            problems.append(doc.problem(f"unknown key {key!r}", key))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(doc.problem("'name' must be a non-empty text", "name"))
        ok = False
    details = _text_map(doc, data, "details", problems)
    briefs = _text_map(doc, data, "briefs", problems)
    for topic in briefs:
        if topic not in TOPICS:
            problems.append(doc.problem(f"unknown topic {topic!r}", "briefs", topic))
    aliases = data.get("aliases", [])
    if not _str_list(aliases):
        problems.append(doc.problem("'aliases' must be a list of non-empty texts", "aliases"))
        aliases = []
    labels = data.get("labels", {}) or {}
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        problems.append(doc.problem("'labels' must map keys to texts", "labels"))
        labels = {}
    topics_raw = data.get("topics", {})
    topics: dict[str, TopicText] = {}
    if not isinstance(topics_raw, dict):
        problems.append(doc.problem("'topics' must be a mapping of topic ids", "topics"))
        topics_raw = {}
    for tid, body in topics_raw.items():
        if tid not in TOPICS:
            problems.append(doc.problem(f"unknown topic {tid!r}", "topics", tid))
            continue
        if not isinstance(body, dict):
            problems.append(doc.problem("a topic must be a mapping (text: ...)", "topics", tid))
            continue
        for key in body:
            if key not in _TOPIC_KEYS:
                problems.append(doc.problem(f"unknown key {key!r}", "topics", tid, key))
        text = body.get("text")
        unavailable = body.get("unavailable")
        see_also = body.get("see_also", [])
        general = body.get("general", False)
        if text is not None and (not isinstance(text, str) or not text.strip()):
            problems.append(doc.problem("'text' must be non-empty text", "topics", tid, "text"))
            text = None
        if unavailable is not None and (not isinstance(unavailable, str)
                                        or not unavailable.strip()):
            problems.append(doc.problem("'unavailable' must be a reason (text)",
                                        "topics", tid, "unavailable"))
            unavailable = None
        if (text is None) == (unavailable is None):
            problems.append(doc.problem("a topic needs exactly one of 'text' or 'unavailable'",
                                        "topics", tid))
            continue
        if not isinstance(general, bool):
            problems.append(doc.problem("'general' must be true or false",
                                        "topics", tid, "general"))
            general = False
        if not isinstance(see_also, list) or any(s not in TOPICS for s in see_also):
            problems.append(doc.problem("'see_also' must list topic ids",
                                        "topics", tid, "see_also"))
            see_also = []
        topics[tid] = TopicText(text=text, general=general, unavailable=unavailable,
                                see_also=tuple(see_also))
    if not ok:
        return None
    assert isinstance(name, str)
    return RoleText(lang=lang, name=name.strip(), aliases=tuple(a.strip() for a in aliases),
                    topics=topics, labels={str(k): v for k, v in labels.items()}, doc=doc,
                    details=details, briefs=briefs)


def _text_map(doc: YamlDoc, data: dict[str, Any], key: str, problems: list[Problem]
              ) -> dict[str, str]:
    """An optional mapping of ids to non-empty texts (``details``, ``briefs``)."""
    raw = data.get(key)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(doc.problem(f"'{key}' must map ids to texts", key))
        return {}
    out: dict[str, str] = {}
    for name, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            problems.append(doc.problem("expected a non-empty text", key, name))
            continue
        out[str(name)] = " ".join(text.split())
    return out


def load_details(content_dir: Path, problems: list[Problem]) -> dict[str, str]:
    """``content/details.yaml``: detail id -> what it asks (ids are ``<topic>.<name>``)."""
    path = content_dir / "details.yaml"
    if not path.is_file():
        return {}
    doc = load_yaml(path, _rel(path, content_dir), problems)
    if doc is None or doc.data is None:
        return {}
    if not isinstance(doc.data, dict):
        problems.append(doc.problem("expected a mapping of detail ids to descriptions"))
        return {}
    out: dict[str, str] = {}
    for detail, about in doc.data.items():
        topic, dot, name = str(detail).partition(".")
        if topic not in TOPICS or not dot or not name:
            problems.append(doc.problem(f"{detail!r}: an id is <topic>.<name> with a topic id",
                                        detail))
            continue
        if not isinstance(about, str) or not about.strip():
            problems.append(doc.problem("describe what the detail asks", detail))
            continue
        out[str(detail)] = about.strip()
    return out


def validate_facts(doc: YamlDoc, role_id: str, problems: list[Problem]) -> None:
    """Schema of ``facts.yaml``: source, pay by kind, rated skills, career ladder."""
    from bot.content.facts_schema import validate

    validate(doc, role_id, problems)


def _hash_files(files: list[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(_rel(path, base).encode())
        digest.update(b"\0")
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _compile_templates(env: Environment, templates_dir: Path, base: Path,
                       problems: list[Problem]) -> None:
    for path in sorted(templates_dir.glob("*.j2")):
        try:
            env.get_template(path.name)
        except TemplateSyntaxError as exc:
            problems.append(Problem(_rel(path, base), exc.lineno or 0,
                                    f"template syntax error: {exc.message}"))
        except TemplateError as exc:
            problems.append(Problem(_rel(path, base), 0, f"template error: {exc}"))


def load_content(content_dir: Path) -> tuple[Catalog | None, list[Problem]]:
    """Load what can be loaded and return every problem found (the checker's entry point)."""
    content_dir = Path(content_dir)
    base = content_dir
    problems: list[Problem] = []
    if not content_dir.is_dir():
        return None, [Problem(str(content_dir), 0, "content directory not found")]
    roles_dir = content_dir / "roles"
    files: list[Path] = []
    roles: dict[str, Role] = {}
    role_dirs = sorted(p for p in roles_dir.iterdir() if p.is_dir()) if roles_dir.is_dir() else []
    if not role_dirs:
        problems.append(Problem(_rel(roles_dir, base), 0, "no roles found"))
    for rdir in role_dirs:
        rid = rdir.name
        facts_path = rdir / "facts.yaml"
        facts_doc: YamlDoc | None = None
        if facts_path.is_file():
            files.append(facts_path)
            facts_doc = load_yaml(facts_path, _rel(facts_path, base), problems)
            if facts_doc is not None:
                validate_facts(facts_doc, rid, problems)
        else:
            problems.append(Problem(_rel(facts_path, base), 0, "facts.yaml is missing"))
        facts = facts_doc.data if facts_doc and isinstance(facts_doc.data, dict) else {}
        role = Role(id=rid, facts=facts, facts_doc=facts_doc)
        for path in sorted(rdir.glob("*.yaml")):
            if path.name == "facts.yaml":
                continue
            files.append(path)
            lang = path.stem
            if lang not in LANGS:
                problems.append(Problem(_rel(path, base), 0,
                                        f"unknown language {lang!r} (expected one of "
                                        f"{', '.join(LANGS)})"))
                continue
            doc = load_yaml(path, _rel(path, base), problems)
            if doc is None:
                continue
            text = _load_role_text(doc, lang, problems)
            if text is not None:
                role.texts[lang] = text
        roles[rid] = role
    ordered = {rid: roles[rid] for rid in ROLE_ORDER if rid in roles}
    ordered.update({rid: r for rid, r in roles.items() if rid not in ordered})

    ui: dict[str, dict[str, str]] = {}
    ui_lines: dict[str, dict[str, tuple[str, int]]] = {}
    ui_dir = content_dir / "ui"
    for lang_dir in sorted(ui_dir.iterdir()) if ui_dir.is_dir() else []:
        if not lang_dir.is_dir():
            continue
        lang = lang_dir.name
        if lang not in LANGS:
            problems.append(Problem(_rel(lang_dir, base), 0, f"unknown language {lang!r}"))
            continue
        strings: dict[str, str] = {}
        lines: dict[str, tuple[str, int]] = {}
        for path in sorted(lang_dir.glob("*.yaml")):
            files.append(path)
            doc = load_yaml(path, _rel(path, base), problems)
            if doc is None or doc.data is None:
                continue
            if not isinstance(doc.data, dict):
                problems.append(doc.problem("a UI file must be a mapping of keys to texts"))
                continue
            _flatten(doc.data, path.stem, strings, lines, doc, (), problems)
        ui[lang] = strings
        ui_lines[lang] = lines

    templates_dir = content_dir / "templates"
    files.extend(sorted(templates_dir.glob("*.j2")))
    env = render.make_environment(templates_dir)
    env.globals["fmt"] = fmt
    _compile_templates(env, templates_dir, base, problems)
    details = load_details(content_dir, problems)
    if (content_dir / "details.yaml").is_file():
        files.append(content_dir / "details.yaml")
    version = _hash_files(files, base)
    return Catalog(content_dir, ordered, ui, ui_lines, env, version, details), problems


def load_catalog(content_dir: Path) -> Catalog:
    """Load ``content_dir``; raise ``ContentError`` with every problem if anything is wrong."""
    catalog, problems = load_content(content_dir)
    if problems or catalog is None:
        raise ContentError(problems or [Problem(str(content_dir), 0, "cannot load content")])
    return catalog
