"""What the emulator's three HTTP servers (Invoke API, S3 front, site origin) share."""

import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    # A launch opens dozens of connections at once; the default backlog of 5 drops SYNs, and the
    # caller's retransmits take long enough to trip Remotion's own 30 s invoke timeout.
    request_queue_size = 256
    server_address: tuple[str, int]  # bound to (host, 0) below: a str host

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), handler)

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        # An invocation's process ends with its SDK's keep-alive connections open: not an error.
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)
