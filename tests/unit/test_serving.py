"""The listening socket `sabt serve --workers` shares between its processes."""

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

from sabt.api.serving import tcp_listener


def test_connections_accepted_from_the_shared_socket_send_without_waiting_for_acks():
    """asyncio turns Nagle's algorithm off only on connections from a socket marked as TCP; uvicorn's own
    shared socket was not, and every answer after a connection's first waited about 40 ms."""

    async def accepted_nodelay() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                connection = transport.get_extra_info("socket")
                accepted.set_result(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        listener = tcp_listener("127.0.0.1", 0, reuse_port=True)
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", listener.getsockname()[1])
            nodelay = await asyncio.wait_for(accepted, 10)
            writer.close()
        return nodelay

    with ThreadPoolExecutor(1) as own_loop:  # the browser tests keep an event loop running in this thread
        assert own_loop.submit(asyncio.run, accepted_nodelay()).result() != 0
