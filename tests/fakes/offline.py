"""An offline ``BaseRequest`` for PTB: the Application runs for real, nothing leaves the process.

This is python-telegram-bot's own test idea: a bot whose HTTP layer answers in-process, so a test
can ``await app.process_update(Update.de_json(...))`` and read what the bot would have sent.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.content.telegram_html import plain_text, validate_html
from tests.fakes.telegram_server import BOT_USER


class OfflineRequest(BaseRequest):
    """Records every Bot API call and answers like Telegram would (incl. HTML checks).

    With ``record=False`` it keeps only the count of sends, so a long memory run measures the
    bot and not this list.
    """

    def __init__(self, record: bool = True) -> None:
        self.record = record
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: list[tuple[str, bytes]] = []  # (file name, bytes) of uploads, in order
        self.sends = 0
        self._ids = itertools.count(1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [str(p["text"]) for m, p in self.calls
                if m == "sendMessage" and (chat_id is None or int(p["chat_id"]) == chat_id)]

    def sent(self, method: str) -> list[dict[str, Any]]:
        return [p for m, p in self.calls if m == method]

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None
                         ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        if self.record:
            self.calls.append((name, params))
            if request_data is not None and request_data.contains_files:
                self.files += [(str(upload[0]), bytes(upload[1])) for upload
                               in request_data.multipart_data.values()]
        result: Any = True
        if name == "getMe":
            result = BOT_USER
        elif name in ("sendMessage", "sendPhoto"):
            text = str(params.get("text", params.get("caption", "")))
            if params.get("parse_mode") == "HTML" and validate_html(text):
                return 400, json.dumps({"ok": False, "error_code": 400,
                                        "description": "Bad Request: can't parse entities"}
                                       ).encode()
            self.sends += 1
            chat_id = int(str(params["chat_id"]))
            result = {"message_id": next(self._ids), "date": int(time.time()),
                      "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                      "from": BOT_USER}
            if name == "sendMessage":
                result["text"] = plain_text(text)
            else:
                photo = {"file_id": f"photo-{self.sends}", "file_unique_id": f"p{self.sends}",
                         "width": 1200, "height": 800}
                result["photo"] = [photo]
        return 200, json.dumps({"ok": True, "result": result}).encode()
