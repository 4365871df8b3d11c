"""The application factory: one FastAPI app with each feature's router and one error mapping."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from .. import __version__
from ..accounts.api import router as accounts_router
from ..cards.api import router as cards_router
from ..certificates.api import UPLOAD_PATH
from ..certificates.api import router as certificates_router
from ..certificates.api import well_known as well_known_router
from ..certificates.pages import VERIFY_PAGE
from ..certificates.pages import router as verify_page_router
from ..certificates.verification import check_log
from ..config import Settings
from ..context import Context
from ..core.errors import InvalidInput, NotFound, SabtError
from ..db import LoopReads
from ..geo.api import router as geo_router
from ..http import problem_response
from ..ledger.api import router as ledger_router
from ..ledger.service import sign_checkpoint
from ..linkage.api import EVALUATION_PATH
from ..linkage.api import router as linkage_router
from ..registry.api import router as registry_router
from ..stats.api import router as stats_router
from ..stats.pages import DashboardCache
from ..stats.pages import router as stats_pages
from ..verification.api import router as verification_router
from ..verification.ratelimit import RateLimiter
from ..verification.service import access_log
from ..verification.webhooks import HttpSender, relay
from ..web.account import router as account_pages
from ..web.cards import router as card_pages
from ..web.citizen import router as citizen_pages
from ..web.declare import router as declaration_pages
from ..web.errors import is_page, page_for_error
from ..web.linkage import router as linkage_pages
from ..web.office import router as office_pages
from ..web.templating import static as static_router
from ..web.templating import use_timezone
from ..wiring import open_context
from .limits import BodyLimits

log = logging.getLogger("sabt.api")


def create_app(context: Context) -> FastAPI:
    app = FastAPI(
        lifespan=_background_work(context),
        title="Sabt civil registry API",
        version=__version__,
        description="Births, deaths, marriages, divorces and national codes. Errors are RFC 9457 problem+json.",
    )
    app.state.context = context
    use_timezone(context.settings.timezone)
    app.state.rate_limiter = RateLimiter(processes=context.settings.server_processes)
    app.state.access_log = access_log(context)
    app.state.loop_reads = LoopReads(context.db)
    app.state.certificate_checks = check_log(context)
    app.state.stats_cache = DashboardCache(context.settings.stats_cache_seconds)
    app.add_middleware(
        BodyLimits,
        max_bytes=context.settings.max_body_bytes,
        uploads=frozenset({UPLOAD_PATH, VERIFY_PAGE, EVALUATION_PATH}),
        max_upload_bytes=context.settings.max_upload_bytes,
    )
    feature_routers = (accounts_router, geo_router, registry_router, ledger_router, certificates_router,
                       verification_router, cards_router, stats_router, linkage_router)  # fmt: skip
    for router in feature_routers:
        app.include_router(router, prefix="/api")
    for router in (well_known_router, verify_page_router, static_router, account_pages, office_pages,
                   declaration_pages, citizen_pages, stats_pages, card_pages, linkage_pages):  # fmt: skip
        app.include_router(router)
    _add_error_mapping(app)

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


def app_from_environment() -> FastAPI:
    """The app one server process serves, its settings read from the environment (`sabt serve`)."""
    return create_app(open_context(Settings()))


def _background_work(context: Context) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """While the server runs: sign a checkpoint every `checkpoint_seconds` when the ledger has grown, and
    relay the outbox to partners' webhooks every `webhook_seconds` (0 turns either off)."""
    sender = HttpSender()
    jobs = [
        (context.settings.checkpoint_seconds, "signing a ledger checkpoint",
         lambda: sign_checkpoint(context, only_if_grown=True)),
        (context.settings.webhook_seconds, "relaying webhooks", lambda: relay(context, sender)),
    ]  # fmt: skip

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(_every(interval, what, work)) for interval, what, work in jobs if interval]
        # What the server made while starting lives as long as it does: a full collection need not walk it
        # again (under load such collections showed as the checks' slowest answers).
        gc.freeze()
        yield
        for task in tasks:
            task.cancel()
        await app.state.loop_reads.close()

    return lifespan


async def _every(interval: int, what: str, work: Callable[[], object]) -> None:
    while True:
        try:
            await asyncio.to_thread(work)
        except Exception:  # tried again next round (the outbox keeps every message); the server stays up
            log.exception("%s failed", what)
        await asyncio.sleep(interval)


def _add_error_mapping(app: FastAPI) -> None:
    @app.exception_handler(SabtError)
    async def sabt_error(request: Request, error: SabtError) -> Response:
        if is_page(request):
            return page_for_error(request, error)
        return problem_response(error, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = [_validation_problem(item) for item in error.errors()]
        if is_page(request):
            return page_for_error(request, problems[0])
        if any(problem.code == "request.not_json" for problem in problems):
            return problem_response(InvalidInput("request.not_json"), instance=request.url.path)
        listed = [
            {"field": p.field, "code": p.code, "detail": p.message_en, "message_fa": p.message_fa} for p in problems
        ]
        return problem_response(problems[0], instance=request.url.path, errors=listed)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        code = "not_found" if error.status_code == 404 else "method"
        problem = NotFound(code) if error.status_code == 404 else _MethodNotAllowed(code)
        if is_page(request):
            return page_for_error(request, problem)
        return problem_response(problem, instance=request.url.path)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, error: DBAPIError) -> Response:
        """A connection the database dropped (a restart, a failover) fails the request that found it, and
        the pool then replaces its connections: the caller may try again at once."""
        if not error.connection_invalidated:
            return await unexpected(request, error)
        log.warning("the database dropped a connection during %s %s", request.method, request.url.path)
        return await sabt_error(request, _DatabaseUnavailable("server.database_unavailable", seconds=1))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, _error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(_ServerError("server.error"), instance=request.url.path)


class _MethodNotAllowed(SabtError):
    status = 405


class _ServerError(SabtError):
    status = 500


class _DatabaseUnavailable(SabtError):
    status = 503


def _validation_problem(item: Any) -> SabtError:
    location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(location) or None
    kind = item.get("type", "")
    if kind == "json_invalid":
        return InvalidInput("request.not_json")
    if kind == "missing":
        return InvalidInput("request.missing", field=field)
    if kind == "extra_forbidden":
        return InvalidInput("request.extra", field=field)
    return InvalidInput("request.invalid", field=field, detail=item.get("msg", "invalid value"))
