"""Refuse oversized and non-JSON bodies before any route reads them."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.errors import RequestMediaType, RequestTooLarge, SabtError
from ..core.text import is_ascii_number
from ..http import BODY_METHODS, TOKEN_URL, is_json, media_type_of, problem_response


class BodyLimits:
    """Pure ASGI middleware: a body over `max_bytes` gets 413, a non-JSON body on the API gets 415.

    The body is read here (at most `max_bytes` + one chunk) and replayed to the app, so a client that
    streams without a Content-Length cannot get past the limit either.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, uploads: frozenset[str], max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Paths that take files (photos, scans, PDFs) as multipart forms, up to their own limit.
        self.uploads = uploads
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        upload = scope["path"] in self.uploads
        limit = self.max_upload_bytes if upload else self.max_bytes
        declared = headers.get("content-length", "")
        if is_ascii_number(declared) and int(declared) > limit:
            await self._refuse(scope, send, RequestTooLarge(limit=limit))
            return
        body, too_large = await self._read(receive, limit)
        if too_large:
            await self._refuse(scope, send, RequestTooLarge(limit=limit))
            return
        on_api = scope["path"].startswith("/api/") and scope["path"] != TOKEN_URL and not upload
        if body and on_api and not is_json(media_type_of(headers.get("content-type", ""))):
            await self._refuse(scope, send, RequestMediaType())
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive, limit: int) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return b"", True
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks), False

    @staticmethod
    async def _refuse(scope: Scope, send: Send, error: SabtError) -> None:
        response = problem_response(error, instance=scope["path"])
        await response(scope, _no_receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the app the body already read, then the client's own messages (e.g. its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
