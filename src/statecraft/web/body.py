"""The request body limit, counted on the bytes as they arrive.

A ``Content-Length`` over the limit is refused before anything is read. Otherwise (and for
chunked bodies, which have no length) the middleware counts the bytes each ``receive``
hands the app and, as soon as the count passes the limit, stops reading, drops whatever
the app was about to answer and answers 413 itself. Nothing past the limit is read, so
nothing past it is buffered or spooled to disk, whether the body is JSON or a multipart
upload.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1024 * 1024
"""The largest request body accepted, in bytes (1 MiB)."""


class BodyTooLarge(Exception):
    """Raised inside the app's ``receive`` once the body passes the limit (never shown)."""


def too_large_message(limit: int, size: int | None = None) -> str:
    """What a client is told when its body is over ``limit`` bytes."""
    said = (f"the request body is {size:,} bytes" if size is not None
            else f"the request body passed {limit:,} bytes")
    return f"{said}; the limit is {limit:,} bytes ({limit / 1024 / 1024:g} MiB)"


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, reading no more than that."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name.lower() == b"content-length" and value.isdigit() and int(
                    value) > self.limit:
                await self._refuse(send, int(value))
                return
        seen = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal seen, over
            if over:  # the app asks again after the refusal: the client is gone to it
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    over = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:  # the answer is the 413 below, not whatever the app made of it
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._refuse(send, None)

    async def _refuse(self, send: Send, size: int | None) -> None:
        body = json.dumps({"detail": too_large_message(self.limit, size)}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length",
                                                     str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
