"""Turning a :class:`~bot.answer.dialogue.Plan` into a :class:`Reply`: text, buttons, state.

Answers are Telegram HTML. A detail question gets its answer first, in one to three sentences
with the source, and a button to the full topic page; a broad question gets the page. UI
strings are plain text with ``**bold**``; everything else that goes into HTML is escaped here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.answer import actions as act
from bot.answer import pay as pay_text
from bot.answer.dialogue import Plan
from bot.answer.keyboards import (
    CHART_PAY_KINDS,
    Button,
    Rows,
    feedback_row,
    language_rows,
    role_rows,
    topic_rows,
)
from bot.answer.passages import labelled_line
from bot.answer.state import RECENT, ChatState
from bot.constants import LANGUAGES, TOPIC_INTENTS
from bot.logs import quote
from bot.nlu.result import Parse, PaySlice
from bot.textfmt import html_to_text

if TYPE_CHECKING:
    from bot.content.catalog import Catalog

log = logging.getLogger(__name__)

# The currency of a source's pay figures as the source writes it -> its code in the lexicons.
CURRENCY_CODES = {"€": "eur", "kr": "nok"}

BOLD = re.compile(r"\*\*(.+?)\*\*")
MIN_ALTERNATIVE = 0.15  # below this, a reading is not worth a "did you mean" button
INLINE_DESCRIPTION_CHARS = 120
DEEP_LINK_SEPARATOR = "__"


@dataclass
class Reply:
    """What the bot says: HTML messages, buttons under the last one, and what it understood."""

    messages: list[str]
    buttons: Rows
    lang: str
    intent: str
    role: str | None = None
    topic: str | None = None
    confidence: float = 1.0
    fallback: bool = False  # the bot could not answer (stored for /unanswered)
    state: ChatState = field(default_factory=ChatState)
    notice: str | None = None  # a short toast for a button press (answerCallbackQuery)
    kind: str = ""  # the plan's kind: page, detail, pay, cross, other_job, ...
    detail: str | None = None
    roles: tuple[str, ...] = ()  # compare: both roles


@dataclass(frozen=True)
class InlineItem:
    """One inline-mode result: a topic of a role as a single message (no Telegram types)."""

    id: str  # unique in one answer, <= 64 bytes
    title: str
    description: str
    text: str  # Telegram HTML, <= 4096 characters
    role: str
    topic: str
    complete: bool  # False when the full answer needs more than one message
    deep_link: str  # the /start payload that opens the same answer in a private chat


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fill(template: str, values: Mapping[str, object]) -> str:
    """``template`` with its ``{name}`` fields filled in; unfilled (and logged) on a mismatch."""
    if not values:
        return template
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        log.warning("UI string %s cannot be formatted: %s", quote(template), exc)
        return template


def ui_html(template: str, **values: object) -> str:
    """A UI string as safe Telegram HTML: ``**bold**`` becomes bold, the rest is escaped.

    The values go in last, escaped: they are often the user's own words ("I don't know the role
    ..."), and markup made before they are in cannot come from them, so a user's ``**x**``
    or ``<b>`` stays text.
    """
    markup = BOLD.sub(r"<b>\1</b>", escape(template.strip()))
    return fill(markup, {name: escape(str(value)) for name, value in values.items()})


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text`` on one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def deep_link_payload(role: str, topic: str = "overview") -> str:
    """The ``/start`` payload for a role (and topic), within Telegram's character set."""
    return role if topic == "overview" else f"{role}{DEEP_LINK_SEPARATOR}{topic}"


def _first_sentence(text: str) -> str:
    match = re.search(r"(?<=[.!?؟])\s", text)
    return text[:match.start()] if match else text


class Composer:
    """Builds the replies of one turn: the catalogue, the chat state and the reply language."""

    def __init__(self, catalog: Catalog, state: ChatState, lang: str, *,
                 charts: bool = False) -> None:
        self.catalog = catalog
        self.state = state
        self.lang = lang if lang in LANGUAGES else "en"
        self.charts = charts

    # ------------------------------------------------------------------ helpers

    def t(self, key: str, **values: object) -> str:
        """A UI string in the reply language, plain text."""
        return self.catalog.ui(self.lang, key, **values)

    def h(self, key: str, **values: object) -> str:
        """A UI string in the reply language as HTML (values go in escaped, after the markup)."""
        return ui_html(self.t(key), **values)

    def name(self, role: str) -> str:
        return self.catalog.role_name(role, self.lang)

    def reply(self, messages: list[str], buttons: Rows | None = None, *, intent: str,
              role: str | None = None, topic: str | None = None, confidence: float = 1.0,
              fallback: bool = False, kind: str = "", detail: str | None = None) -> Reply:
        return Reply(messages=messages, buttons=buttons or [], lang=self.lang, intent=intent,
                     role=role, topic=topic, confidence=confidence, fallback=fallback,
                     state=self.state, kind=kind, detail=detail)

    def remember(self, plan: Plan) -> None:
        """The answered question becomes the chat's context for follow-ups."""
        self.state.last_role = plan.role
        self.state.last_topic = plan.topic
        self.state.last_detail = plan.detail
        self.state.last_pay = plan.pay
        self.state.last_kind = plan.kind
        self.state.last_other = next((r for r in plan.roles[:2] if r != plan.role), None)
        if len(plan.roles) == 2:
            self.state.pair = plan.roles
        elif plan.role not in self.state.pair:
            self.state.pair = ()
        named = [r for r in (plan.role, *plan.roles) if r]
        self.state.recent = tuple(dict.fromkeys([*named, *self.state.recent]))[:RECENT]

    def roles(self) -> tuple[str, ...]:
        return self.catalog.role_ids

    def role_buttons(self) -> Rows:
        return role_rows(self.roles(), self.name)

    def chart(self, role: str, topic: str) -> act.ShowChart | None:
        """A chart of the pay figures or a picture of the career ladder, where there is one."""
        if not self.charts:
            return None
        facts = self.catalog.facts(role)
        pay = facts.get("pay")
        if topic == "salary" and isinstance(pay, dict) and pay.get("kind") in CHART_PAY_KINDS:
            return act.ShowChart("pay", role)
        if topic == "career" and facts.get("career_ladder"):
            return act.ShowChart("career", role)
        return None

    def keyboard(self, role: str, topic: str, *, page_first: bool = False) -> Rows:
        return topic_rows(role, topic, self.t, page_first=page_first,
                          pay_table=topic == "salary" and self.catalog.has_salary_table(role),
                          chart=self.chart(role, topic))

    def source(self, role: str) -> str:
        return escape(self.catalog.source_line(role, self.lang))

    def country_note(self, plan: Plan) -> str | None:
        """"Our source from Latvia is about ..." or "... is from Iran, not Norway"."""
        if plan.country is None or plan.role is None:
            return None
        country = self.t(f"answers.country.{plan.country}")
        home = self.catalog.facts(plan.role).get("country")
        if home == plan.country:
            return self.h("dialogue.country_note", country=country, role=self.name(plan.role))
        if home is None:
            return self.h("dialogue.country_none", country=country, role=self.name(plan.role))
        return self.h("dialogue.country_other", country=country, role=self.name(plan.role),
                      home=self.t(f"answers.country.{home}"))

    def short_answer(self, plan: Plan, title: str, lines: list[str], *,
                     source: bool = True) -> Reply:
        """A detail or pay answer: title, the answer, the source (unless the answer is the
        source line itself); the full page one tap away."""
        assert plan.role is not None and plan.topic is not None
        self.remember(plan)
        parts = [f"<b>{escape(title)}</b>"]
        note = self.country_note(plan)
        if note:
            parts.append(note)
        parts.append("\n".join(lines))
        if source:
            parts.append(f"<i>{self.source(plan.role)}</i>")
        return self.reply(["\n\n".join(parts)],
                          self.keyboard(plan.role, plan.topic, page_first=True),
                          intent=plan.topic, role=plan.role, topic=plan.topic, kind=plan.kind,
                          detail=plan.detail)

    # ------------------------------------------------------------------ answers

    def answer(self, plan: Plan, parse: Parse | None = None) -> Reply:
        """The reply for a plan (``parse`` for "did you mean" and the fallback's confidence)."""
        kind = plan.kind
        confidence = parse.confidence if parse else 1.0
        last = self.state.last_topic
        if kind == "detail" and parse is not None and parse.follow_up and plan.role \
                and plan.role == self.state.last_role and last in TOPIC_INTENTS \
                and last != plan.topic:
            # "and for collaboration in the team?" after the tools: a line of the tools page
            # that it names answers it before a detail of another topic does.
            back = Plan("page", role=plan.role, topic=last)
            found = self.passage(back, parse)
            if found:
                plan, kind = back, "page"
        else:
            found = None
        if kind == "page":
            assert plan.role and plan.topic
            line = found or (self.passage(plan, parse) if parse is not None else None)
            reply = self.short_answer(replace(plan, kind="passage"), self.topic_title(plan),
                                      [escape(line)]) if line else \
                self.page(plan.role, plan.topic, plan)
        elif kind == "detail":
            reply = self.detail(plan)
        elif kind == "pay":
            reply = self.pay(plan)
        elif kind == "step":
            reply = self.step(plan)
        elif kind == "cross":
            reply = self.cross(plan)
        elif kind == "compare":
            reply = self.compare(plan.roles, plan.topic, plan.pay)
        elif kind == "which_role":
            reply = self.which_role(plan)
        elif kind == "other_job":
            reply = self.other_job(plan.occupation or "")
        elif kind == "foreign":
            reply = self.foreign()
        elif kind == "did_you_mean" and parse is not None:
            reply = self.did_you_mean(parse)
        elif kind in ("greeting", "help"):
            reply = self.welcome(kind)
        elif kind == "roles":
            reply = self.role_list()
        elif kind == "language":
            reply = self.language_menu() if not parse or not parse.named_language \
                else self.set_language(parse.named_language)
        elif kind in ("thanks", "goodbye"):
            reply = self.reply([self.h(f"bot.{kind}")], intent=kind, kind=kind)
        else:
            reply = self.fallback(understood_as_other=kind == "fallback", confidence=confidence)
        if kind in ("page", "detail", "pay", "step"):  # a page may have become a passage
            reply.confidence = confidence
        return reply

    def page(self, role: str, topic: str, plan: Plan | None = None) -> Reply:
        """The full topic page (a broad question, or the button under a short answer)."""
        self.remember(plan if plan is not None and plan.kind == "page"
                      else Plan("page", role=role, topic=topic))
        messages = self.catalog.render_topic(role, topic, self.lang)
        note = self.country_note(plan) if plan else None
        if note:
            messages = [note + "\n\n" + messages[0], *messages[1:]]
        return self.reply(messages, self.keyboard(role, topic), intent=topic, role=role,
                          topic=topic, kind="page")

    def detail(self, plan: Plan) -> Reply:
        assert plan.role and plan.detail
        topic, _, name = plan.detail.partition(".")
        if plan.detail == "salary.gender_gap":
            pay = self.catalog.facts(plan.role).get("pay") or {}
            if pay.get("kind") == "table":
                return self.pay(Plan("pay", role=plan.role, topic="salary", pay=plan.pay,
                                     country=plan.country), gender_gap=True)
        title = f"{self.name(plan.role)}: {self.t(f'details.{topic}.{name}.label')}"
        text = self.catalog.detail_text(plan.role, plan.detail, self.lang)
        if plan.detail == "overview.source":
            # Every role has a source: its line, and when it was checked where the seed says.
            dated = self.catalog.detail_text(plan.role, "overview.source_date", self.lang)
            text = " ".join(x for x in (self.catalog.source_line(plan.role, self.lang), dated)
                            if x)
        if text is None:
            line = self.h("dialogue.not_in_source",
                          question=self.t(f"details.{topic}.{name}.question"))
            brief = self.catalog.brief(plan.role, topic, self.lang)
            if brief:
                # What the source says on that topic instead, in one line: "how do people
                # move up?" is answered, though not in years.
                line += "\n" + self.h("dialogue.source_says", brief=brief)
            plan = Plan("detail", role=plan.role, topic=topic, detail=plan.detail,
                        pay=plan.pay, country=plan.country)
            return self.short_answer(plan, title, [line])
        lines = [escape(text)]
        assert plan.role
        given = (self.catalog.facts(plan.role).get("pay") or {}).get("currency")
        asked = plan.currency if plan.detail == "salary.currency" else None
        if asked and given and CURRENCY_CODES.get(given) != asked:
            # "what is that in Norwegian kroner?" of pay in euros: say first there is no
            # conversion, then which currency the source uses.
            lines.insert(0, self.h("dialogue.no_conversion", given=given,
                                   asked=self.t(f"dialogue.currency.{asked}")))
        if plan.amount and not any(c.isdigit() for c in text):
            # "what share works from home?": say first that the source gives no number.
            lines.insert(0, self.h("dialogue.no_number"))
        return self.short_answer(plan, title, lines, source=plan.detail != "overview.source")

    def passage(self, plan: Plan, parse: Parse) -> str | None:
        """The labelled line of the page that a narrower question names ("what do they use
        for monitoring?"), or None: the whole page (see :mod:`bot.answer.passages`)."""
        assert plan.role and plan.topic
        if parse.broad or parse.role_only:
            return None
        topic = self.catalog.topic_text(plan.role, plan.topic, self.lang)
        if topic is None or not topic.text:
            return None
        return labelled_line(topic.text, parse.masked.split(), self.lang)

    def topic_title(self, plan: Plan) -> str:
        assert plan.role and plan.topic
        return f"{self.name(plan.role)}: {self.catalog.intent_name(plan.topic, self.lang)}"

    def career_step(self, role: str, key: str) -> tuple[dict[str, Any] | None, str]:
        """A step of ``role``'s career ladder as the career page shows it (None when the
        ladder has no such step), and the ladder's last step number (how many there are)."""
        ladder = self.catalog.career_steps(role, self.lang)
        return (next((s for s in ladder if s["key"] == key), None),
                ladder[-1]["number"] if ladder else "")

    def step(self, plan: Plan) -> Reply:
        """A step of the role's career ladder ("what does a senior support technician do?"):
        what the source says of it and where it is on the path; the career page one tap away."""
        assert plan.role and plan.detail
        found, count = self.career_step(plan.role, plan.detail)
        if found is None:
            return self.page(plan.role, "career")
        place = self.h("dialogue.step_place_when" if found["duration"] else "dialogue.step_place",
                       number=found["number"], count=count, when=found["duration"])
        # A step the source only names ("and the step after?") is answered by its name and
        # place; the career page, one tap away, shows the whole ladder. "How long does the
        # first step last?" is answered by the place and its time first.
        lines = [escape(found["desc"]), place] if found["desc"] else [place]
        if plan.amount:
            lines.reverse()
        return self.short_answer(replace(plan, topic="career"),
                                 f"{self.name(plan.role)}: {found['label']}", lines)

    def pay(self, plan: Plan, *, gender_gap: bool = False) -> Reply:
        assert plan.role
        facts = self.catalog.facts(plan.role)
        pay = facts.get("pay") or {"kind": "none"}
        country = facts.get("country")
        region = self.t(f"answers.country.{country}") if country else ""
        kind = pay.get("kind")
        if kind == "table":
            notes, cells = pay_text.table_lines(pay, plan.pay, self.lang, self.t,
                                                gender_gap=gender_gap)
            for other in plan.more:  # "and compared with the private sector?"
                more_notes, more_cells = pay_text.table_lines(pay, other, self.lang, self.t)
                notes, cells = [*notes, *more_notes], [*cells, *more_cells]
            # What the table lacks of the question first, each note once ("the lowest, state
            # vs private" lacks the lowest in both slices).
            lines = [ui_html(x) for x in dict.fromkeys(notes)]
            lines.append(self.h("dialogue.pay.table_intro", occupation=pay["occupation"],
                                region=region))
            lines += [ui_html(x) for x in cells]
        elif kind == "range":
            lines = [ui_html(x) for x in pay_text.range_lines(pay, plan.pay, self.lang, self.t,
                                                               region)]
        elif kind == "levels":
            lines = [ui_html(x) for x in pay_text.levels_lines(pay, plan.pay, self.lang, self.t,
                                                                region, self.million(pay))]
        else:
            lines = [self.h(f"answers.pay.none.{pay.get('reason_key', 'source_has_no_data')}")]
            with_pay = [self.name(r) for r in self.roles()
                        if (self.catalog.facts(r).get("pay") or {}).get("kind", "none") != "none"]
            lines.append(self.h("dialogue.pay.others", roles=", ".join(with_pay)))
        step = self.career_step(plan.role, plan.step)[0] if plan.step and kind != "none" \
            else None
        if step is not None:
            # "what does a senior support technician earn?": the figures are the role's.
            lines.insert(0, self.h("dialogue.step_no_pay", step=step["label"],
                                   role=self.name(plan.role)))
        title = f"{self.name(plan.role)}: {self.t('answers.topic.salary')}"
        # The gap is remembered, so "and part-time?" answers the gap for part-time.
        return self.short_answer(Plan("pay", role=plan.role, topic="salary", pay=plan.pay,
                                      country=plan.country,
                                      detail="salary.gender_gap" if gender_gap else None),
                                 title, lines)

    def million(self, pay: dict[str, object]) -> str:
        """The unit of ``levels`` figures: the source's own word in Persian, else "million"."""
        unit = str(pay.get("unit") or "")
        if self.lang != "fa" and pay.get("unit_meaning") == "million":
            return self.t("answers.pay.unit_million")
        return unit

    def cross(self, plan: Plan) -> Reply:
        """A question across all roles: one short line per role, gaps stated."""
        assert plan.topic
        topic = plan.topic
        label = self.t(f"details.{plan.detail}.label") if plan.detail \
            else self.t(f"bot.topic.{topic}")
        lines = [f"<b>{self.h('dialogue.cross.title', topic=label)}</b>"]
        silent = []
        for role in self.roles():
            line = self.known_line(role, topic, plan.detail)
            if line is None:
                silent.append(self.name(role))
            else:
                lines.append(f"• <b>{escape(self.name(role))}</b>: {line}")
        if silent:
            # The roles whose source says something come first; the rest in one line.
            lines.append(self.h("dialogue.cross.silent", roles=", ".join(silent)))
        if topic == "salary" and not plan.detail:
            lines.append("")
            lines.append(self.h("dialogue.cross.pay_note"))
            lines += self.slice_not_shown(plan.pay)
        self.remember(Plan("cross", topic=topic, detail=plan.detail, pay=plan.pay))
        self.state.last_role = None
        buttons = role_rows(self.roles(), self.name,
                            lambda r: act.ShowDetail(r, plan.detail) if plan.detail
                            else act.ShowTopic(r, topic))
        return self.reply(["\n".join(lines)], buttons, intent=topic, topic=topic, kind="cross",
                          detail=plan.detail)

    def which_role(self, plan: Plan) -> Reply:
        """A topic or detail without a role in the message or the chat: ask which."""
        assert plan.topic
        self.remember(Plan("which_role", topic=plan.topic, detail=plan.detail, pay=plan.pay))
        text = self.h("bot.which_role", topic=self.t(f"bot.topic.{plan.topic}"))
        buttons = role_rows(self.roles(), self.name,
                            lambda r: act.ShowDetail(r, plan.detail) if plan.detail
                            else act.ShowTopic(r, plan.topic or "overview"))
        return self.reply([text], buttons, intent=plan.topic, topic=plan.topic,
                          kind="which_role", detail=plan.detail)

    def unknown_role(self, typed: str, topic: str) -> Reply:
        text = self.h("bot.unknown_role", typed=shorten(typed, 80))
        buttons = role_rows(self.roles(), self.name, lambda r: act.ShowTopic(r, topic))
        return self.reply([text], buttons, intent=topic, topic=topic, fallback=True,
                          kind="which_role")

    def other_job(self, occupation: str) -> Reply:
        """A job we do not cover: say so, name it back, offer the five."""
        text = self.h("dialogue.other_job", job=shorten(occupation, 60))
        return self.reply([text], self.role_buttons(), intent="out_of_scope", fallback=True,
                          kind="other_job")

    def foreign(self) -> Reply:
        """A language we do not speak: which ones we do, in English and each of them."""
        lines = [ui_html(self.catalog.ui(code, "dialogue.languages_notice"))
                 for code in LANGUAGES]
        return self.reply(["\n\n".join(lines)], self.role_buttons(), intent="out_of_scope",
                          fallback=True, kind="foreign")

    def did_you_mean(self, parse: Parse) -> Reply:
        buttons: Rows = []
        seen: set[str] = set()
        readings = [(parse.intent, parse.role, parse.confidence)]
        readings += [(a.intent, a.role, a.confidence) for a in parse.alternatives]
        for intent, role, confidence in readings:
            role = role or self.state.last_role
            if intent not in TOPIC_INTENTS or (buttons and confidence < MIN_ALTERNATIVE):
                continue
            action: act.Action = act.ShowTopic(role, intent) if role else act.AskRole(intent)
            data = act.encode(action)
            if data in seen:
                continue
            seen.add(data)
            label = self.t(f"bot.topic.{intent}")
            if role:
                label = f"{label} · {self.name(role)}"
            buttons.append([Button(label, data)])
            if len(buttons) == 3:
                break
        if not buttons:
            return self.fallback(understood_as_other=False, confidence=parse.confidence)
        buttons.append([Button.of(self.t("bot.button.none_of_these"), act.NoneOfThese())])
        return self.reply([self.h("bot.did_you_mean")], buttons, intent=parse.intent,
                          role=parse.role, confidence=parse.confidence, fallback=True,
                          kind="did_you_mean")

    def compare(self, roles: tuple[str, ...], topic: str | None = None,
                pay: PaySlice | None = None) -> Reply:
        known = [r for r in roles if r in self.roles()]
        if len(known) >= 2 and known[0] != known[1] and topic in TOPIC_INTENTS:
            return self.compare_on(known[0], known[1], topic, pay or PaySlice())
        if len(known) >= 2 and known[0] != known[1]:
            a, b = known[0], known[1]
            self.remember(Plan("compare", role=a, topic="compare", roles=(a, b)))
            messages = self.catalog.render_compare(a, b, self.lang)
            buttons = [[Button.of(self.name(a), act.ShowOverview(a)),
                        Button.of(self.name(b), act.ShowOverview(b))], feedback_row(a, "compare")]
            reply = self.reply(messages, buttons, intent="compare", role=a, kind="compare")
            reply.roles = (a, b)
            return reply
        first = known[0] if known else self.state.last_role
        if first is None:
            return self.reply([self.h("bot.compare_pick_first")],
                              role_rows(self.roles(), self.name, act.CompareWith),
                              intent="compare", kind="compare")
        others = [r for r in self.roles() if r != first]
        return self.reply([self.h("bot.compare_pick_second", role=self.name(first))],
                          role_rows(others, self.name, lambda r: act.Compare(first, r)),
                          intent="compare", role=first, kind="compare")

    def compare_on(self, a: str, b: str, topic: str, pay: PaySlice | None = None) -> Reply:
        """Two roles side by side on one topic: each role's short answer, then their pages."""
        title = self.h("dialogue.compare_on", a=self.name(a), b=self.name(b),
                       topic=self.t(f"bot.topic.{topic}"))
        lines = [f"<b>{title}</b>"]
        for role in (a, b):
            lines.append(f"• <b>{escape(self.name(role))}</b>: {self.one_line(role, topic)}")
        if topic == "salary":
            lines += self.slice_not_shown(pay or PaySlice())
        self.remember(Plan("compare", role=a, topic=topic, roles=(a, b)))
        buttons = [[Button.of(f"{self.name(r)} · {self.t(f'bot.topic.{topic}')}",
                              act.ShowTopic(r, topic)) for r in (a, b)], feedback_row(a, "compare")]
        reply = self.reply(["\n".join(lines)], buttons, intent="compare", role=a, topic=topic,
                           kind="compare")
        reply.roles = (a, b)
        return reply

    def slice_not_shown(self, want: PaySlice) -> list[str]:
        """Side-by-side pay shows each source's main figure: say so when the question named a
        slice (women, part-time, the state sector), rather than leave it out silently."""
        dims = [self.t(f"dialogue.pay.dimension.{d}") for d, v in (
            ("gender", want.gender), ("sector", want.sector), ("hours", want.hours),
            ("overtime", want.overtime)) if v is not None]
        return [self.h("dialogue.pay.side_by_side", dimensions=", ".join(dims))] if dims else []

    def one_line(self, role: str, topic: str, detail: str | None = None) -> str:
        """A role's short answer on a topic (or detail), as HTML, for side-by-side answers."""
        line = self.known_line(role, topic, detail)
        return line if line is not None else self.h("answers.compare.not_in_source")

    def known_line(self, role: str, topic: str, detail: str | None = None) -> str | None:
        """:meth:`one_line`, or None where the role's source says nothing about it."""
        facts = self.catalog.facts(role)
        if detail:
            text = self.catalog.detail_text(role, detail, self.lang)
            return escape(_first_sentence(text)) if text else None
        if topic == "salary":
            country = facts.get("country")
            region = self.t(f"answers.country.{country}") if country else self.t(
                "dialogue.cross.no_country")
            pay = facts.get("pay")
            return escape(pay_text.headline(pay, self.lang, self.t, region,
                                            self.million(pay or {})))
        brief = self.catalog.brief(role, topic, self.lang)
        return escape(brief) if brief else None

    def welcome(self, kind: str = "greeting") -> Reply:
        key = "bot.welcome" if kind == "greeting" else "bot.help"
        text = self.h(key) + "\n\n" + self.h("bot.examples")
        return self.reply([text], self.role_buttons(), intent=kind, kind=kind)

    def role_list(self) -> Reply:
        lines = [self.h("bot.roles_intro")]
        lines += [f"• <b>{escape(self.name(r))}</b>" for r in self.roles()]
        self.state.last_kind = "roles"  # a role named next may point into the list
        return self.reply(["\n".join(lines)], self.role_buttons(), intent="roles", kind="roles")

    def language_menu(self) -> Reply:
        rows = language_rows(lambda code: self.catalog.ui(code, "bot.language_name"))
        return self.reply([self.h("bot.language_prompt")], rows, intent="language",
                          kind="language")

    def set_language(self, lang: str) -> Reply:
        self.state.lang = lang
        self.lang = lang
        return self.reply([self.h("bot.language_set")], self.role_buttons(), intent="language",
                          kind="language")

    def fallback(self, *, understood_as_other: bool, confidence: float = 0.0) -> Reply:
        """Out of scope (e.g. "my printer is broken"): say kindly what this bot is for; when
        nothing reached the threshold, say we did not understand."""
        key = "bot.fallback" if understood_as_other else "bot.not_understood"
        text = self.h(key) + "\n\n" + self.h("bot.examples")
        return self.reply([text], self.role_buttons(), intent="out_of_scope",
                          confidence=confidence, fallback=True, kind="fallback")

    def pay_table(self, role: str) -> Reply:
        self.remember(Plan("page", role=role, topic="salary"))
        messages = self.catalog.render_salary_table(role, self.lang)
        return self.reply(messages, self.keyboard(role, "salary"), intent="salary", role=role,
                          topic="salary", kind="page")

    def inline_item(self, role: str, topic: str) -> InlineItem:
        messages = self.catalog.render_topic(role, topic, self.lang)
        first = messages[0]
        plain = html_to_text(first).replace("\u200f", "").strip().split("\n")
        body = " ".join(line.strip() for line in plain[1:] if line.strip())
        title = f"{self.name(role)} · {self.t(f'bot.topic.{topic}')}"
        return InlineItem(id=f"{role}:{topic}", title=title,
                          description=shorten(body, INLINE_DESCRIPTION_CHARS), text=first,
                          role=role, topic=topic, complete=len(messages) == 1,
                          deep_link=deep_link_payload(role, topic))

    # ------------------------------------------------------------------ buttons

    def press(self, action: act.Action | None) -> Reply:
        """The reply to a pressed button; stale data (None) gets a short notice."""
        match action:
            case act.ShowTopic(role, topic):
                return self.page(role, topic)
            case act.ShowDetail(role, detail):
                return self.detail(Plan("detail", role=role, topic=detail.split(".")[0],
                                        detail=detail))
            case act.ShowOverview(role):
                return self.page(role, "overview")
            case act.AskRole(about):
                topic, _, name = about.partition(".")
                return self.which_role(Plan("which_role", topic=topic,
                                            detail=about if name else None))
            case act.ShowPayTable(role):
                return self.pay_table(role)
            case act.Compare(first, second):
                return self.compare((first, second))
            case act.CompareWith(first):
                return self.compare((first,))
            case act.SetLanguage(lang):
                return self.set_language(lang)
            case act.Feedback(_, role, topic):
                reply = self.reply([], intent="feedback", role=role, topic=topic)
                reply.notice = self.t("bot.feedback_thanks")
                return reply
            case act.NoneOfThese():
                return self.fallback(understood_as_other=False)
        reply = self.reply([], intent="stale")
        reply.notice = self.t("bot.stale_button")
        return reply
