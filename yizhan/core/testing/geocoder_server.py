"""A stand-in for Amap's or Tianditu's geocoding web service on a local port, for tests: the
geocoder adapter (core/geo/geocoder.py) talks real HTTP to it, so its timeout, its error handling
and its parsing are exercised as they are in production, and the tests see each request it made.

    with GeocoderServer() as server:
        server.answer({"status": "1", "geocodes": [...]})   # or .answer(body, status=500, delay=1.0)
        settings.YIZHAN_GEOCODER_URL = server.url
        ...
        server.requests  # [{"path": "/geocode", "query": {"key": [...], "address": [...]}}, ...]
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class GeocoderServer:
    def __init__(self):
        self.requests: list[dict] = []
        self._answer: tuple[int, bytes, float] = (200, b"{}", 0.0)
        self._released = threading.Event()  # ends the delay of a slow answer at shutdown
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                server.requests.append({"path": parts.path, "query": parse_qs(parts.query)})
                status, body, delay = server._answer
                if delay:
                    server._released.wait(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting (a timeout test)
                    pass

            def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/geocode"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def answer(self, body, *, status: int = 200, delay: float = 0.0) -> None:
        """Answer every following request with `body` (JSON-encoded unless bytes) after `delay` seconds."""
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self._answer = (status, raw, delay)

    def __enter__(self) -> GeocoderServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()
