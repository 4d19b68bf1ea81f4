"""A real PTB Application from the factory over a real store in tmp_path, offline."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.answer import AnswerService
from bot.config import Settings
from bot.storage import Store
from bot.telegram import admin
from bot.telegram.app import build_application
from bot.telegram.store_states import StoreChatStates
from tests.fakes.offline import OfflineRequest
from tests.fakes.telegram_server import BOT_USER, user

ADMIN_ID = 4242
ADMIN_NAME = "helpdesk_admin"


def admin_user(lang: str = "en") -> dict[str, Any]:
    return user(ADMIN_ID, lang, username=ADMIN_NAME)


@dataclass
class Harness:
    """The application, what it sent, and the store behind it."""

    app: Any
    request: OfflineRequest
    store: Store
    service: AnswerService
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def update(self, body: dict[str, Any], update_id: int | None = None) -> Update:
        data = {"update_id": next(self.ids) if update_id is None else update_id, **body}
        update = Update.de_json(data, self.app.bot)
        assert update is not None
        return update

    async def send(self, body: dict[str, Any], update_id: int | None = None) -> Update:
        update = self.update(body, update_id)
        await self.app.process_update(update)
        return update

    def texts(self, chat_id: int | None = None) -> list[str]:
        return self.request.sent_texts(chat_id)

    def captions(self, chat_id: int | None = None) -> list[str]:
        """Captions of the photos sent (to ``chat_id``)."""
        return [str(p.get("caption") or "") for p in self.request.sent("sendPhoto")
                if chat_id is None or int(p["chat_id"]) == chat_id]

    def toasts(self) -> list[str]:
        return [str(p.get("text") or "") for p in self.request.sent("answerCallbackQuery")]


async def make_harness(settings: Settings, service: AnswerService, store: Store) -> Harness:
    """The factory's Application (it registers admin and privacy) over the real store."""
    request = OfflineRequest()
    app = build_application(settings, service, StoreChatStates(store), request=request,
                            get_updates_request=OfflineRequest(), rate_limiter=False)
    app.bot_data["store"] = store
    await app.initialize()
    return Harness(app, request, store, service)


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return replace(settings, admin_ids=frozenset({ADMIN_ID}))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "bot.sqlite3", purge_interval=None)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def own_service(service: AnswerService) -> AnswerService:
    """A service of its own (reloads swap it) over the shared, already built content."""
    return AnswerService(service.catalog, service.engine)


@pytest.fixture
async def harness(admin_settings: Settings, own_service: AnswerService,
                  store: Store) -> AsyncIterator[Harness]:
    h = await make_harness(admin_settings, own_service, store)
    try:
        yield h
    finally:
        await admin.drain(h.app)
        await h.app.shutdown()


def message(text: str, chat: dict[str, Any], sender: dict[str, Any] | None,
            **extra: Any) -> dict[str, Any]:
    """A message body with a command entity when the text starts with '/'."""
    body: dict[str, Any] = {"message_id": int(time.time() * 1000) % 10_000_000,
                            "date": int(time.time()), "chat": chat, "text": text, **extra}
    if sender is not None:
        body["from"] = sender
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0,
                             "length": len(text.split()[0])}]
    return body


def private_chat(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": f"User{user_id}"}


GROUP: dict[str, Any] = {"id": -100123, "type": "supergroup", "title": "Helpdesk people"}
CHANNEL: dict[str, Any] = {"id": -100999, "type": "channel", "title": "Helpdesk news"}
__all__ = ["ADMIN_ID", "ADMIN_NAME", "BOT_USER", "CHANNEL", "GROUP", "Harness", "admin_user",
           "make_harness", "message", "private_chat"]
