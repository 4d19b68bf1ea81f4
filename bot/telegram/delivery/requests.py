"""The HTTP connections of the bot, wrapped to see what passes through before PTB does.

:class:`ServerFailureRequest` wraps every Bot API call: a 5xx answer is the one sign that
repeating a call is safe (``limiter.not_delivered``), and only here is the status still known.
The inbox wraps the ``getUpdates`` connection the same way (``inbox.InboxRequest``).
"""

from __future__ import annotations

from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

GATEWAY_TIMEOUT = 504  # a proxy's timeout: ambiguous like our own, never repeated


class ServerFailed(NetworkError):
    """The Bot API (or a proxy in front of it) answered with a 5xx status: nothing was done."""


class WrappedRequest(BaseRequest):
    """A request that hands every call to ``inner`` (set-up, shut-down, timeouts); subclasses
    look at what passes through in ``do_request``."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout


class ServerFailureRequest(WrappedRequest):
    """Marks 5xx answers as :class:`ServerFailed` (a 504, a proxy's timeout, as ``TimedOut``)
    before PTB maps statuses to errors.

    PTB raises a plain ``NetworkError`` both for a 5xx and for a 4xx it has no class for, and a
    proxy's HTML error page adds a parsing error as the cause; the status is the only reliable
    sign that repeating the call is safe, so it is read here, where it is still known.
    """

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        code, payload = await self.inner.do_request(url, method, request_data, read_timeout,
                                                    write_timeout, connect_timeout, pool_timeout)
        if code == GATEWAY_TIMEOUT:
            # The proxy gave up waiting: Telegram may have taken the message all the same.
            raise TimedOut("the Bot API's gateway timed out (504); the call may have arrived")
        if 500 <= code <= 599:
            raise ServerFailed(f"the Bot API answered {code}")
        return code, payload
