"""Refusals on the pages: a Persian error page, or the sign-in page when the session is missing or over."""

from fastapi import Request, status
from fastapi.responses import RedirectResponse, Response

from ..core.errors import SabtError
from .templating import page

# Addresses that answer programs (problem+json), not people.
NOT_PAGES = ("/api/", "/docs", "/redoc", "/openapi.json", "/health", "/.well-known/", "/static/")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def page_for_error(request: Request, error: SabtError) -> Response:
    if error.status == status.HTTP_401_UNAUTHORIZED:
        return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    back = "/office" if request.url.path.startswith("/office") else "/"
    return page(request, "office/error.html", {"message": error.message_fa, "back": back}, status=error.status)
