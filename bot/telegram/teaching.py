"""Teaching from ``/unanswered``, and ``/learned`` with undo (the work is in ``bot.teach``).

``/unanswered`` sends a header, then one card per stored question with its buttons: the bot's
best three guesses (intent and role, named in the admin's language), "other intent…" (a menu of
every intent), "a job we don't cover" (an out-of-scope example), "not a question" (ignore) and
"delete". ``/learned`` lists the latest decisions, with an undo button for those in force.

Who may press: ``bot.telegram.admin`` verifies every press with the same rule as the admin
commands before it calls :func:`on_button`; a refused press changes nothing. Callback data
refer to stored rows by id and stay within Telegram's 64 bytes:

``adm:t:<row>:<intent>[:<role>]`` teach · ``adm:o:<row>`` the intent menu · ``adm:i:<row>``
ignore · ``adm:d:<row>`` delete · ``adm:u:<decision>`` undo.

A teach or an undo rebuilds the engine (tens of seconds): the press gets a toast at once and
the outcome follows as a message, while questions keep being answered.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer import AnswerService
from bot.constants import INTENTS, TOPIC_INTENTS
from bot.nlu.classifier import OUT_OF_SCOPE
from bot.numbers import MAX_DIGITS, whole_number
from bot.storage import Decision, UnansweredItem
from bot.teach import Guess, Outcome, Teacher, target
from bot.telegram.adminui import (
    Context,
    chunks,
    send,
    service_of,
    shorten,
    store_of,
    ui_html,
    ui_plain,
)
from bot.telegram.delivery.sending import answer_query

log = logging.getLogger(__name__)

PREFIX = "adm:"
KINDS = frozenset({"t", "o", "i", "d", "u"})
MAX_ID = 10 ** MAX_DIGITS - 1
MAX_CALLBACK_BYTES = 64
SHOWN_ITEMS = 10  # test items or problems listed in one outcome
UNDO_PER_ROW = 4
MENU_PER_ROW = 2

Background = Callable[[Context, Coroutine[Any, Any, None]], None]


def callback(kind: str, *parts: object) -> str:
    """``adm:<kind>:<part>:...``; refuses what Telegram would (more than 64 bytes)."""
    data = ":".join([PREFIX + kind, *(str(p) for p in parts)])
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def teacher_of(context: Context) -> Teacher | None:
    """The application's teacher, made on first use (None without a store)."""
    teacher: Teacher | None = context.bot_data.get("teacher")
    store = store_of(context)
    if store is None:
        return None
    if teacher is None or teacher.store is not store:
        teacher = Teacher(store, context.bot_data["reloader"])
        context.bot_data["teacher"] = teacher
    return teacher


# ------------------------------------------------------------------ labels


def intent_label(service: AnswerService, lang: str, intent: str) -> str:
    """An intent as admins read it in ``lang`` (:meth:`Catalog.intent_name`)."""
    return service.catalog.intent_name(intent, lang)


def guess_label(service: AnswerService, lang: str, intent: str, role: str | None) -> str:
    label = intent_label(service, lang, intent)
    if role and role in service.catalog.role_ids:
        label += f" · {service.catalog.role_name(role, lang)}"
    return label


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


# ------------------------------------------------------------------ /unanswered


def how_answered(item: UnansweredItem, service: AnswerService, lang: str) -> list[str]:
    """Why the question is stored: "👎 on the answer: Pay · Helpdesk specialist", or answered
    with low confidence (nothing for the fallback reply)."""
    if item.disliked:
        answer = guess_label(service, lang, item.intent or "?", item.role)
        return [ui_plain(service, lang, "admin.unanswered.disliked", answer=answer)]
    return [ui_plain(service, lang, "admin.unanswered.low")] if item.answered else []


def card(item: UnansweredItem, number: int, guesses: list[Guess], service: AnswerService,
         lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """One stored question and its teach buttons."""
    details = [f"{item.count}×", item.lang or "?", item.intent or "?",
               item.last_seen.strftime("%Y-%m-%d %H:%M UTC"),
               *how_answered(item, service, lang)]
    text = f"{number}. «{_esc(shorten(item.text))}» — {_esc(', '.join(details))}"
    rows = [[InlineKeyboardButton(
        f"{i}. {guess_label(service, lang, g.intent, g.role)}",
        callback_data=callback("t", item.id, g.intent, *([g.role] if g.role else [])))]
        for i, g in enumerate(guesses, start=1)]
    rows.append([
        InlineKeyboardButton(ui_plain(service, lang, "admin.teach.other"),
                             callback_data=callback("o", item.id)),
        InlineKeyboardButton(ui_plain(service, lang, "admin.teach.job"),
                             callback_data=callback("t", item.id, OUT_OF_SCOPE)),
    ])
    rows.append([
        InlineKeyboardButton(ui_plain(service, lang, "admin.teach.ignore"),
                             callback_data=callback("i", item.id)),
        InlineKeyboardButton(ui_plain(service, lang, "admin.teach.delete"),
                             callback_data=callback("d", item.id)),
    ])
    return text, InlineKeyboardMarkup(rows)


async def send_unanswered(context: Context, chat_id: int, lang: str, n: int,
                          max_items: int = 50) -> None:
    """A header, then a card per question, latest first; "show more" under the last."""
    service = service_of(context)
    teacher = teacher_of(context)
    if teacher is None:
        await send(context, chat_id, [ui_html(service, lang, "admin.no_store")])
        return
    items = await teacher.store.unanswered(n)
    if not items:
        await send(context, chat_id, [ui_html(service, lang, "admin.unanswered.empty")])
        return
    await send(context, chat_id, [
        f"<b>{ui_html(service, lang, 'admin.unanswered.title', count=len(items))}</b>\n"
        f"<i>{ui_html(service, lang, 'admin.unanswered.hint')}</i>"])
    for i, item in enumerate(items, start=1):
        text, markup = card(item, i, teacher.guesses(item), service, lang)
        if i == len(items) and len(items) == n and n < max_items:
            more = min(max_items, n * 2 + 5)
            markup = InlineKeyboardMarkup([*markup.inline_keyboard, [InlineKeyboardButton(
                ui_plain(service, lang, "admin.unanswered.more", count=more),
                callback_data=callback("unans", more))]])
        await send(context, chat_id, [text], markup)


def format_unanswered(items: list[UnansweredItem], service: AnswerService,
                      lang: str) -> list[str]:
    """The list as plain messages, latest first, with how often each was asked and its id
    for ``helpdesk-bot teach`` (the terminal chat shows this; Telegram gets the cards)."""
    def t(key: str, **values: object) -> str:
        return ui_html(service, lang, key, **values)

    if not items:
        return [t("admin.unanswered.empty")]
    lines = [f"<b>{t('admin.unanswered.title', count=len(items))}</b>", ""]
    for i, item in enumerate(items, start=1):
        details = [f"#{item.id}", f"{item.count}×", item.lang or "?", item.intent or "?",
                   item.last_seen.strftime("%Y-%m-%d %H:%M UTC"),
                   *how_answered(item, service, lang)]
        lines.append(f"{i}. «{_esc(shorten(item.text))}» — {_esc(', '.join(details))}")
    return chunks(lines)


# ------------------------------------------------------------------ /learned


def format_learned(decisions: list[Decision], service: AnswerService, lang: str
                   ) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The latest decisions, newest first, with an undo button for each one in force."""
    def t(key: str, **values: object) -> str:
        return ui_html(service, lang, key, **values)

    if not decisions:
        return [t("admin.learned.empty")], None
    lines = [f"<b>{t('admin.learned.title', count=len(decisions))}</b>", ""]
    buttons: list[InlineKeyboardButton] = []
    for i, d in enumerate(decisions, start=1):
        status = "ignored" if d.action == "ignore" and d.status == "live" else d.status
        what = target(d.intent, d.role) if d.action == "teach" else "—"
        details = ", ".join([d.lang or "?", t(f"admin.learned.{status}"),
                             d.created_at.strftime("%Y-%m-%d %H:%M UTC")])
        lines.append(f"{i}. «{_esc(shorten(d.text))}» → {_esc(what)} ({details})")
        if d.status == "live":
            buttons.append(InlineKeyboardButton(ui_plain(service, lang, "admin.learned.undo",
                                                         n=i), callback_data=callback("u", d.id)))
    rows = [buttons[i:i + UNDO_PER_ROW] for i in range(0, len(buttons), UNDO_PER_ROW)]
    return chunks(lines), InlineKeyboardMarkup(rows) if rows else None


async def send_learned(context: Context, chat_id: int, lang: str, n: int) -> None:
    service = service_of(context)
    teacher = teacher_of(context)
    if teacher is None:
        await send(context, chat_id, [ui_html(service, lang, "admin.no_store")])
        return
    texts, markup = format_learned(await teacher.store.decisions(n), service, lang)
    await send(context, chat_id, texts, markup)


# ------------------------------------------------------------------ buttons


async def on_button(context: Context, query: CallbackQuery, chat_id: int, lang: str,
                    kind: str, value: str, background: Background) -> None:
    """A teach button an admin pressed (already verified by ``bot.telegram.admin``)."""
    service = service_of(context)
    teacher = teacher_of(context)
    parts = value.split(":")
    number = whole_number(parts[0], 1, MAX_ID)
    shape_ok = len(parts) in (2, 3) if kind == "t" else len(parts) == 1
    if number is None or not shape_ok:  # not a button we made (an old version's, or forged)
        log.info("teach button with unusable data %r", value)
        await answer_query(query, ui_plain(service, lang, "bot.stale_button"))
        return
    if teacher is None:
        await answer_query(query)
        await send(context, chat_id, [ui_html(service, lang, "admin.no_store")])
        return
    if kind == "t":
        intent, role = parts[1], (parts[2] if len(parts) == 3 else None)
        await answer_query(query, ui_plain(service, lang, "admin.teach.working"))
        background(context, _reply(context, chat_id, lang,
                                   teacher.teach(number, intent, role)))
    elif kind == "u":
        await answer_query(query, ui_plain(service, lang, "admin.teach.working"))
        background(context, _reply(context, chat_id, lang, teacher.undo(number)))
    elif kind == "o":
        await answer_query(query)
        await _send_menu(context, chat_id, lang, teacher, number)
    else:
        await answer_query(query)
        outcome = await (teacher.ignore(number) if kind == "i" else teacher.delete(number))
        await send(context, chat_id, format_outcome(outcome, service, lang))


async def _reply(context: Context, chat_id: int, lang: str,
                 work: Coroutine[Any, Any, Outcome]) -> None:
    try:
        outcome = await work
    except Exception:  # a bug must not leave the admin waiting without a word
        log.exception("teaching failed")
        outcome = Outcome("failed", problems=("unexpected error, see the bot's log",))
    await send(context, chat_id, format_outcome(outcome, service_of(context), lang))


async def _send_menu(context: Context, chat_id: int, lang: str, teacher: Teacher,
                     row_id: int) -> None:
    """Every intent as a button; topic intents keep the role the bot found in the text."""
    service = service_of(context)
    item = await teacher.store.unanswered_item(row_id)
    if item is None:
        await send(context, chat_id, format_outcome(Outcome("gone"), service, lang))
        return
    found = teacher.guesses(item)
    role = next((g.role for g in found if g.role), None)
    buttons = [InlineKeyboardButton(
        guess_label(service, lang, intent, role if intent in TOPIC_INTENTS else None),
        callback_data=callback("t", row_id, intent,
                               *([role] if role and intent in TOPIC_INTENTS else [])))
        for intent in INTENTS]
    rows = [buttons[i:i + MENU_PER_ROW] for i in range(0, len(buttons), MENU_PER_ROW)]
    await send(context, chat_id, [ui_html(service, lang, "admin.teach.menu",
                                          text=shorten(item.text))], InlineKeyboardMarkup(rows))


def format_outcome(outcome: Outcome, service: AnswerService, lang: str) -> list[str]:
    """What a teach, ignore, delete or undo did, for the admin."""
    def t(key: str, **values: object) -> str:
        return ui_html(service, lang, key, **values)

    def code(values: tuple[object, ...]) -> list[str]:
        shown = [f"<code>{_esc(str(v)[:300])}</code>" for v in values[:SHOWN_ITEMS]]
        if len(values) > SHOWN_ITEMS:
            shown.append(t("admin.reload.more", count=len(values) - SHOWN_ITEMS))
        return shown

    text = shorten(outcome.text)
    floors = outcome.floors
    answered = target(outcome.answered_intent, outcome.answered_role)
    confidence = f"{outcome.confidence:.2f}" if outcome.confidence is not None else "?"
    kind = outcome.kind
    if kind == "learned":
        same = outcome.answered_intent == outcome.intent
        lines = [t("admin.teach.learned" if same else "admin.teach.learned_other", text=text,
                   target=outcome.target, answered=answered, confidence=confidence),
                 t("admin.teach.saved", file=outcome.file)]
        if floors is not None and floors.skipped:
            lines.append(t("admin.teach.skipped"))
        elif floors is not None and floors.broken:
            lines += [t("admin.teach.changes", count=len(floors.broken)),
                      *code(floors.broken)]
        return chunks(lines)
    if kind == "held":
        assert floors is not None
        lines = [t("admin.teach.held", text=text, target=outcome.target), *code(floors.misses)]
        if floors.broken:
            lines += [t("admin.teach.breaks", count=len(floors.broken)), *code(floors.broken)]
        return chunks(lines)
    if kind in ("refused", "failed"):
        return chunks([t(f"admin.teach.{kind}", text=text, target=outcome.target),
                       *code(outcome.problems)])
    if kind == "undone":
        if outcome.decision is not None and outcome.decision.action == "ignore":
            return [t("admin.teach.undone_ignore", text=text)]
        return [t("admin.teach.undone", text=text, target=outcome.target, answered=answered,
                  confidence=confidence)]
    if kind == "decided":
        return [t("admin.teach.decided", text=text, target=outcome.target)]
    if kind in ("ignored", "deleted"):
        return [t(f"admin.teach.{kind}", text=text, count=outcome.count)]
    return [t(f"admin.teach.{kind}")]  # gone, invalid, not_live


__all__ = ["KINDS", "callback", "card", "format_learned", "format_outcome", "on_button",
           "send_learned", "send_unanswered", "teacher_of"]
