"""The ChatStates adapter the Telegram layer uses over the store."""

from __future__ import annotations

from datetime import date

from bot.service import ChatState
from bot.storage import ChatRecord, CountAnswer, Store
from bot.storage.chatstates import StoreChatStates


async def test_state_round_trip(store: Store) -> None:
    states = StoreChatStates(store)
    assert await states.load(-100, 5) == ChatState()
    state = ChatState(lang="nn", last_role="it-service-manager", last_topic="tools", last_lang="nb")
    await states.save(-100, 5, state)
    assert await states.load(-100, 5) == state
    assert await store.get_chat(-100) == ChatRecord("nn", "it-service-manager", "tools", "nb")
    assert await store.get_user_lang(5) is None  # a group's choice is not the user's


async def test_a_private_choice_is_the_users(store: Store) -> None:
    states = StoreChatStates(store)
    await states.save(5, 5, ChatState(lang="lv"))
    assert await store.get_user_lang(5) == "lv"
    await store.set_chat_lang(5, None)
    assert (await states.load(5, 5)).lang == "lv"  # falls back to the user's choice


async def test_save_for_update_claims_once(store: Store) -> None:
    states = StoreChatStates(store)
    count = CountAnswer(date(2026, 3, 10), "tools", "it-service-manager", "nb")
    state = ChatState(last_role="it-service-manager", last_topic="tools")
    assert await states.save_for_update(1, 7, 7, state, count) is True
    assert await states.save_for_update(1, 7, 7, ChatState(), count) is False
    assert (await states.load(7, 7)).last_topic == "tools"
    assert (await store.stats(1, today=date(2026, 3, 10))).questions == 1
