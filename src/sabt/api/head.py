"""HEAD is answered wherever GET is (RFC 9110 §9.3.2): the same status and headers, without the body.

FastAPI registers each route for the methods it names, so without this a HEAD of `/health` or `/verify`
would be 405, which tells a monitor or a cache the resource does not exist for it."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
