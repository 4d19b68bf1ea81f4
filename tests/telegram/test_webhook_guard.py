"""The webhook guard: a forged call never reaches the application, the secret is compared with
``hmac.compare_digest``, and an oversized body is refused (scenario 9 checks the real bot)."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import tornado.web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from bot.telegram import webhook
from bot.telegram.webhook import SECRET_HEADER, GuardedServer, guarded_webhook

SECRET = "s3cret-Token_for-webhook"
LIMIT = 4096


class Hook(tornado.web.RequestHandler):
    """Stands in for PTB's handler: records what reached it."""

    def initialize(self, seen: list[bytes]) -> None:
        self.seen = seen

    def post(self) -> None:
        self.seen.append(self.request.body)
        self.write("ok")


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[bytes]]]:
    seen: list[bytes] = []
    app = tornado.web.Application([(r"/hook", Hook, {"seen": seen})])
    with guarded_webhook(SECRET, max_body=LIMIT):
        http = HTTPServer(app)  # built as PTB builds it: through the base class
    assert isinstance(http, GuardedServer)
    sockets = bind_sockets(0, "127.0.0.1")
    http.add_sockets(sockets)
    try:
        yield f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook", seen
    finally:
        http.stop()
        await http.close_all_connections()


async def _post(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with aiohttp.ClientSession() as session:
        try:
            async with session.post(url, data=body, headers=headers) as response:
                return response.status
        except aiohttp.ClientConnectionError:
            return 0  # refused mid-upload: tornado answered 400 and closed


@pytest.mark.parametrize("secret", [None, "", "nope", SECRET.upper(), SECRET[:-1],
                                    SECRET + "x", "é" * len(SECRET)])
async def test_a_call_without_the_right_secret_gets_403_and_reaches_nothing(
        server: tuple[str, list[bytes]], secret: str | None) -> None:
    url, seen = server
    assert await _post(url, b"{}", secret) == 403
    assert seen == []


async def test_the_right_secret_reaches_the_application(
        server: tuple[str, list[bytes]]) -> None:
    url, seen = server
    assert await _post(url, b'{"update_id": 1}', SECRET) == 200
    assert seen == [b'{"update_id": 1}']


async def test_a_body_over_the_limit_is_refused(server: tuple[str, list[bytes]]) -> None:
    url, seen = server
    assert await _post(url, b"x" * (LIMIT + 1), SECRET) in (400, 0)
    assert await _post(url, b"x" * LIMIT, SECRET) == 200  # the limit itself is allowed
    assert seen == [b"x" * LIMIT]


async def test_the_secret_is_compared_in_constant_time(
        server: tuple[str, list[bytes]], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, Any]] = []
    real: Callable[[Any, Any], bool] = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(webhook.hmac, "compare_digest", spy)
    url, _ = server
    assert await _post(url, b"{}", "nope") == 403
    assert await _post(url, b"{}", SECRET) == 200
    assert calls == [(b"nope", SECRET.encode()), (SECRET.encode(), SECRET.encode())]


def test_the_default_server_comes_back_afterwards() -> None:
    with guarded_webhook(SECRET):
        assert HTTPServer.configured_class() is GuardedServer
    assert HTTPServer.configured_class() is HTTPServer
    with pytest.raises(ValueError, match="secret"), guarded_webhook(""):
        pass
