"""Every command over HTTP, with and without arguments; fuzzy role arguments; command lists."""

from __future__ import annotations

import pytest

from bot.answer import TOPIC_COMMANDS, AnswerService, ChatState
from bot.telegram.handlers import COMMAND_ORDER
from tests.fakes.telegram_server import callback, text_message, user
from tests.telegram.conftest import StartBot, assert_clean, buttons, only_messages, texts

HELPDESK = "helpdesk-specialist"


def title(text: str) -> str:
    return text.split("\n", 1)[0].replace("\u200f", "").strip()


async def test_every_topic_command_with_and_without_a_role(start_bot: StartBot,
                                                           service: AnswerService) -> None:
    bot = await start_bot()
    catalog = service.catalog
    for number, (command, topic) in enumerate(sorted(TOPIC_COMMANDS.items())):
        chat = 5000 + number
        # No argument, nothing asked before: one button per role for this topic.
        bare = only_messages(await bot.send(text_message(f"/{command}", chat_id=chat)))
        assert len(bare) == 1, command
        assert buttons(bare[0]) == [f"t:{r}:{topic}" for r in catalog.role_ids], command
        # A fuzzy role argument answers the topic for that role.
        answered = only_messages(await bot.send(text_message(f"/{command} helpdsk",
                                                             chat_id=chat)))
        topic_title = catalog.ui("en", f"answers.topic.{topic}")
        expected = f"{catalog.role_name(HELPDESK, 'en')}: {topic_title}"
        assert title(texts(answered)[0]) == expected, command
        assert f"f:+:{HELPDESK}:{topic}" in buttons(answered[-1])
        # No argument now: the chat's last role.
        again = only_messages(await bot.send(text_message(f"/{command}", chat_id=chat)))
        assert title(texts(again)[0]) == expected, command
    assert_clean(bot.server)


@pytest.mark.parametrize(("args", "role", "lang"), [
    ("helpdsk", "helpdesk-specialist", "en"),
    ("lietotāju atbalsts", "user-support-specialist", "lv"),
    ("کارشناس پشتیبانی فنی", "helpdesk-specialist", "fa"),
    ("مدیر خدمات فناوری اطلاعات", "it-service-manager", "fa"),
    ("prosjektleder", "it-project-manager", "nb"),
    ("ikt servicemedarbeider", "ict-service-technician", "en"),
])
async def test_fuzzy_role_arguments(start_bot: StartBot, service: AnswerService, args: str,
                                    role: str, lang: str) -> None:
    bot = await start_bot()
    calls = only_messages(await bot.send(text_message(f"/salary {args}", chat_id=5100)))
    assert title(texts(calls)[0]).startswith(service.catalog.role_name(role, lang))
    assert_clean(bot.server)


async def test_unknown_role_argument_is_escaped_and_offers_the_roles(
        start_bot: StartBot, service: AnswerService) -> None:
    bot = await start_bot()
    calls = only_messages(await bot.send(text_message("/salary <b>bananas</b> & co",
                                                      chat_id=5200)))
    assert "<b>bananas</b> & co" in texts(calls)[0]  # shown literally, not as markup
    assert "&lt;b&gt;" in calls[0].params["text"]
    assert buttons(calls[0]) == [f"t:{r}:salary" for r in service.catalog.role_ids]
    assert_clean(bot.server)


async def test_role_compare_and_meta_commands(start_bot: StartBot,
                                              service: AnswerService) -> None:
    bot = await start_bot()
    role_ids = service.catalog.role_ids
    overview = only_messages(await bot.send(text_message("/role it service manager",
                                                         chat_id=5300)))
    assert title(texts(overview)[0]) == "IT service manager: overview"
    assert "t:it-service-manager:salary" in buttons(overview[-1])
    # /compare without arguments: pick the first role; with one: pick the second.
    pick = only_messages(await bot.send(text_message("/compare", chat_id=5301)))
    assert buttons(pick[0]) == [f"ca:{r}" for r in role_ids]
    second = only_messages(await bot.send(text_message("/compare helpdesk", chat_id=5301)))
    assert buttons(second[0]) == [f"c:{HELPDESK}:{r}" for r in role_ids if r != HELPDESK]
    both = only_messages(await bot.send(text_message(
        "/compare it service manager helpdesk", chat_id=5301)))
    shown = texts(both)[0]
    assert "IT service manager" in shown and "Helpdesk specialist" in shown
    assert buttons(both[-1]) == ["r:it-service-manager", f"r:{HELPDESK}",
                                 "f:+:it-service-manager:compare",
                                 "f:-:it-service-manager:compare"]
    for command, marker in [("/help", "Ask me about a role"), ("/roles", "I know these roles"),
                            ("/start", "Hi!"), ("/language", "Which language")]:
        calls = only_messages(await bot.send(text_message(command, chat_id=5302)))
        assert marker in texts(calls)[0], command
        with_args = only_messages(await bot.send(text_message(f"{command} extra words",
                                                              chat_id=5303)))
        assert with_args, command
    by_name = only_messages(await bot.send(text_message("/language nynorsk", chat_id=5304)))
    assert "nynorsk" in texts(by_name)[0]
    assert_clean(bot.server)


async def test_chart_request_sends_the_chart(start_bot: StartBot) -> None:
    bot = await start_bot()
    calls = await bot.send(text_message("/salary helpdesk chart", chat_id=5400))
    assert [c.method for c in calls if c.method.startswith("send")][-1] == "sendPhoto"
    answer = only_messages(await bot.send(text_message("/salary helpdesk", chat_id=5401)))
    chart_buttons = [d for d in buttons(answer[-1]) if d.startswith("ch:")]
    assert chart_buttons == [f"ch:pay:{HELPDESK}"]
    # No pay figures, no chart button; a career ladder gets a picture button.
    itpm = only_messages(await bot.send(text_message("/salary it project manager",
                                                     chat_id=5402)))
    assert not [d for d in buttons(itpm[-1]) if d.startswith("ch:")]
    career = only_messages(await bot.send(text_message("/career it service manager",
                                                       chat_id=5403)))
    assert "ch:career:it-service-manager" in buttons(career[-1])
    # A chart button is answered once, by the photos module, with the picture.
    pressed = await bot.send(callback(f"ch:pay:{HELPDESK}", chat_id=5404))
    assert [c.method for c in pressed].count("answerCallbackQuery") == 1
    assert [c.method for c in pressed if c.method in ("sendPhoto", "sendMessage")] == [
        "sendPhoto"]
    assert_clean(bot.server)


def test_terminal_chat_offers_no_chart_buttons(service: AnswerService) -> None:
    terminal = AnswerService(service.catalog, service.engine, charts=False)
    reply = terminal.topic("salary", "helpdesk", ChatState())
    assert not [b for row in reply.buttons for b in row if b.data.startswith("ch:")]


async def test_command_descriptions_for_every_language_and_a_default(
        start_bot: StartBot) -> None:
    bot = await start_bot()
    lists = {c.params.get("language_code"): c.params["commands"] for c in bot.server.sent
             if c.method == "setMyCommands"}
    assert set(lists) == {None, "en", "nb", "no", "nn", "lv", "fa"}
    for code, commands in lists.items():
        assert [c["command"] for c in commands] == list(COMMAND_ORDER), code
    assert lists["fa"][0]["description"] != lists["en"][0]["description"]
    assert lists["lv"][4]["description"] != lists["nb"][4]["description"]
    assert_clean(bot.server)


async def test_commands_follow_the_users_telegram_language(start_bot: StartBot) -> None:
    bot = await start_bot()
    calls = only_messages(await bot.send(text_message("/help", chat_id=5500,
                                                      from_user=user(5500, lang="fa"))))
    assert "\u200f" in calls[0].params["text"] or "بپرسید" in texts(calls)[0]
    assert_clean(bot.server)
