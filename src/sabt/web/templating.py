"""The pages' Jinja2 environment and the static files they use (the Persian font comes from PyPI)."""

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.templating import Jinja2Templates

from ..certificates.render import font_dir  # the pages use the font the certificates are printed in
from ..core.text import to_persian_digits

FONT_PATH = "/static/fonts/noto-sans-arabic.ttf"

templates = Jinja2Templates(directory=str(resources.files("sabt.web") / "templates"))
templates.env.filters["fa"] = lambda value: to_persian_digits(str(value))
templates.env.globals["font_path"] = FONT_PATH

static = APIRouter(include_in_schema=False)


@static.get(FONT_PATH)
def font() -> FileResponse:
    path = next(Path(font_dir()).glob("*.ttf"))
    return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": "public, max-age=86400"})
