"""Read-your-writes across requests when reads go to standbys.

A clerk registers a birth (a write on the primary) and the next page lists it (a read, perhaps on a standby
a few milliseconds behind). The answer to a request that wrote carries the primary's log position after its
writes, in a cookie for browsers and in the `Sabt-Read-After` header for API clients, and the caller's next
requests send it back: their reads then go to a standby only once it has replayed that position (see
`sabt.db.ReadPosition`). The position says nothing about the registry's contents; a forged one can only send
that caller's reads to the primary.
"""

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..db import reading_after

READ_AFTER_COOKIE = "sabt_read_after"
READ_AFTER_HEADER = "Sabt-Read-After"
# Replication lags milliseconds; a position older than this has long been replayed everywhere.
READ_AFTER_SECONDS = 300


class ReadYourWrites:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = HTTPConnection(scope)
        after = request.headers.get(READ_AFTER_HEADER) or request.cookies.get(READ_AFTER_COOKIE)
        with reading_after(after) as position:

            async def send_with_position(message: Message) -> None:
                if message["type"] == "http.response.start" and position.written:
                    headers = MutableHeaders(scope=message)
                    headers.append(READ_AFTER_HEADER, position.written)
                    headers.append(
                        "Set-Cookie",
                        f"{READ_AFTER_COOKIE}={position.written}; Max-Age={READ_AFTER_SECONDS}; Path=/; "
                        "HttpOnly; SameSite=Lax",
                    )
                await send(message)

            await self.app(scope, receive, send_with_position)
