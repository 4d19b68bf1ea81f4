"""Groups: which messages are meant for the bot, and who may change a group's settings.

In a group the bot answers commands, messages that mention it and replies to its own messages;
everything else is other people's conversation and is left alone.
"""

from __future__ import annotations

import logging
import re

from telegram import Chat, Message, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.delivery.limiter import StopSending

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


def is_group(chat: Chat | None) -> bool:
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The text meant for the bot (its @mention removed), or None if it isn't for us."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return _strip_mention(text, bot_username)
    if bot_username and _mention(bot_username).search(text):
        return _strip_mention(text, bot_username)
    return None


def _mention(bot_username: str) -> re.Pattern[str]:
    return re.compile(rf"@{re.escape(bot_username)}(?![A-Za-z0-9_])", re.IGNORECASE)


def _strip_mention(text: str, bot_username: str) -> str:
    if not bot_username:
        return text.strip()
    return " ".join(_mention(bot_username).sub(" ", text).split())


async def is_group_admin(context: ContextTypes.DEFAULT_TYPE, chat: Chat, user: User | None,
                         message: Message | None = None) -> bool:
    """Whether the sender administers ``chat`` (asked with getChatMember; anonymous admins too).

    Telegram's answer is not cached: admin rights change, and a language change is rare.
    """
    if message is not None and message.sender_chat is not None \
            and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator posts as the group itself
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except StopSending:
        raise
    except TelegramError as exc:
        log.warning("getChatMember failed in chat %s: %s", chat.id, exc)
        return False
    return member.status in ADMIN_STATUSES
