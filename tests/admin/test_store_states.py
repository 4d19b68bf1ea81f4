"""Chat states over the store: what survives a restart, and what a user's choice reaches."""

from __future__ import annotations

from pathlib import Path

from bot.answer import ChatState
from bot.storage import Store
from bot.telegram.store_states import StoreChatStates

U, GROUP_ID, OTHER_GROUP = 7001, -1007001, -1007002


async def test_choices_and_context_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "states.sqlite3"
    store = await Store.open(db, purge_interval=None)
    states = StoreChatStates(store)
    assert await states.load(U, U) == ChatState()
    await states.save(U, U, ChatState(lang="lv", last_role="it-project-manager",
                                      last_topic="salary", last_lang="lv"))
    await states.save(GROUP_ID, U, ChatState(lang="fa"))  # a group's choice is the group's
    await states.close()

    store = await Store.open(db, purge_interval=None)
    states = StoreChatStates(store)
    try:
        assert await states.load(U, U) == ChatState(lang="lv", last_role="it-project-manager",
                                                    last_topic="salary", last_lang="lv")
        assert (await states.load(GROUP_ID, U)).lang == "fa"
        assert (await states.load(OTHER_GROUP, U)).lang == "lv"  # the user's own choice
        assert (await states.load(OTHER_GROUP, 1)).lang is None
        assert await store.get_user_lang(U) == "lv"
        assert (await store.get_chat(OTHER_GROUP)).lang is None
        # Saving what was loaded writes nothing new: the group keeps following the user.
        await states.save(OTHER_GROUP, U, await states.load(OTHER_GROUP, U))
        await store.flush()
        assert (await store.get_chat(OTHER_GROUP)).lang is None
    finally:
        await states.close()
