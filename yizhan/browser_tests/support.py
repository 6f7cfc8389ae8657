"""Constants and checks shared by the browser tests and scripts/screenshots.py."""

from __future__ import annotations

import os
import socket
import time
from types import SimpleNamespace
from urllib.parse import urlsplit
from urllib.request import urlopen

CHROMIUM = os.environ.get("YIZHAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 640}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def off_host(urls: list[str]) -> list[str]:
    """The http(s) URLs among `urls` that went anywhere but this machine."""
    return [u for u in urls if u.startswith(("http:", "https:")) and urlsplit(u).hostname not in LOCAL_HOSTS]


def horizontal_overflow(page) -> tuple[int, list[str]]:
    """The document's scroll width and up to five elements reaching past the viewport's right edge."""
    return page.evaluate(
        """() => {
             const width = document.documentElement.clientWidth;
             const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
               + (typeof el.className === "string" && el.className.trim()
                  ? "." + el.className.trim().split(/\\s+/).join(".") : "");
             const wide = [...document.querySelectorAll("body *")]
               .filter(el => el.getBoundingClientRect().right > width + 0.5).map(name);
             return [document.documentElement.scrollWidth, wide.slice(0, 5)];
           }"""
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_instance(instance):
    """Start a throw-away instance's server and worker (yizhan/tests/core/jobs_support.py) and wait
    for it to answer; yields (url's namespace) until the module's tests are done, then closes it."""
    port = free_port()
    instance.start_server(port)
    instance.start_worker()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urlopen(f"{url}/health/live", timeout=2).read()  # noqa: S310 (our own server)
            break
        except OSError:
            if time.monotonic() > deadline:
                instance.close()
                raise RuntimeError("the server did not start:\n" + instance.log()) from None
            time.sleep(0.5)
    yield SimpleNamespace(instance=instance, url=url)
    instance.close()


class _NoSettings:
    def enable(self):
        pass

    def disable(self):
        pass


def subprocess_live_server(url: str) -> SimpleNamespace:
    """What the harness's pages (new_page, its checks) need of `live_server`, pointing at a
    subprocess server instead of pytest-django's thread."""
    return SimpleNamespace(url=url, _live_server_modified_settings=_NoSettings())
