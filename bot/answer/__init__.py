"""The answer layer: from a message, a button or a command to a reply, with no Telegram types.

Modules: ``service`` (entry points and the one command table), ``dialogue`` (what to answer: a
pure function of the parse and the chat state), ``compose`` (the reply's text and buttons),
``pay`` (pay cells and what the sources do not give), ``actions`` (typed button data),
``keyboards``, ``language`` (the reply-language policy) and ``state`` (what a chat remembers).
"""

from bot.answer.actions import MAX_CALLBACK_BYTES
from bot.answer.compose import InlineItem, Reply, deep_link_payload
from bot.answer.keyboards import Button
from bot.answer.language import without_text as fallback_language
from bot.answer.service import META_COMMANDS, TOPIC_COMMANDS, AnswerService
from bot.answer.state import ChatState

__all__ = ["MAX_CALLBACK_BYTES", "META_COMMANDS", "TOPIC_COMMANDS", "AnswerService", "Button",
           "ChatState", "InlineItem", "Reply", "deep_link_payload", "fallback_language"]
