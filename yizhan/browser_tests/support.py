"""Constants and checks shared by the browser tests and scripts/screenshots.py."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

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
