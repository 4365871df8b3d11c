"""The pages' Jinja2 environment, how a page is answered (with the headers every page carries), and the
static files they use (the Persian font comes from PyPI)."""

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from ..certificates.render import font_dir  # the pages use the font the certificates are printed in
from ..core.text import to_persian_digits

FONT_PATH = "/static/fonts/noto-sans-arabic.ttf"
STATIC = resources.files("sabt.web") / "static"
ASSETS = {"sabt.css": "text/css", "sabt.js": "text/javascript"}
# Pages load nothing from elsewhere and run no inline script; no other site may frame them.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(directory=str(resources.files("sabt.web") / "templates"))
templates.env.filters["fa"] = lambda value: to_persian_digits(str(value))
templates.env.globals["font_path"] = FONT_PATH

static = APIRouter(include_in_schema=False)


def page(request: Request, name: str, values: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    """A page from its template, with the security headers every page carries."""
    response = templates.TemplateResponse(request, name, values, status_code=status)
    response.headers.update(PAGE_HEADERS)
    return response


@static.get(FONT_PATH)
def font() -> FileResponse:
    path = next(Path(font_dir()).glob("*.ttf"))
    return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": "public, max-age=86400"})


@static.get("/static/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(status_code=404)
    return FileResponse(str(STATIC / name), media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})
