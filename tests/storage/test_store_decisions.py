"""Admins' decisions about stored questions: ids, hiding decided questions, anonymity, expiry."""

from __future__ import annotations

from datetime import timedelta

from bot.storage import Store
from tests.storage.conftest import FakeClock, Query

USER, OTHER = 424242, 515151


async def _ask(store: Store, user: int, text: str) -> None:
    await store.record_unanswered(user, user, text, "en", "out_of_scope", 0.1, wait=True)


async def test_items_carry_the_id_that_finds_their_group_again(store: Store) -> None:
    await _ask(store, USER, "how do I fix my printer")
    await _ask(store, OTHER, "How do I  fix my printer")  # the same question, grouped
    await _ask(store, USER, "what is ITIL")
    items = await store.unanswered(10)
    assert [i.text for i in items] == ["what is ITIL", "How do I  fix my printer"]
    printer = items[1]
    assert printer.id > 0 and printer.count == 2
    found = await store.unanswered_item(printer.id)
    assert found is not None and found.count == 2 and found.text == printer.text
    # An older asking's row id finds the same group.
    assert (await store.unanswered_item(printer.id - 1)) == found
    assert await store.unanswered_item(99_999) is None


async def test_a_live_decision_hides_the_question_until_undone(store: Store) -> None:
    await _ask(store, USER, "how much do they get paid")
    await _ask(store, USER, "hello there robot")
    taught = await store.record_decision("How much do they  get paid", "en", "teach",
                                         "salary", None)
    assert [i.text for i in await store.unanswered(10)] == ["hello there robot"]
    assert (await store.live_decision("how much do they get paid")) == taught
    held = await store.record_decision("hello there robot", "en", "teach", "goodbye",
                                       status="held", note="en.jsonl:3")
    # Kept aside: the question is still waiting for a decision.
    assert [i.text for i in await store.unanswered(10)] == ["hello there robot"]
    assert await store.live_decision("hello there robot") is None

    await store.set_decision_status(taught.id, "undone")
    assert len(await store.unanswered(10)) == 2
    latest = await store.decisions(10)
    assert [(d.id, d.status) for d in latest] == [(held.id, "held"), (taught.id, "undone")]
    assert latest[0].note == "en.jsonl:3" and latest[1].text == "How much do they get paid"
    assert [d.id for d in await store.decisions(10, status="undone")] == [taught.id]
    assert await store.decision(taught.id) == latest[1]


async def test_a_taught_text_is_anonymous_and_outlives_forget(store: Store, query: Query
                                                               ) -> None:
    await _ask(store, USER, "zebra-quokka what is the pay")
    await store.record_decision("zebra-quokka what is the pay", "en", "teach", "salary")
    columns = {row[1] for row in query(store.path, "PRAGMA table_info(decisions)")}
    assert not columns & {"user_id", "chat_id"}
    await store.forget_user(USER)
    assert await store.unanswered(10) == []
    assert [d.text for d in await store.decisions()] == ["zebra-quokka what is the pay"]


async def test_delete_removes_every_asking(store: Store, query: Query) -> None:
    await _ask(store, USER, "my secret question")
    await _ask(store, OTHER, "MY secret question")
    await _ask(store, OTHER, "another one")
    [_other, secret] = await store.unanswered(10)
    assert await store.delete_unanswered(secret.id) == 2
    assert [i.text for i in await store.unanswered(10)] == ["another one"]
    assert query(store.path, "SELECT count(*) FROM unanswered WHERE norm LIKE '%secret%'") \
        == [(0,)]


async def test_only_live_teaches_outlive_the_retention(store: Store, clock: FakeClock) -> None:
    kept = await store.record_decision("what is the pay", "en", "teach", "salary")
    await store.record_decision("lol", "en", "ignore")
    await store.record_decision("bye salary", "en", "teach", "goodbye", status="held")
    clock.now += timedelta(days=store.retention_days + 1)
    await store.purge_expired()
    assert [d.id for d in await store.decisions()] == [kept.id]
