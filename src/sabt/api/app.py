"""The application factory: one FastAPI app with each feature's router and one error mapping."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from .. import __version__
from ..access.api import router as access_router
from ..accounts import service as accounts
from ..accounts.api import router as accounts_router
from ..bootstrap import open_context
from ..cards.api import router as cards_router
from ..certificates.api import UPLOAD_PATH
from ..certificates.api import router as certificates_router
from ..certificates.api import well_known as well_known_router
from ..certificates.pages import VERIFY_PAGE
from ..certificates.pages import router as verify_page_router
from ..certificates.service import check_log
from ..config import Settings
from ..context import Context
from ..core.errors import (
    MethodNotAccepted,
    NoSuchAddress,
    RequestMalformed,
    RequestNotJson,
    SabtError,
    ServerDatabaseUnavailable,
    ServerError,
)
from ..credentials.api import router as credentials_router
from ..credentials.api import well_known as credentials_well_known
from ..db import LoopReads, database_unavailable
from ..geo.api import router as geo_router
from ..http import client_address, problem_response, refuse_forbidden_characters
from ..inputs import validation_problem
from ..ledger.api import router as ledger_router
from ..ledger.api import sign_and_witness
from ..linkage.api import EVALUATION_PATH
from ..linkage.api import router as linkage_router
from ..notifications.api import router as notifications_router
from ..registry.api import router as registry_router
from ..stats.api import router as stats_router
from ..stats.pages import DashboardCache
from ..stats.pages import router as stats_pages
from ..verification.api import relay
from ..verification.api import router as verification_router
from ..verification.service import RateLimiter, access_log
from ..web.account import router as account_pages
from ..web.cards import router as card_pages
from ..web.citizen import router as citizen_pages
from ..web.declare import router as declaration_pages
from ..web.desk import router as desk_pages
from ..web.errors import is_page, page_for_error
from ..web.linkage import router as linkage_pages
from ..web.office import router as office_pages
from ..web.security import router as security_pages
from ..web.session import SESSION_COOKIE
from ..web.templating import static as static_router
from ..web.templating import use_timezone
from .docs import router as docs_router
from .head import HeadAsGet
from .limits import BodyLimits
from .openapi import install_openapi
from .operations import RequestMetrics, metrics_token, state_registry
from .operations import router as operations_router
from .read_position import ReadYourWrites
from .request_log import redact_request_log, redacted_path

log = logging.getLogger("sabt.api")


def create_app(context: Context) -> FastAPI:
    app = FastAPI(
        lifespan=_background_work(context),
        title="Sabt civil registry API",
        version=__version__,
        description="Births, deaths, marriages, divorces and national codes. Errors are RFC 9457 problem+json.",
        dependencies=[Depends(refuse_forbidden_characters)],
        docs_url=None,  # served from the package by api/docs.py
        redoc_url=None,
    )
    app.state.context = context
    use_timezone(context.settings.timezone)
    app.state.rate_limiter = RateLimiter(processes=context.settings.server_processes)
    app.state.access_log = access_log(context)
    app.state.loop_reads = LoopReads(context.db)
    app.state.certificate_checks = check_log(context)
    app.state.stats_cache = DashboardCache(context.settings.stats_cache_seconds)
    app.state.metrics_token = metrics_token(context.settings)
    app.state.registry_state = state_registry(context)
    app.add_middleware(HeadAsGet)
    if context.db.replicated:
        app.add_middleware(ReadYourWrites)
    app.add_middleware(
        BodyLimits,
        max_bytes=context.settings.max_body_bytes,
        uploads=frozenset({UPLOAD_PATH, VERIFY_PAGE, EVALUATION_PATH}),
        max_upload_bytes=context.settings.max_upload_bytes,
    )
    app.add_middleware(RequestMetrics)  # the outermost: every answer, refusals of the others included
    feature_routers = (
        accounts_router,
        geo_router,
        registry_router,
        ledger_router,
        certificates_router,
        verification_router,
        notifications_router,
        credentials_router,
        cards_router,
        stats_router,
        linkage_router,
        access_router,
    )
    for router in feature_routers:
        app.include_router(router, prefix="/api")
    pages = (
        operations_router,
        docs_router,
        well_known_router,
        credentials_well_known,
        verify_page_router,
        static_router,
        account_pages,
        desk_pages,
        office_pages,
        declaration_pages,
        citizen_pages,
        stats_pages,
        card_pages,
        linkage_pages,
        security_pages,
    )
    for router in pages:
        app.include_router(router)
    _add_error_mapping(app)
    install_openapi(app)

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


def app_from_environment() -> FastAPI:
    """The app one server process serves, its settings read from the environment (`sabt serve`)."""
    return create_app(open_context(Settings()))


def _witness_checkpoint(context: Context) -> None:
    _, outcomes = sign_and_witness(context, only_if_grown=True)
    for outcome in outcomes:
        if not outcome.cosigned:
            log.warning("witness %s did not cosign: %s", outcome.witness, outcome.detail)


def _background_work(context: Context) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """While the server runs: sign a checkpoint every `checkpoint_seconds` when the ledger has grown, and
    relay the outbox to partners' webhooks every `webhook_seconds` (0 turns either off)."""
    jobs = [
        (
            context.settings.checkpoint_seconds,
            "signing and witnessing a ledger checkpoint",
            lambda: _witness_checkpoint(context),
        ),
        (context.settings.webhook_seconds, "relaying webhooks", lambda: relay(context)),
    ]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redact_request_log()  # here: the server has configured its logging by now
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
        if error.code in RECORDED_REFUSALS:
            await run_in_threadpool(_record_refusal, request, error)
        if is_page(request):
            return await page_for_error(request, error)
        return problem_response(error, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = [validation_problem(item) for item in error.errors()]
        if is_page(request):
            return await page_for_error(request, problems[0])
        if any(problem.code == "request.not_json" for problem in problems):
            return problem_response(RequestNotJson(), instance=request.url.path)
        listed = [
            {"field": p.field, "code": p.code, "detail": p.message_en, "message_fa": p.message_fa} for p in problems
        ]
        return problem_response(problems[0], instance=request.url.path, errors=listed)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        """The framework's own refusals, by their real status: no route (404), a method the route does not
        take (405), and a body it could not read at all (400: not UTF-8, nested too deeply to parse)."""
        problem = _framework_problem(error)
        if is_page(request):
            return await page_for_error(request, problem)
        allowed = {"Allow": error.headers["Allow"]} if error.headers and "Allow" in error.headers else None
        return problem_response(problem, instance=request.url.path, headers=allowed)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, error: DBAPIError) -> Response:
        """A connection the database dropped or refused (a restart, a failover) fails the request that found
        it, and the pool then replaces its connections: the caller may try again in a moment."""
        if not database_unavailable(error):
            return await unexpected(request, error)
        log.warning("the database was unavailable during %s %s", request.method, request.url.path)
        return await sabt_error(request, ServerDatabaseUnavailable(seconds=1))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, _error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if is_page(request):
            return await page_for_error(request, ServerError())
        return problem_response(ServerError(), instance=request.url.path)


# A signed-in user refused for their role, for another office's record, or for a step-up they skipped: an
# account event, so that an auditor sees who tried what.
RECORDED_REFUSALS = frozenset({"role.forbidden", "office.forbidden", "auth.step_up"})


def _record_refusal(request: Request, error: SabtError) -> None:
    # The credential the refused request was answered for: a page's session, the API's bearer token.
    scheme, bearer = get_authorization_scheme_param(request.headers.get("authorization"))
    token = (
        request.cookies.get(SESSION_COOKIE, "") if is_page(request) else bearer if scheme.lower() == "bearer" else ""
    )
    if token:
        what = f"{error.code} {error.params.get('action', '')}: {request.method} {redacted_path(request.url.path)}"
        accounts.record_refusal(request.app.state.context, token=token, what=what, address=client_address(request))


def _framework_problem(error: HTTPException) -> SabtError:
    if error.status_code == 404:
        return NoSuchAddress()
    if error.status_code == 405:
        return MethodNotAccepted()
    return RequestMalformed()
