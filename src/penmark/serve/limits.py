"""Upload size cap enforced at the ASGI layer, before FastAPI parses the multipart body.

Why here and not in the route: by the time a route runs, the whole body has been parsed and spooled
to disk. Checking ``Content-Length`` first refuses an oversized upload without reading it, and
counting bytes as they stream refuses chunked uploads that lie or send no length.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPART_SLACK = 64 * 1024
"""Room for multipart boundaries and form fields around the file itself."""


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` mid-stream. An ``HTTPException`` so that FastAPI's body parsing lets
    it through (it turns other exceptions into a generic 400) and the JSON handler answers 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"upload is too large; the limit is {_mb(max_bytes)}")


class BodySizeLimit:
    """Answer ``413`` (JSON) to any request whose body exceeds ``max_bytes`` + multipart slack."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limit = max_bytes + MULTIPART_SLACK

    async def _reject(self, send: Send, size: int | None) -> None:
        got = f"upload is {_mb(size)}" if size is not None else "upload is too large"
        body = json.dumps(
            {
                "error": {
                    "status": 413,
                    "code": "too_large",
                    "message": f"{got}; the limit is {_mb(self.max_bytes)}",
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
                if declared is not None and declared > self.limit:
                    await self._reject(send, declared)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send, None)
