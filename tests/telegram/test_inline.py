"""Inline mode over HTTP: ``@bot salary helpdesk`` in any chat."""

from __future__ import annotations

from bot.answer import AnswerService
from bot.content.telegram_html import validate_html
from tests.fakes.telegram_server import BOT_USER, Sent, inline_query, user
from tests.telegram.conftest import StartBot, assert_clean

BOT = str(BOT_USER["username"])


def answer_of(calls: list[Sent]) -> Sent:
    answers = [c for c in calls if c.method == "answerInlineQuery"]
    assert len(answers) == 1
    return answers[0]


async def test_inline_query_offers_matching_answers(start_bot: StartBot,
                                                    service: AnswerService) -> None:
    bot = await start_bot()
    answer = answer_of(await bot.send(inline_query("salary helpdesk")))
    results = answer.params["results"]
    assert results[0]["id"] == "helpdesk-specialist:salary"
    assert results[0]["title"] == "Helpdesk specialist · Pay"
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML" and "20" in content["message_text"]
    assert validate_html(content["message_text"]) == []
    # The full answer with its buttons is one tap away, in a private chat.
    link = results[0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert link == f"https://t.me/{BOT}?start=helpdesk-specialist__salary"
    assert int(answer.params["cache_time"]) > 0 and answer.params["is_personal"] in (True, "true")
    assert_clean(bot.server)


async def test_empty_query_lists_the_roles_in_the_users_language(
        start_bot: StartBot, service: AnswerService) -> None:
    bot = await start_bot()
    answer = answer_of(await bot.send(inline_query("", from_user=user(6000, lang="lv"))))
    results = answer.params["results"]
    assert [r["id"] for r in results] == [f"{r}:overview" for r in service.catalog.role_ids]
    assert results[0]["title"].startswith(service.catalog.role_name(results[0]["id"]
                                                                    .split(":")[0], "lv"))
    assert "?start=" in results[0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert_clean(bot.server)


async def test_a_topic_without_a_role_offers_it_for_every_role(
        start_bot: StartBot, service: AnswerService) -> None:
    bot = await start_bot()
    results = answer_of(await bot.send(inline_query("hvilke ferdigheter trengs")))
    ids = [r["id"] for r in results.params["results"]]
    assert ids[:5] == [f"{r}:skills" for r in service.catalog.role_ids]
    assert "ferdigheter" in results.params["results"][0]["title"].casefold()


async def test_a_bare_role_offers_all_its_topics_and_hostile_queries_are_fine(
        start_bot: StartBot) -> None:
    bot = await start_bot()
    results = answer_of(await bot.send(inline_query("it service manager"))).params["results"]
    assert [r["id"].split(":")[1] for r in results][:3] == ["overview", "duties", "salary"]
    assert len({r["id"] for r in results}) == len(results) == 12
    for query in ("<b>salary</b>", "🙂" * 30, "x" * 300, "\u202e\u200f"):
        answer = answer_of(await bot.send(inline_query(query)))
        assert answer.params["results"]
    assert_clean(bot.server)


def test_the_open_in_bot_link_is_built_by_ptb_and_a_bad_payload_gets_no_button() -> None:
    from bot.telegram.inline import open_in_bot

    markup = open_in_bot("Open", BOT, "helpdesk-specialist__salary")
    assert markup is not None
    assert markup.inline_keyboard[0][0].url == (
        f"https://t.me/{BOT}?start=helpdesk-specialist__salary")
    # Telegram ignores a payload outside A-Z a-z 0-9 _ - or over 64 characters: no dead link.
    assert open_in_bot("Open", BOT, "it.manager") is None
    assert open_in_bot("Open", BOT, "x" * 65) is None
    assert open_in_bot("Open", None, "helpdesk-specialist") is None
