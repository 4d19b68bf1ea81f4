"""Judging whole conversations turn by turn (the dialogue's counterpart of ``bot.nlu.evaluate``).

A conversation file holds one JSON object a line: ``{"id", "lang", "hint_lang", "turns": [{"user",
"expect": {"answer", "role"?, "roles"?, "topic"?, "include"?, "exclude"?}}]}``. Each conversation
runs through :class:`bot.chat.TerminalChat`, the same code path as the terminal chat, and each
reply is judged on what the bot understood (the kind of answer, its role and topic) and on what
it said: every ``include`` fact within the first :data:`ANSWER_WITHIN` characters of the reply
(an element that is a list is a set of alternatives), no ``exclude`` anywhere, and each
``same_line`` group together on one line (a figure with its label: "women" and "42540").
Matching folds case, spaces, thousands separators and Persian digits, so "43 880" matches
"43880" and "۳۵".

Conversations are split into a dev and a held half by their id, like the NLU items: developers
read the failures of the dev half only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answer.compose import Reply
from bot.answer.service import AnswerService
from bot.constants import LANGUAGES
from bot.content.formatting import ascii_digits
from bot.labelled import half, read_jsonl
from bot.textfmt import html_to_text

ANSWER_WITHIN = 350  # the answer must be found this early in the reply (issue target)
DETAIL_FIRST_MESSAGE = 600  # a detail answer's first message is at most this long
# Expected answer -> the kinds of reply that give it.
KINDS: dict[str, tuple[str, ...]] = {
    "fact": ("detail", "pay", "step", "passage"),
    "page": ("page",),
    "not_in_source": ("detail", "pay"),
    "compare": ("compare",),
    "cross_role": ("cross",),
    "other_job": ("other_job",),
    "out_of_scope": ("fallback", "other_job"),
    "clarify": ("which_role",),
    "meta": ("greeting", "help", "roles", "language", "thanks", "goodbye"),
    "foreign_language": ("foreign",),
}
# UI strings whose words say plainly that the source does not give something.
HONEST_KEYS = (
    "dialogue.not_in_source", "dialogue.no_number", "dialogue.pay.no_sector", "dialogue.pay.no_row",
    "dialogue.pay.no_group", "dialogue.pay.no_stat_table", "dialogue.pay.range_no_median",
    "dialogue.pay.range_low", "dialogue.pay.range_high",
    "dialogue.pay.only_period", "dialogue.pay.levels_no_mean", "dialogue.pay.levels_no_period",
    "dialogue.pay.no_split", "answers.pay.levels_note", "answers.pay.none.source_has_no_data",
    "answers.pay.none.source_has_no_figures", "dialogue.pay.range_year_calc",
    "dialogue.no_conversion",
)


@dataclass(frozen=True)
class Turn:
    user: str
    expect: dict[str, Any]


@dataclass(frozen=True)
class Conversation:
    id: str
    lang: str
    hint_lang: str | None
    turns: tuple[Turn, ...]
    where: str

    @property
    def split(self) -> str:
        return half(self.id)


def load_conversations(paths: Iterable[Path]) -> list[Conversation]:
    """Conversations from JSONL files; a malformed line is a ContentError with file:line."""
    return read_jsonl(paths, _conversation, "conversation")


def _conversation(obj: dict[str, Any], where: str) -> Conversation:
    turns = tuple(Turn(str(t["user"]), dict(t["expect"])) for t in obj["turns"])
    return Conversation(str(obj["id"]), str(obj["lang"]), obj.get("hint_lang"), turns, where)


def fold_text(text: str) -> str:
    """Case, spaces (all kinds), thousands separators and digit scripts folded away."""
    text = ascii_digits(text).casefold()
    text = re.sub(r"(?<=\d)[\s\u00a0\u202f\u066c,.'’](?=\d)", "", text)
    return re.sub(r"[\s\u00a0\u202f\u2066-\u2069\u200e\u200f]+", "", text)


def _found(options: object, text: str) -> bool:
    choices = options if isinstance(options, list) else [options]
    return any(fold_text(str(c)) in text for c in choices)


@dataclass
class Verdict:
    """One judged turn."""

    conversation: str
    turn: int
    user: str
    expect: dict[str, Any]
    ok: bool
    reasons: list[str] = field(default_factory=list)
    kind: str = ""
    role: str | None = None
    topic: str | None = None
    lang: str = ""
    reply_start: str = ""
    first_message_chars: int = 0
    split: str = "dev"


# Words with which the writers' detail answers say that the source is silent on something.
HONEST_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("does not say", "doesn't say", "does not give", "does not name", "no figures",
           "not stated", "no data", "gives no", "names no", "says nothing", "is not named"),
    "nb": ("sier ikke", "oppgir ikke", "nevner ikke", "ingen tall", "ikke oppgitt",
           "sier ingenting", "ingen lønnsdata", "sier kilden ikke",
           "ikke navngitt"),
    "nn": ("seier ikkje", "oppgjev ikkje", "nemner ikkje", "ingen tal", "seier ingenting",
           "ingen lønsdata", "seier kjelda ikkje",
           "ikkje namngitt"),
    "lv": ("nenorāda", "nav norādīts", "nav datu", "nemin", "nav skaitļu", "nesniedz",
           "neko nesaka"),
    "fa": ("مشخص نمی", "ذکر نکرده", "ذکر نشده", "نگفته", "نمی‌گوید", "نمی گوید", "اشاره‌ای نکرده",
           "هیچ رقمی", "رقمی ندارد", "رقمی نداده", "رقمی نیست", "رقمی وجود ندارد",
           "رقمی دربارهٔ", "رقمی برای", "داده‌ای دربارهٔ"),
}


def honest_markers(service: AnswerService, lang: str) -> list[str]:
    """Words that say the source lacks something: the fixed words before the first placeholder
    of each such UI string, and the writers' usual phrases (:data:`HONEST_WORDS`)."""
    out = [fold_text(w) for w in HONEST_WORDS.get(lang, ())]
    for key in HONEST_KEYS:
        text = service.catalog.ui(lang, key)
        head = text.split("{", 1)[0].strip()
        if len(head) >= 8:
            out.append(fold_text(head))
    return out


def judge(reply: Reply, expect: dict[str, Any], lang: str, service: AnswerService) -> list[str]:
    """What is wrong with a reply (empty: right).

    A detail answer and a topic page stand in for each other when the turn names the facts it
    needs and all of them are in the first :data:`ANSWER_WITHIN` characters (the answer is
    there, early, whichever form it takes); so does the topic a fact is filed under.
    """
    reasons: list[str] = []
    wanted = str(expect.get("answer", ""))
    kinds = KINDS.get(wanted, ())
    facts = list(expect.get("include") or [])
    head = fold_text(" ".join(html_to_text(m) for m in reply.messages)[:ANSWER_WITHIN])
    facts_early = bool(facts) and all(_found(item, head) for item in facts)
    if facts_early and wanted in ("fact", "page"):
        kinds = (*kinds, *KINDS["fact" if wanted == "page" else "page"])
    honest_early = any(m in head for m in honest_markers(service, reply.lang))
    if wanted == "not_in_source" and honest_early:
        kinds = (*kinds, "page")  # a general-guidance page that says first what the source lacks
    if reply.kind not in kinds:
        reasons.append(f"answer {wanted}: got {reply.kind or reply.intent}")
    role = expect.get("role")
    if wanted in ("fact", "page", "not_in_source", "compare") and role and reply.role != role:
        reasons.append(f"role {role}: got {reply.role}")
    if wanted == "compare" and expect.get("roles") and set(expect["roles"]) != set(reply.roles):
        reasons.append(f"roles {expect['roles']}: got {list(reply.roles)}")
    topic = expect.get("topic")
    if topic and wanted in ("fact", "page", "not_in_source", "cross_role") \
            and reply.topic != topic and not facts_early:
        reasons.append(f"topic {topic}: got {reply.topic}")
    if topic and wanted == "meta" and reply.kind != topic and {topic, reply.kind} != {
            "greeting", "help"}:
        reasons.append(f"meta {topic}: got {reply.kind}")
    text = fold_text(" ".join(html_to_text(m) for m in reply.messages))
    for item in facts:
        if not _found(item, head):
            where = "later in the reply" if _found(item, text) else "not in the reply"
            reasons.append(f"include {item!r}: {where}")
    for item in expect.get("exclude") or []:
        if _found(item, text):
            reasons.append(f"exclude {item!r}: present")
    lines = [fold_text(x) for m in reply.messages for x in html_to_text(m).split("\n")]
    for group in expect.get("same_line") or []:
        if not any(all(_found(item, line) for item in group) for line in lines):
            reasons.append(f"same line {group!r}: not found together")
    if wanted == "not_in_source" and not any(m in text for m in
                                             honest_markers(service, reply.lang)):
        reasons.append("does not say plainly that the source lacks it")
    if lang in LANGUAGES and reply.lang != lang and wanted != "meta":
        reasons.append(f"language {lang}: got {reply.lang}")
    return reasons


def run(service: AnswerService, conversations: Iterable[Conversation]) -> list[Verdict]:
    """Every turn of every conversation, judged (each conversation starts a fresh chat)."""
    from bot.chat import TerminalChat

    verdicts: list[Verdict] = []
    for conv in conversations:
        chat = TerminalChat(service, conv.hint_lang)
        for n, turn in enumerate(conv.turns, 1):
            reply = chat.handle(turn.user)
            assert reply is not None
            reasons = judge(reply, turn.expect, conv.lang, service)
            plain = " ".join(html_to_text(m) for m in reply.messages)
            verdicts.append(Verdict(
                conv.id, n, turn.user, turn.expect, not reasons, reasons, reply.kind,
                reply.role, reply.topic, reply.lang, plain[:200],
                len(html_to_text(reply.messages[0])) if reply.messages else 0, conv.split))
    return verdicts


def summary(verdicts: list[Verdict]) -> dict[str, Any]:
    """Pass rates overall, per language (from the conversation id), per expected answer and
    per half, and the longest first message of a short answer."""
    def rate(vs: list[Verdict]) -> dict[str, Any]:
        return {"turns": len(vs), "right": sum(v.ok for v in vs),
                "rate": sum(v.ok for v in vs) / (len(vs) or 1)}

    by: dict[str, dict[str, list[Verdict]]] = defaultdict(lambda: defaultdict(list))
    for v in verdicts:
        by["lang"][v.conversation.split("-", 1)[0]].append(v)
        by["answer"][str(v.expect.get("answer"))].append(v)
        by["split"][v.split].append(v)
    short = [v.first_message_chars for v in verdicts
             if v.kind in ("detail", "pay") and v.expect.get("answer") in ("fact", "not_in_source")]
    return {
        **rate(verdicts),
        "per": {key: {name: rate(vs) for name, vs in sorted(group.items())}
                for key, group in by.items()},
        "detail_first_message_max": max(short, default=0),
        "detail_first_message_over": sum(1 for n in short if n > DETAIL_FIRST_MESSAGE),
    }
