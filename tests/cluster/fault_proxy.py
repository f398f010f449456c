"""A reverse proxy in front of an S3 API server that answers some requests with faults.

Every ``period``-th request is not forwarded: it gets ``503 SlowDown`` (throttling) or
``500 InternalError``, alternately, as an S3 server under load does. Other requests are
forwarded unchanged (the Host header too, so signatures stay valid).
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAULTS = (
    (503, "SlowDown", "Please reduce your request rate."),
    (500, "InternalError", "We encountered an internal error. Please try again."),
)
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class FaultProxy(ThreadingHTTPServer):
    """Forward to ``upstream``; fault every ``period``-th request; count what was injected."""

    daemon_threads = True

    def __init__(self, upstream: str, period: int = 4) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = urlsplit(upstream)
        self.period = period
        self.requests = 0
        self.injected: dict[int, int] = {503: 0, 500: 0}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        """The URL clients use instead of the upstream's."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_fault(self) -> tuple[int, str, str] | None:
        """Return the fault for this request, or None to forward it."""
        with self._lock:
            self.requests += 1
            if self.requests % self.period:
                return None
            fault = FAULTS[(self.requests // self.period) % len(FAULTS)]
            self.injected[fault[0]] += 1
            return fault

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().strip().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        length = str(len(body))
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
            elif name.lower() == "content-length" and self.command == "HEAD":
                length = value  # a HEAD answer tells the size of the object it has no body of
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        body = self._body()
        fault = self.server.next_fault()
        if fault is not None:
            status, code, message = fault
            xml = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
            xml += f"<Message>{message}</Message><RequestId>fault</RequestId></Error>"
            self._reply(status, [("Content-Type", "application/xml")], xml.encode())
            return
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.hostname or "127.0.0.1", up.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "transfer-encoding"}
        headers["Content-Length"] = str(len(body))
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            self._reply(response.status, response.getheaders(), data)
        finally:
            conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle
