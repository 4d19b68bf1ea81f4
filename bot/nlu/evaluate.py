"""``helpdesk-bot eval``: accuracy of the engine on labelled JSONL files (like rasa test nlu).

Items: ``{"text", "lang", "intent", "role", "roles"?, "hint_lang", "kind"?, "pay"?}``. Each is
parsed as the first message of a new conversation with ``hint_lang`` as Telegram's language code.

``lang`` is the expected reply language; a code outside our five names a language we do not
speak: Swedish and Danish are then answered in Bokmål like any Norwegian message, every other
language must be recognised as foreign (the bot answers with the list of its languages, so that
notice is the right intent and role for it). ``kind`` groups items for the report (short, long,
indirect, other-job, ...). ``split`` puts each item in "dev" or "held" by a hash of its text:
developers read the errors of the dev half and only the figures of the held half, so the held
half keeps measuring phrasings nobody tuned for.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.constants import LANGUAGES
from bot.labelled import half, read_jsonl
from bot.nlu.classifier import OUT_OF_SCOPE
from bot.nlu.engine import Engine
from bot.nlu.result import LangHints, Parse

# Languages we do not speak whose speakers read Norwegian: answered in Bokmål.
READ_AS_NORWEGIAN = {"sv": "nb", "da": "nb"}
# The labels' names for pay dimensions -> PaySlice values.
_PAY_LABELS = {
    "hours": {"full-time": "full_time", "part-time": "part_time"},
    "period": {"hour": "hourly", "month": "monthly", "year": "yearly"},
}
_COUNTRY_LABELS = {"no": "norway", "lv": "latvia", "ir": "iran"}


@dataclass(frozen=True)
class Item:
    """One labelled test message."""

    text: str
    lang: str
    intent: str
    role: str | None
    roles: tuple[str, ...]
    hint_lang: str | None
    where: str
    kind: str = "plain"
    pay: tuple[tuple[str, object], ...] = ()
    country: str | None = None

    @property
    def split(self) -> str:
        """"dev" or "held", fixed by the text (see the module docstring)."""
        return half(self.text)

    @property
    def reply_lang(self) -> str | None:
        """The language the answer must be in; None: a language we do not speak."""
        if self.lang in LANGUAGES:
            return self.lang
        return READ_AS_NORWEGIAN.get(self.lang)


def load_items(paths: Iterable[Path]) -> list[Item]:
    """Labelled items from JSONL files; a malformed line is a ContentError with file:line."""
    return read_jsonl(paths, _item, "item")


def _item(obj: dict[str, Any], where: str) -> Item:
    role = obj.get("role")
    roles = tuple(obj.get("roles") or ((role,) if role else ()))
    pay = obj.get("pay") or {}
    slots = tuple(sorted((key, _PAY_LABELS.get(key, {}).get(value, value))
                         for key, value in pay.items() if key != "country"))
    return Item(str(obj["text"]), str(obj["lang"]), str(obj["intent"]), role, roles,
                obj.get("hint_lang"), where, str(obj.get("kind") or "plain"), slots,
                _COUNTRY_LABELS.get(str(pay.get("country"))))


def role_ok(item: Item, parse: Parse) -> bool:
    """Role correct: same first role; for compare the same set of roles too."""
    if item.reply_lang is None:
        return parse.foreign is not None
    if item.intent == "compare" and len(item.roles) >= 2:
        return set(parse.roles) == set(item.roles)
    # A first message has no role in context: the dialogue takes the local role then.
    return (parse.role or parse.local_role) == item.role


def intent_ok(item: Item, parse: Parse) -> bool:
    """Intent correct; for a language we do not speak, the foreign-language notice is."""
    if item.reply_lang is None:
        return parse.foreign is not None
    return parse.intent == item.intent and parse.foreign is None


def lang_ok(item: Item, parse: Parse) -> bool:
    """Reply language correct (a foreign language must be recognised as such)."""
    if item.reply_lang is None:
        return parse.foreign is not None
    if item.intent == "language" and parse.intent == "language" and parse.named_language:
        return parse.named_language == item.reply_lang  # "answer in English": the new language
    return parse.lang == item.reply_lang and parse.foreign is None


def pay_ok(item: Item, parse: Parse) -> bool:
    """Every pay dimension (and country) the item names was found, with the same value."""
    found = parse.pay.to_json()
    return all(found.get(key) == value for key, value in item.pay) and (
        item.country is None or parse.country == item.country)


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def calibration_error(rows: Sequence[dict[str, Any]], bins: int = 10) -> float:
    """Expected calibration error: |confidence - accuracy| averaged over confidence bins."""
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        chosen = [
            r
            for r in rows
            if lo <= r["confidence"] < hi or (b == bins - 1 and r["confidence"] == 1.0)
        ]
        if chosen:
            confidence = sum(r["confidence"] for r in chosen) / len(chosen)
            accuracy = sum(r["intent_ok"] for r in chosen) / len(chosen)
            total += len(chosen) * abs(confidence - accuracy)
    return total / (len(rows) or 1)


def evaluate(engine: Engine, items: Sequence[Item]) -> dict[str, Any]:
    """Every figure of the report as a JSON-able dict (also the ``--json`` output)."""
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    for item in items:
        started = time.perf_counter()
        parse = engine.parse(item.text, LangHints(telegram=item.hint_lang))
        latencies.append((time.perf_counter() - started) * 1000)
        rows.append(
            {
                "text": item.text,
                "where": item.where,
                "gold_intent": item.intent,
                "intent": parse.intent,
                "gold_role": item.role,
                "role": parse.role,
                "gold_lang": item.lang,
                "lang": parse.lang,
                "confidence": round(parse.confidence, 4),
                "intent_ok": intent_ok(item, parse),
                "role_ok": role_ok(item, parse),
                "lang_ok": lang_ok(item, parse),
                "kind": item.kind,
                "split": item.split,
                "has_pay": bool(item.pay or item.country),
                "pay_ok": pay_ok(item, parse),
                "foreign_item": item.reply_lang is None,
            }
        )
    n = len(rows) or 1
    both = [r for r in rows if r["intent_ok"] and r["role_ok"]]
    labels = sorted({r["gold_intent"] for r in rows} | {r["intent"] for r in rows})
    per_intent: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(1 for r in rows if r["intent"] == label and r["gold_intent"] == label)
        pred = sum(1 for r in rows if r["intent"] == label)
        gold = sum(1 for r in rows if r["gold_intent"] == label)
        p = tp / pred if pred else 0.0
        rc = tp / gold if gold else 0.0
        f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
        per_intent[label] = {"precision": p, "recall": rc, "f1": f1, "support": gold}
    confused = Counter(
        (r["gold_intent"], r["intent"]) for r in rows if not r["intent_ok"]
    ).most_common(10)
    ours = [r for r in rows if not r["foreign_item"]]
    oos = [r for r in ours if r["gold_intent"] == OUT_OF_SCOPE]
    ins = [r for r in ours if r["gold_intent"] != OUT_OF_SCOPE]
    other_jobs = [r for r in oos if r["kind"] == "other-job"]
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_split: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_lang[r["gold_lang"]].append(r)
        by_kind[r["kind"]].append(r)
        by_split[r["split"]].append(r)
    with_pay = [r for r in rows if r["has_pay"]]

    def group(rs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "items": len(rs),
            "intent_role_accuracy": sum(r["intent_ok"] and r["role_ok"] for r in rs) / len(rs),
            "lang_accuracy": sum(r["lang_ok"] for r in rs) / len(rs),
        }

    return {
        "items": len(rows),
        "calibration_error": calibration_error(rows),
        "intent_accuracy": sum(r["intent_ok"] for r in rows) / n,
        "role_accuracy": sum(r["role_ok"] for r in rows) / n,
        "intent_role_accuracy": len(both) / n,
        "lang_accuracy": sum(r["lang_ok"] for r in rows) / n,
        "oos_recall": sum(r["intent"] == OUT_OF_SCOPE for r in oos) / (len(oos) or 1),
        "other_job_recall": sum(r["intent"] == OUT_OF_SCOPE for r in other_jobs)
        / (len(other_jobs) or 1),
        "false_fallback": sum(r["intent"] == OUT_OF_SCOPE for r in ins) / (len(ins) or 1),
        "pay_accuracy": sum(r["pay_ok"] for r in with_pay) / (len(with_pay) or 1),
        "pay_items": len(with_pay),
        "per_language": {lang: group(rs) for lang, rs in sorted(by_lang.items())},
        "per_kind": {kind: group(rs) for kind, rs in sorted(by_kind.items())},
        "per_split": {split: group(rs) for split, rs in sorted(by_split.items())},
        "per_intent": per_intent,
        "confused": [{"gold": g, "predicted": p, "count": c} for (g, p), c in confused],
        "latency_ms": {"p50": _percentile(latencies, 50), "p99": _percentile(latencies, 99)},
        "errors": [r for r in rows if not (r["intent_ok"] and r["role_ok"] and r["lang_ok"])],
    }


def format_report(
    report: dict[str, Any], *, show_errors: int = 0, show_held: bool = False
) -> str:
    """The human-readable table printed by ``helpdesk-bot eval``."""
    pct = "{:6.1%}".format
    lines = [
        f"items                   {report['items']}",
        f"intent accuracy         {pct(report['intent_accuracy'])}",
        f"role accuracy           {pct(report['role_accuracy'])}",
        f"intent+role accuracy    {pct(report['intent_role_accuracy'])}",
        f"reply-language accuracy {pct(report['lang_accuracy'])}",
        f"out-of-scope recall     {pct(report['oos_recall'])}",
        f"  of it other jobs      {pct(report['other_job_recall'])}",
        f"false fallback          {pct(report['false_fallback'])}",
        f"pay dimensions          {pct(report['pay_accuracy'])} of {report['pay_items']} items",
        f"calibration error (ECE) {report['calibration_error']:6.3f}",
        f"latency p50 / p99       {report['latency_ms']['p50']:.2f} / "
        f"{report['latency_ms']['p99']:.2f} ms",
        "",
        "language  items  intent+role  reply-lang",
    ]
    for lang, row in report["per_language"].items():
        lines.append(
            f"{lang:<8}  {row['items']:>5}  {pct(row['intent_role_accuracy']):>11}  "
            f"{pct(row['lang_accuracy']):>10}"
        )
    for title, key in (("kind", "per_kind"), ("split", "per_split")):
        if len(report[key]) > 1:
            lines += ["", f"{title:<14}  items  intent+role  reply-lang"]
            for name, row in report[key].items():
                lines.append(
                    f"{name:<14}  {row['items']:>5}  {pct(row['intent_role_accuracy']):>11}  "
                    f"{pct(row['lang_accuracy']):>10}"
                )
    lines += ["", "intent            precision  recall     f1  support"]
    for label, m in report["per_intent"].items():
        lines.append(
            f"{label:<16}  {pct(m['precision']):>9}  {pct(m['recall']):>6}  "
            f"{pct(m['f1']):>5}  {m['support']:>7}"
        )
    if report["confused"]:
        lines += ["", "most confused (gold -> predicted)"]
        lines += [f"  {c['gold']} -> {c['predicted']}: {c['count']}" for c in report["confused"]]
    if show_errors:
        shown = [r for r in report["errors"] if show_held or r["split"] == "dev"]
        hidden = len(report["errors"]) - len(shown)
        lines += ["", "errors" + (f" (dev half; {hidden} held-out errors not listed)"
                                  if hidden else "")]
        for r in shown[:show_errors]:
            lines.append(
                f"  {r['where']}: {r['text']!r} gold {r['gold_intent']}/{r['gold_role']}/"
                f"{r['gold_lang']} got {r['intent']}/{r['role']}/{r['lang']} ({r['confidence']})"
            )
    lines += [
        "",
        f"summary: intent+role {pct(report['intent_role_accuracy']).strip()}, reply language "
        f"{pct(report['lang_accuracy']).strip()}, out-of-scope recall "
        f"{pct(report['oos_recall']).strip()} (other jobs "
        f"{pct(report['other_job_recall']).strip()}), false fallback "
        f"{pct(report['false_fallback']).strip()}",
    ]
    return "\n".join(lines)
