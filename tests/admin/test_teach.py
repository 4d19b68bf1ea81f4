"""Teaching from /unanswered, end to end through the real Application (issue 15).

A user's question the bot was unsure about is taught with one tap on a guess button; the same
question is answered as taught afterwards; /learned's undo button brings the old answer back;
a teach that would lower an accuracy floor is kept aside with the broken test items named; a
non-admin pressing any teach button changes nothing. Every test works on a copy of intents/.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.answer import AnswerService
from bot.config import PROJECT_ROOT, Settings
from bot.reload import Reloader
from bot.storage import Store
from bot.teach import Teacher
from bot.telegram import admin
from tests.admin.conftest import (
    ADMIN_ID,
    GROUP,
    Harness,
    admin_user,
    make_harness,
    message,
    private_chat,
)
from tests.fakes.telegram_server import callback, user

# The bot is unsure what it asks (about 0.28, so its text is kept); its best readings move
# whenever intents/ changes, and the admin picks "qualities" from the intent menu.
QUESTION = "helpdesk specialist nerves of steel"
NEUTRAL = "Sorry, I can't help with that. Send /help to see what I can do."


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    shutil.copytree(PROJECT_ROOT / "intents", root / "intents")
    return root / "intents"


@pytest.fixture
def intents(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "intents"
    shutil.copytree(pristine, copy)
    return copy


@pytest.fixture
async def teach(admin_settings: Settings, own_service: AnswerService, store: Store,
                intents: Path) -> AsyncIterator[Harness]:
    settings = replace(admin_settings, intents_dir=intents, learned_dir=intents)
    h = await make_harness(settings, own_service, store)
    try:
        yield h
    finally:
        await admin.drain(h.app)
        await h.app.shutdown()


def buttons(sent: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]


def sent_with(h: Harness, needle: str) -> dict[str, Any]:
    return next(p for p in reversed(h.request.sent("sendMessage")) if needle in str(p["text"]))


async def ask(h: Harness, user_id: int, text: str = QUESTION) -> str:
    await h.send({"message": message(text, private_chat(user_id), user(user_id))})
    await h.store.flush()
    return h.texts(user_id)[-1]


async def press(h: Harness, data: str, who: dict[str, Any] | None = None,
                chat_id: int = ADMIN_ID) -> None:
    await h.send(callback(data, chat_id=chat_id, from_user=who or admin_user()))
    await admin.drain(h.app)


async def admin_says(h: Harness, text: str, lang: str = "en") -> None:
    await h.send({"message": message(text, private_chat(ADMIN_ID), admin_user(lang))})


async def test_one_tap_teaches_the_question_and_undo_brings_the_old_answer_back(
        teach: Harness, intents: Path) -> None:
    h = teach
    hand_written = (intents / "en" / "qualities.yaml").read_bytes()
    before = await ask(h, 2001)
    assert before.startswith("I'm not quite sure what you mean."), before

    await admin_says(h, "/unanswered")
    card = sent_with(h, QUESTION)
    data = [b["callback_data"] for b in buttons(card)]
    assert all(len(d.encode()) <= 64 for d in data), data
    labels = {b["text"]: b["callback_data"] for b in buttons(card)}
    # The engine's three best readings, in its order (they move whenever intents/ changes),
    # then the fixed choices.
    parsed = h.service.engine.parse(QUESTION)
    readings = [(parsed.intent, parsed.role), *((a.intent, a.role) for a in parsed.alternatives)]
    catalog = h.service.catalog
    shown = [f"{n}. {catalog.intent_name(i, 'en')} · {catalog.role_name(r or '', 'en')}"
             for n, (i, r) in enumerate(readings[:3], start=1)]
    assert list(labels) == [*shown, "Other intent…", "A job we don't cover", "Not a question",
                            "Delete"]
    for label, (intent, role) in zip(shown, readings, strict=False):
        assert labels[label].endswith(f":{intent}:{role}"), (label, labels[label])
    assert labels["A job we don't cover"].endswith(":out_of_scope")
    await press(h, labels["Other intent…"])
    menu = {b["text"]: b["callback_data"] for b in buttons(sent_with(h, "Which intent"))}
    assert len(menu) == 20 and "Goodbye" in menu  # every intent, in the admin's language
    guess = menu["Qualities · Helpdesk specialist"]
    assert guess.startswith("adm:t:") and guess.endswith(":qualities:helpdesk-specialist")

    await press(h, guess)
    assert h.toasts()[-1].startswith("Learning")
    learned = h.texts(ADMIN_ID)[-1]
    assert re.fullmatch(f"Learned: «{QUESTION}» → qualities \\(helpdesk-specialist\\); the same "
                        r"question is now answered with (0\.9\d|1\.00) confidence\.\n"
                        r"Saved in intents/en/qualities\.learned\.yaml\.", learned), learned
    assert "skipped" not in learned  # the floors of tests/nlu were checked
    taught = yaml.safe_load((intents / "en" / "qualities.learned.yaml").read_text("utf-8"))
    assert taught == {"intent": "qualities", "examples": [QUESTION]}
    assert (intents / "en" / "qualities.yaml").read_bytes() == hand_written

    after = await ask(h, 2002)
    assert after.startswith("<b>Helpdesk specialist: personal qualities</b>"), after
    await admin_says(h, "/unanswered")
    assert "No unanswered questions" in h.texts(ADMIN_ID)[-1]  # decided: it left the list

    await admin_says(h, "/learned")
    listing = sent_with(h, "Latest decisions")
    assert f"1. «{QUESTION}» → qualities (helpdesk-specialist) (en, learned, " \
        in listing["text"]
    [undo] = buttons(listing)
    assert undo["text"] == "Undo 1" and undo["callback_data"].startswith("adm:u:")
    await press(h, undo["callback_data"])
    assert h.texts(ADMIN_ID)[-1].startswith(
        f"Undone: «{QUESTION}» is no longer an example of qualities (helpdesk-specialist); "
        f"it is now answered as {parsed.intent} ({parsed.role})"), h.texts(ADMIN_ID)[-1]
    assert not (intents / "en" / "qualities.learned.yaml").exists()
    assert await ask(h, 2003) == before
    await admin_says(h, "/unanswered")
    assert QUESTION in h.texts(ADMIN_ID)[-1]  # back in the list, ready for another decision
    await press(h, undo["callback_data"])
    assert h.texts(ADMIN_ID)[-1] == "That decision is no longer in force: nothing to undo."


@pytest.fixture
def tight_floor(tmp_path: Path) -> Path:
    """A labelled set of its own with a floor the bot meets exactly now: its own item
    tests/nlu/independent/en.jsonl:36 ("how much money do they make", a salary question)."""
    folder = tmp_path / "tests" / "nlu"
    folder.mkdir(parents=True)
    lines = (PROJECT_ROOT / "tests/nlu/independent/en.jsonl").read_text("utf-8").splitlines()
    item = json.loads(lines[35])
    assert item["text"] == "how much money do they make" and item["intent"] == "salary"
    (folder / "en.jsonl").write_text(lines[35] + "\n", encoding="utf-8")
    (folder / "baseline.json").write_text(json.dumps({"intent_role_accuracy": 1.0}))
    return folder


async def test_a_teach_that_would_lower_a_floor_is_kept_aside_naming_the_items(
        teach: Harness, intents: Path, tight_floor: Path) -> None:
    h = teach
    reloader: Reloader = h.app.bot_data["reloader"]
    h.app.bot_data["teacher"] = Teacher(h.store, reloader, tests_dir=tight_floor)
    engine = h.service.engine
    await h.store.record_unanswered(2001, 2001, "how much money do they make", "en", "salary",
                                    0.4, answered=True, wait=True)
    [item] = await h.store.unanswered(5)
    await press(h, f"adm:t:{item.id}:goodbye")
    held = sent_with(h, "Kept aside")["text"]
    assert held.startswith("Kept aside, not learned: «how much money do they make» → goodbye "
                           "would lower these accuracy floors:"), held
    assert "intent_role_accuracy 0.0000 (floor 1.0, now 1.0000)" in held
    assert "Test items the bot answers correctly now and would get wrong (1):" in held
    assert ("en.jsonl:1: 'how much money do they make' expected salary/None/en, got "
            "goodbye/None/en</code>") in held, held
    assert h.service.engine is engine  # nothing swapped in
    assert not (intents / "en" / "goodbye.learned.yaml").exists()
    [decision] = await h.store.decisions()
    assert (decision.status, decision.intent) == ("held", "goodbye")
    assert "expected salary/None/en, got goodbye/None/en" in (decision.note or "")
    assert [i.text for i in await h.store.unanswered(5)] == ["how much money do they make"]


async def test_a_non_admin_pressing_teach_buttons_changes_nothing(
        teach: Harness, intents: Path, caplog: pytest.LogCaptureFixture) -> None:
    h = teach
    await h.store.record_unanswered(2001, 2001, QUESTION, "en", "compare", 0.3,
                                    answered=True, wait=True)
    [item] = await h.store.unanswered(5)
    live = await h.store.record_decision("what is itil", "en", "ignore")
    files = sorted(p.relative_to(intents) for p in intents.rglob("*"))
    engine = h.service.engine
    impostor = {**admin_user(), "id": 5555}  # the admin's username, another id
    presses = [(f"adm:t:{item.id}:workplace:helpdesk-specialist", user(2001), 2001),
               (f"adm:t:{item.id}:out_of_scope", impostor, 5555),
               (f"adm:o:{item.id}", user(2001), 2001),
               (f"adm:i:{item.id}", user(2001), 2001),
               (f"adm:d:{item.id}", user(2001), 2001),
               (f"adm:u:{live.id}", user(2001), 2001),
               (f"adm:t:{item.id}:workplace", admin_user(), GROUP["id"])]  # admin, in a group
    with caplog.at_level(logging.WARNING, logger="bot.telegram.admin"):
        for data, who, chat in presses:
            await press(h, data, who, chat)
    assert h.toasts() == [NEUTRAL] * len(presses)
    assert h.texts() == []
    assert sum("refused button" in r.getMessage() for r in caplog.records) == len(presses)
    assert [i.id for i in await h.store.unanswered(5)] == [item.id]
    assert [(d.id, d.status) for d in await h.store.decisions()] == [(live.id, "live")]
    assert sorted(p.relative_to(intents) for p in intents.rglob("*")) == files
    assert h.service.engine is engine
    reloader: Reloader = h.app.bot_data["reloader"]
    assert reloader.last is None


async def test_other_intent_menu_ignore_and_delete_in_the_admins_language(
        teach: Harness) -> None:
    h = teach
    await h.store.record_unanswered(2001, 2001, "lol", "nb", "out_of_scope", 0.1, wait=True)
    await h.store.record_unanswered(2002, 2002, "hemmelig spørsmål", "nb", "out_of_scope", 0.1,
                                    wait=True)
    await h.store.record_unanswered(2003, 2003, "Hemmelig  spørsmål", "nb", "out_of_scope",
                                    0.1, wait=True)
    secret, lol = await h.store.unanswered(5)
    await press(h, f"adm:o:{lol.id}", admin_user("nb"))
    menu = sent_with(h, "Hvilken intensjon")
    labels = [b["text"] for b in buttons(menu)]
    assert len(labels) == 20 and "Lønn" in labels and "Ha det" in labels, labels
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(menu))

    await press(h, f"adm:i:{lol.id}", admin_user("nb"))
    assert h.texts(ADMIN_ID)[-1] == "Ignorert: «lol» vises ikke lenger i /unanswered."
    await press(h, f"adm:d:{secret.id}", admin_user("nb"))
    assert h.texts(ADMIN_ID)[-1] == "Slettet: «Hemmelig  spørsmål» (2 lagret)."
    assert await h.store.unanswered(5) == []
    await press(h, f"adm:d:{secret.id}", admin_user("nb"))
    assert h.texts(ADMIN_ID)[-1].startswith("Det spørsmålet er ikke lagret lenger")
    for forged in ("adm:t:abc:salary", "adm:t:1", "adm:u:1:2", "adm:i:"):
        await press(h, forged)
    assert h.toasts()[-4:] == ["This button is out of date. Please ask again."] * 4


async def test_a_check_problem_refuses_and_without_tests_the_floor_check_is_skipped_aloud(
        admin_settings: Settings, own_service: AnswerService, store: Store, intents: Path,
        tmp_path: Path) -> None:
    """The Docker case: intents/ read-only, the learned folder on the data volume, and no
    tests/ folder in an installed package."""
    learned = tmp_path / "data" / "learned-intents"
    settings = replace(admin_settings, intents_dir=intents, learned_dir=learned)
    h = await make_harness(settings, own_service, store)
    try:
        reloader: Reloader = h.app.bot_data["reloader"]
        h.app.bot_data["teacher"] = Teacher(store, reloader, tests_dir=tmp_path / "no-tests")
        await store.record_unanswered(2001, 2001, "What's the median  salary", "en", "salary",
                                      0.4, answered=True, wait=True)
        await store.record_unanswered(2002, 2002, QUESTION, "en", "overview", 0.3,
                                      answered=True, wait=True)
        question, duplicate = await store.unanswered(5)
        hand = (intents / "en" / "salary.yaml").read_text("utf-8").splitlines()
        line = hand.index("- what's the median salary") + 1
        await press(h, f"adm:t:{duplicate.id}:goodbye")
        refused = h.texts(ADMIN_ID)[-1]
        assert refused == ("Not learned: «What's the median salary» → goodbye does not pass "
                           "the intent checks:\n<code>learned-intents/en/goodbye.learned.yaml:5: "
                           "\"What's the median salary\" is also an example of 'salary' at "
                           f"intents/en/salary.yaml:{line}</code>"), refused
        assert not learned.exists() and await store.decisions() == []

        await press(h, f"adm:t:{question.id}:qualities:helpdesk-specialist")
        outcome = h.texts(ADMIN_ID)[-1]
        assert outcome.startswith(f"Learned: «{QUESTION}» → qualities"), outcome
        assert outcome.endswith("Saved in learned-intents/en/qualities.learned.yaml.\nThe "
                                "accuracy check was skipped: the tests folder (tests/nlu) is "
                                "not installed here."), outcome
        assert QUESTION in (learned / "en" / "qualities.learned.yaml").read_text("utf-8")
        assert not list(intents.rglob("*.learned.yaml"))  # nothing written among intents/
        assert h.service.engine.parse(QUESTION).intent == "qualities"
    finally:
        await admin.drain(h.app)
        await h.app.shutdown()
