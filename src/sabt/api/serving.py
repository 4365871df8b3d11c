"""`sabt serve`: one server process, or several on one port.

Each process builds its own app from the environment (`app_from_environment`). With several, each listens
on a socket of its own bound to the shared port (SO_REUSEPORT), so that the kernel spreads connections
over them; a socket shared by all would go to whichever process woke first, and a partner's pool of
connections opened at once would all land on one. The background jobs run in each process and are safe
side by side: relaying claims deliveries row by row, and a checkpoint signer waits for another's and then
finds it. The processes count their requests in files of one folder (`metrics.MULTIPROCESS_FOLDER`), made
empty for each start, so that `/metrics` from any of them adds up all.
"""

import logging
import multiprocessing
import os
import signal
import socket
import sys
import tempfile
import threading
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

import uvicorn
from prometheus_client import multiprocess
from uvicorn.config import STARTUP_FAILURE  # a process that could not start would fail the same way again

from ..config import Settings
from ..logs import server_log_config
from ..metrics import MULTIPROCESS_FOLDER

APP = "sabt.api.app:app_from_environment"
log = logging.getLogger("uvicorn.error")


def serve(host: str, port: int, workers: int) -> None:
    # Certificates print where to verify them, and passkeys are bound to the site: without SABT_PUBLIC_URL
    # that is the address served here, not a fixed default that names another port.
    os.environ.setdefault("SABT_PUBLIC_URL", address_served(host, port))
    settings = Settings()  # a bad setting stops here, before any process starts
    log_config = server_log_config(settings.log_format)
    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port, log_config=log_config)
        return
    # The port must be free: a socket bound without SO_REUSEPORT fails if anything listens there, even
    # another server's processes that would otherwise share their port with these.
    with tcp_listener(host, port, reuse_port=False):
        pass
    os.environ.setdefault("SABT_SERVER_PROCESSES", str(workers))  # each process admits its share of rate limits
    with tempfile.TemporaryDirectory(prefix="sabt-metrics-") as counts:
        os.environ[MULTIPROCESS_FOLDER] = counts
        _supervise(host, port, workers, log_config)


def address_served(host: str, port: int) -> str:
    """The address people reach the server at: a server listening on every interface is reached by the
    machine's name."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - recognised here, not bound
        host = socket.gethostname()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def tcp_listener(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A listening socket marked as TCP: asyncio turns Nagle's algorithm off only on connections accepted
    from such a socket (uvicorn's own shared socket was not marked, and every answer after a connection's
    first waited for a delayed ACK, about 40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    return listener


def _supervise(host: str, port: int, workers: int, log_config: dict[str, Any]) -> None:
    """Start the processes, start again one that dies, and stop them all on SIGINT or SIGTERM."""
    stopping = threading.Event()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):  # before any process starts, so none is left behind
        signal.signal(stop_signal, lambda *_: stopping.set())
    spawn = multiprocessing.get_context("spawn")
    processes = [_start(spawn, host, port, log_config) for _ in range(workers)]
    failed = False
    while not stopping.wait(0.5):
        for index, process in enumerate(processes):
            if process.is_alive():
                continue
            if process.exitcode == STARTUP_FAILURE:
                log.error("server process %s could not start; stopping", process.pid)
                failed = True
                stopping.set()
                break
            log.warning("server process %s ended (exit code %s); starting another", process.pid, process.exitcode)
            # Its connections are gone: no longer counted as in use (the library's function is unannotated).
            multiprocess.mark_process_dead(process.pid)  # type: ignore[no-untyped-call]
            processes[index] = _start(spawn, host, port, log_config)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
    if failed:
        sys.exit(STARTUP_FAILURE)


def _start(spawn: SpawnContext, host: str, port: int, log_config: dict[str, Any]) -> SpawnProcess:
    process = spawn.Process(target=_serve_one, args=(host, port, log_config), daemon=False)
    process.start()
    return process


def _serve_one(host: str, port: int, log_config: dict[str, Any]) -> None:
    """One server process on its own socket in the port's group."""
    server = uvicorn.Server(uvicorn.Config(APP, factory=True, host=host, port=port, log_config=log_config))
    try:
        listener = tcp_listener(host, port, reuse_port=True)
    except OSError as error:  # taken since the supervisor looked
        log.error("cannot listen on %s:%s: %s", host, port, error.strerror)
        sys.exit(STARTUP_FAILURE)
    server.run(sockets=[listener])
    if not server.started:
        sys.exit(STARTUP_FAILURE)
