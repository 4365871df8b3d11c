"""`sabt serve`: one server process, or several sharing one listening socket.

Each process builds its own app from the environment (`app_from_environment`). The background jobs run in
each process and are safe side by side: relaying claims deliveries row by row, and a checkpoint signer
waits for another's and then finds it.
"""

import os
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from ..config import Settings

APP = "sabt.api.app:app_from_environment"


def serve(host: str, port: int, workers: int) -> None:
    Settings()  # a bad setting stops here, before any process starts
    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port, log_level="info")
        return
    listener = tcp_listener(host, port)
    os.environ.setdefault("SABT_SERVER_PROCESSES", str(workers))  # each process admits its share of rate limits
    config = uvicorn.Config(APP, factory=True, host=host, port=port, workers=workers, log_level="info")
    Multiprocess(config, sockets=[listener]).run()


def tcp_listener(host: str, port: int) -> socket.socket:
    """The socket the processes share, made as uvicorn makes it but marked as TCP: asyncio turns Nagle's
    algorithm off only on connections accepted from a socket whose protocol says TCP, and uvicorn's own
    leaves it unset, so each answer after a connection's first waited for a delayed ACK (about 40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.set_inheritable(True)
    return listener
