"""A fake Telegram Bot API server on 127.0.0.1 that behaves like Telegram where it matters.

Strict like the real one: 401 for a wrong token, 404 for an unknown method, 400 for bad HTML,
empty or too-long text, callback_data over 64 bytes, bad command lists; 429 with
``parameters.retry_after`` beyond the flood limits (about 30 messages a second overall, one a
second per private chat with short bursts, 20 a minute per group). ``getUpdates`` long-polls
with offsets like Telegram; ``faults`` make chosen calls fail with 500/502, time out after being
accepted, or hang; a status fault's body can be a proxy's HTML page or empty. ``blocked`` chats
answer 403 (the user blocked the bot); ``muted`` groups answer 400 "not enough rights";
``migrated`` groups answer 400 with ``parameters.migrate_to_chat_id`` (the group became a
supergroup); callback query ids in ``expired_queries`` answer 400 "query is too old".
Everything sent is recorded for the tests to inspect.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.content.telegram_html import plain_text, validate_html

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Helpdesk Careers",
    "username": "helpdesk_careers_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
JSON_FIELDS = {
    "reply_markup", "reply_parameters", "link_preview_options", "entities", "commands", "scope",
    "results", "allowed_updates", "caption_entities", "button",
}


@dataclass
class Limits:
    """Flood limits; ``None`` switches one off."""

    overall_per_second: float | None = 30
    private_per_second: float | None = 1
    private_burst: int = 3
    group_per_minute: float | None = 20
    retry_after: int = 1
    group_period: float = 60.0  # the group window ("per minute"); tests scale it down


@dataclass
class Fault:
    """Make the next ``count`` calls of ``method`` fail: ``kind`` is status/accept_timeout/hang.

    ``disconnect`` closes the connection without an answer (a network error, nothing done).
    With ``until`` (a ``time.monotonic()`` moment) every call fails until then, whatever
    ``count`` says: a server that is down for a while. ``body`` of a status fault: "json"
    (Telegram's own), "html" (a proxy's error page) or "empty".
    """

    method: str
    kind: str
    status: int = 500
    count: int = 1
    delay: float = 0.0
    until: float | None = None
    body: str = "json"


@dataclass
class Sent:
    method: str
    params: dict[str, Any]
    result: Any
    at: float


@dataclass
class FakeTelegram:
    """The server's state; run it with :meth:`start` and stop with :meth:`stop`."""

    token: str = "123456789:AAHfakeTokenForTestsOnly-abcdefghijk"
    limits: Limits = field(default_factory=Limits)
    faults: list[Fault] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    errors: list[tuple[str, int, str]] = field(default_factory=list)
    calls: list[tuple[str, float]] = field(default_factory=list)
    chat_members: dict[tuple[int, int], str] = field(default_factory=dict)
    early_requests: int = 0  # requests made while a retry_after window was still open
    blocked: set[int] = field(default_factory=set)  # chats whose user blocked the bot
    migrated: dict[int, int] = field(default_factory=dict)  # old group id -> supergroup id
    muted: set[int] = field(default_factory=set)  # groups where the bot may not write
    expired_queries: set[str] = field(default_factory=set)  # callback query ids too old

    def __post_init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1))
        self._new_update = asyncio.Event()
        self._overall: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = defaultdict(deque)
        self._blocked_until: dict[Any, float] = {}
        self.confirmed_offset = 0
        self.delivered_max = 0  # the highest update_id getUpdates has handed out
        self._closing = False
        self._stopping = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    def release_polls(self) -> None:
        """Make waiting and future getUpdates calls return at once (a quick shutdown)."""
        self._closing = True
        self._new_update.set()

    async def stop(self) -> None:
        self.release_polls()
        self._stopping.set()  # a hung or slow answer ends now: the server's shutdown waits for it
        if self.runner is not None:
            await self.runner.cleanup()

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or until the server stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # ------------------------------------------------------------------ updates

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update (``update_id`` is assigned) for getUpdates to deliver."""
        update = dict(update)
        update["update_id"] = next(self._update_ids)
        self.updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def pending(self) -> list[dict[str, Any]]:
        return [u for u in self.updates if u["update_id"] >= self.confirmed_offset]

    def unconfirmed_deliveries(self) -> int:
        """Updates handed out by getUpdates whose offset was never confirmed."""
        return max(0, self.delivered_max + 1 - max(self.confirmed_offset, 1))

    def messages(self, chat_id: int | None = None) -> list[Sent]:
        """Every successful send (text or photo), optionally to one chat."""
        return [s for s in self.sent
                if s.method in ("sendMessage", "sendPhoto")
                and (chat_id is None or int(s.params["chat_id"]) == chat_id)]

    async def wait_for(self, count: int, chat_id: int | None = None,
                       timeout: float = 10.0) -> list[Sent]:
        """Wait until at least ``count`` messages were sent (to ``chat_id``)."""
        deadline = time.monotonic() + timeout
        while len(self.messages(chat_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} messages, got {len(self.messages(chat_id))}: "
                    f"{[s.params.get('text', '')[:60] for s in self.messages(chat_id)]}; "
                    f"errors: {self.errors[-5:]}")
            await asyncio.sleep(0.02)
        return self.messages(chat_id)

    # ------------------------------------------------------------------ HTTP

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"filename": value.filename, "size": len(value.file.read())}
                else:
                    params[key] = value
        for key in list(params):
            if key in JSON_FIELDS and isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except json.JSONDecodeError:
                    raise _Bad(f"Bad Request: can't parse {key} JSON object") from None
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        now = time.monotonic()
        self.calls.append((method, now))
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        try:
            params = await self._params(request)
            fault = self._take_fault(method)
            if fault is not None and fault.kind == "disconnect":
                self.errors.append((method, 0, "disconnect"))
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)  # never reaches the closed connection
            if fault is not None and fault.kind == "status":
                self.errors.append((method, fault.status, "fault"))
                return _fault_response(fault)
            if fault is not None and fault.kind == "hang":
                await self._pause(fault.delay or 3600)
            refused = self._refuse_chat(method, params)
            if refused is not None:
                return refused
            limited = self._rate_limit(method, params, now)
            if limited is not None:
                return limited
            result = await handler(params)
        except _Bad as exc:
            self.errors.append((method, 400, exc.description))
            return _error(400, exc.description)
        if method not in ("getUpdates",):
            self.sent.append(Sent(method, params, result, now))
        if fault is not None and fault.kind == "accept_timeout":
            await self._pause(fault.delay or 3600)  # accepted, but the caller times out
        return web.json_response({"ok": True, "result": result})

    def _refuse_chat(self, method: str, params: dict[str, Any]) -> web.Response | None:
        """Blocked users and migrated groups refuse messages like Telegram does."""
        if not method.startswith(("send", "copy", "forward")) or "chat_id" not in params:
            return None
        try:
            chat_id = int(params["chat_id"])
        except ValueError:
            return None
        if chat_id in self.blocked:
            self.errors.append((method, 403, str(chat_id)))
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.muted:
            self.errors.append((method, 400, f"muted {chat_id}"))
            return _error(400, "Bad Request: not enough rights to send text messages to the chat")
        if chat_id in self.migrated:
            self.errors.append((method, 400, f"migrated {chat_id}"))
            return web.json_response(
                {"ok": False, "error_code": 400,
                 "description": "Bad Request: group chat was upgraded to a supergroup chat",
                 "parameters": {"migrate_to_chat_id": self.migrated[chat_id]}}, status=400)
        return None

    def _take_fault(self, method: str) -> Fault | None:
        now = time.monotonic()
        for fault in self.faults:
            if fault.method != method:
                continue
            if fault.until is not None:
                if now < fault.until:
                    return fault
                continue
            if fault.count > 0:
                fault.count -= 1
                return fault
        return None

    def _rate_limit(self, method: str, params: dict[str, Any], now: float
                    ) -> web.Response | None:
        if method not in ("sendMessage", "sendPhoto", "editMessageText"):
            return None
        chat_id = int(params.get("chat_id", 0))
        for key in ("overall", chat_id):
            until = self._blocked_until.get(key, 0.0)
            if now < until:
                self.early_requests += 1
                return self._too_many(key, until - now)
        limits = self.limits
        overall = self._overall
        while overall and now - overall[0] >= 1.0:
            overall.popleft()
        if limits.overall_per_second is not None and len(overall) >= limits.overall_per_second:
            return self._too_many("overall", limits.retry_after, block=True)
        history = self._per_chat[chat_id]
        if chat_id < 0:  # groups and supergroups
            period = limits.group_period
            while history and now - history[0] >= period:
                history.popleft()
            if limits.group_per_minute is not None and len(history) >= limits.group_per_minute:
                wait = max(1, int(period - (now - history[0])) + 1)
                return self._too_many(chat_id, wait, block=True)
        else:
            while history and now - history[0] >= limits.private_burst:
                history.popleft()
            if (limits.private_per_second is not None
                    and len(history) >= limits.private_burst * limits.private_per_second):
                return self._too_many(chat_id, limits.retry_after, block=True)
        overall.append(now)
        history.append(now)
        return None

    def _too_many(self, key: Any, retry_after: float, block: bool = False) -> web.Response:
        seconds = max(1, int(retry_after + 0.999))
        if block:
            self._blocked_until[key] = time.monotonic() + seconds
        self.errors.append(("429", 429, str(key)))
        return web.json_response(
            {"ok": False, "error_code": 429,
             "description": f"Too Many Requests: retry after {seconds}",
             "parameters": {"retry_after": seconds}}, status=429)

    # ------------------------------------------------------------------ methods

    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        if not str(params.get("url", "")).startswith("https://"):
            raise _Bad("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in self.updates if u["update_id"] >= self.confirmed_offset]
            if ready or self._closing or time.monotonic() >= deadline:
                batch = ready[:limit]
                if batch:
                    self.delivered_max = max(self.delivered_max, batch[-1]["update_id"])
                return batch
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(),
                                       timeout=max(0.0, deadline - time.monotonic()))

    async def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or not commands or len(commands) > 100:
            raise _Bad("Bad Request: commands must be a non-empty list")
        for command in commands:
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not (1 <= len(name) <= 32) or not all(c.islower() or c.isdigit() or c == "_"
                                                     for c in name):
                raise _Bad("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _Bad("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    def _check_markup(self, params: dict[str, Any]) -> None:
        markup = params.get("reply_markup")
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise _Bad("Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _Bad("Bad Request: BUTTON_DATA_INVALID")

    def _check_text(self, text: str, parse_mode: str | None, limit: int, what: str) -> str:
        if parse_mode == "HTML":
            problems = validate_html(text)
            if problems:
                raise _Bad(f"Bad Request: can't parse entities: {problems[0]}")
            shown = plain_text(text)
        elif parse_mode in (None, ""):
            shown = text
        else:
            raise _Bad(f"Bad Request: unsupported parse_mode {parse_mode}")
        if not shown.strip():
            raise _Bad(f"Bad Request: {what} must be non-empty")
        if len(shown.encode("utf-16-le")) // 2 > limit:
            raise _Bad(f"Bad Request: {what} is too long")
        return shown

    def _message(self, chat_id: int, **extra: Any) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = "Test group"
        return {"message_id": next(self._message_ids[chat_id]), "from": BOT_USER,
                "chat": chat, "date": int(time.time()), **extra}

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if "chat_id" not in params:
            raise _Bad("Bad Request: chat_id is empty")
        if "text" not in params:
            raise _Bad("Bad Request: message text is empty")
        shown = self._check_text(str(params["text"]), params.get("parse_mode"), 4096,
                                 "message text")
        self._check_markup(params)
        return self._message(int(params["chat_id"]), text=shown)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        if "chat_id" not in params or "photo" not in params:
            raise _Bad("Bad Request: there is no photo in the request")
        caption = params.get("caption")
        extra: dict[str, Any] = {}
        if caption:
            extra["caption"] = self._check_text(str(caption), params.get("parse_mode"), 1024,
                                                "message caption")
        self._check_markup(params)
        photo = params["photo"]
        file_id = photo if isinstance(photo, str) else f"photo-{len(self.sent)}"
        extra["photo"] = [{"file_id": file_id, "file_unique_id": file_id, "width": 1200,
                           "height": 800}]
        return self._message(int(params["chat_id"]), **extra)

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        shown = self._check_text(str(params.get("text", "")), params.get("parse_mode"), 4096,
                                 "message text")
        self._check_markup(params)
        return self._message(int(params.get("chat_id", 0)), text=shown)

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if not query_id or query_id in self.expired_queries:
            raise _Bad("Bad Request: query is too old and response timeout expired")
        if len(str(params.get("text") or "")) > 200:
            raise _Bad("Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = self.chat_members.get((chat_id, user_id), "member")
        member: dict[str, Any] = {"status": status,
                                  "user": {"id": user_id, "is_bot": False, "first_name": "U"}}
        if status in ("creator", "administrator"):
            member["is_anonymous"] = False
        if status == "administrator":  # Telegram sends every right of an administrator
            member.update(dict.fromkeys(
                ("can_be_edited", "can_manage_chat", "can_delete_messages",
                 "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                 "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                 "can_delete_stories"), False))
            member["can_manage_chat"] = True
        return member

    async def _m_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        results = params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise _Bad("Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results]
        if len(set(ids)) != len(ids) or any(not i or len(str(i).encode()) > 64 for i in ids):
            raise _Bad("Bad Request: RESULT_ID_INVALID")
        for result in results:
            if result.get("type") == "article" and not result.get("title"):
                raise _Bad("Bad Request: RESULT_TITLE_EMPTY")
            if "cache_time" in params and int(params["cache_time"]) < 0:
                raise _Bad("Bad Request: cache_time must be non-negative")
            content = result.get("input_message_content") or {}
            self._check_text(str(content.get("message_text", "")), content.get("parse_mode"),
                             4096, "message text")
            self._check_markup(result)
        return True


class _Bad(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _fault_response(fault: Fault) -> web.Response:
    phrase = "Internal Server Error" if fault.status == 500 else "Bad Gateway"
    if fault.body == "html":  # what nginx in front of the Bot API sends
        page = (f"<html>\r\n<head><title>{fault.status} {phrase}</title></head>\r\n<body>\r\n"
                f"<center><h1>{fault.status} {phrase}</h1></center>\r\n"
                "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
        return web.Response(status=fault.status, text=page, content_type="text/html")
    if fault.body == "empty":
        return web.Response(status=fault.status)
    return _error(fault.status, phrase)


def _error(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": status, "description": description},
                             status=status)


# ---------------------------------------------------------------------- update builders

_ids = itertools.count(1)


def user(user_id: int = 1001, lang: str | None = "en", username: str | None = None
         ) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
    if lang:
        data["language_code"] = lang
    if username:
        data["username"] = username
    return data


def text_message(text: str, chat_id: int = 1001, from_user: dict[str, Any] | None = None,
                 **extra: Any) -> dict[str, Any]:
    """A ``message`` update body (without update_id) with command entities filled in."""
    sender = from_user or user(chat_id if chat_id > 0 else 1001)
    chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
    if chat_id > 0:
        chat["first_name"] = sender["first_name"]
    else:
        chat["title"] = "Test group"
    message: dict[str, Any] = {"message_id": next(_ids), "date": int(time.time()),
                               "chat": chat, "from": sender, "text": text, **extra}
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": message}


def callback(data: str, chat_id: int = 1001, from_user: dict[str, Any] | None = None
             ) -> dict[str, Any]:
    sender = from_user or user(chat_id if chat_id > 0 else 1001)
    chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
    return {"callback_query": {
        "id": str(next(_ids)), "from": sender, "chat_instance": "ci", "data": data,
        "message": {"message_id": next(_ids), "date": int(time.time()), "chat": chat,
                    "from": BOT_USER, "text": "..."},
    }}


def inline_query(query: str, from_user: dict[str, Any] | None = None,
                 offset: str = "") -> dict[str, Any]:
    """An ``inline_query`` update body: ``@bot <query>`` typed in any chat."""
    return {"inline_query": {"id": str(next(_ids)), "from": from_user or user(), "query": query,
                             "offset": offset, "chat_type": "sender"}}


def bot_message(chat_id: int, message_id: int = 1, text: str = "...") -> dict[str, Any]:
    """One of the bot's own messages, to reply to (``reply_to_message``)."""
    chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
    return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER,
            "text": text}


def non_text_message(kind: str, chat_id: int = 1001,
                     from_user: dict[str, Any] | None = None) -> dict[str, Any]:
    """A sticker, photo, voice or location message (no text)."""
    body = text_message("x", chat_id=chat_id, from_user=from_user)
    del body["message"]["text"]
    body["message"][kind] = {
        "sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512,
                    "height": 512, "is_animated": False, "is_video": False},
        "photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}],
        "voice": {"file_id": "v", "file_unique_id": "v", "duration": 3},
        "location": {"latitude": 56.95, "longitude": 24.1},
    }[kind]
    return body
