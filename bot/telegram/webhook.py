"""The webhook's HTTP server refuses forged and oversized calls before PTB reads them.

PTB's ``run_webhook`` serves Telegram's calls with tornado's ``HTTPServer``. As of
python-telegram-bot 22.x (``telegram/ext/_utils/webhookhandler.py``) it compares the
``X-Telegram-Bot-Api-Secret-Token`` header with ``!=``, which stops at the first differing
character (not constant time), and it leaves tornado's body limit at its default of 100 MB,
read into memory before the secret is looked at. ``run_webhook`` has a parameter for neither.
Tornado's ``HTTPServer`` is ``Configurable`` (public API: ``HTTPServer.configure``), so while
the webhook runs every ``HTTPServer`` the process builds is a :class:`GuardedServer`:

* a call without the right secret (``hmac.compare_digest``) gets ``403`` and never reaches
  PTB, so PTB's own ``!=`` only ever sees the right secret and its timing tells nothing;
* a body over :data:`MAX_BODY_BYTES` is refused by tornado from its ``Content-Length`` (or
  while a chunked body arrives), with ``400``, before it is read in full.

``tests/reliability`` (scenario 9) checks both against the real bot, so a PTB that stops
building its server this way fails the suite rather than silently losing the guard.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Awaitable, Iterator
from typing import Any

from tornado import httputil
from tornado.httpserver import HTTPServer

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few kB; one quoting a 4,096-character message with entities is still far
# below this. nginx's default client_max_body_size is the same 1 MiB.
MAX_BODY_BYTES = 1 << 20


class GuardedServer(HTTPServer):
    """tornado's ``HTTPServer`` that checks the secret header before the application runs."""

    def initialize(self, *args: Any, webhook_secret: str = "", **kwargs: Any) -> None:
        self.webhook_secret = webhook_secret.encode("ascii")
        super().initialize(*args, **kwargs)

    def start_request(self, server_conn: object, request_conn: httputil.HTTPConnection
                      ) -> httputil.HTTPMessageDelegate:
        inner = super().start_request(server_conn, request_conn)
        return SecretCheck(inner, request_conn, self.webhook_secret)


class SecretCheck(httputil.HTTPMessageDelegate):
    """Passes a request on only when its secret header matches; else answers ``403``."""

    def __init__(self, inner: httputil.HTTPMessageDelegate, conn: httputil.HTTPConnection,
                 secret: bytes) -> None:
        self.inner = inner
        self.conn = conn
        self.secret = secret
        self.allowed: bool | None = None  # None until the headers are in

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        # tornado decodes headers as latin-1, so this gives back the bytes that were sent.
        given = headers.get(SECRET_HEADER, "").encode("latin-1", "replace")
        self.allowed = bool(self.secret) and hmac.compare_digest(given, self.secret)
        if self.allowed:
            return self.inner.headers_received(start_line, headers)
        return None

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self.inner.data_received(chunk) if self.allowed else None

    def finish(self) -> None:
        if self.allowed:
            self.inner.finish()
            return
        self.conn.write_headers(httputil.ResponseStartLine("HTTP/1.1", 403, "Forbidden"),
                                httputil.HTTPHeaders({"Content-Length": "0"}))
        self.conn.finish()

    def on_connection_close(self) -> None:
        if self.allowed is not False:
            self.inner.on_connection_close()


@contextlib.contextmanager
def guarded_webhook(secret: str, max_body: int = MAX_BODY_BYTES) -> Iterator[None]:
    """Every tornado ``HTTPServer`` built inside is a :class:`GuardedServer` for ``secret``.

    Process-wide while it lasts (tornado's configuration is per class); the bot's only HTTP
    server is PTB's webhook, and the default comes back at the end.
    """
    if not secret:
        raise ValueError("a webhook needs a secret (config refuses WEBHOOK_URL without one)")
    HTTPServer.configure(GuardedServer, webhook_secret=secret, max_body_size=max_body)
    try:
        yield
    finally:
        HTTPServer.configure(None)
