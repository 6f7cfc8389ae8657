"""Rendered public pages kept per process (issue 21, "Measured"; decision 33).

Django's template engine costs several milliseconds for a results page, several times the search
itself. What a page shows is of two kinds: what is the same for many requests (the search form,
the status line, the map's frame, a station's page as a whole) and what belongs to one request
(the rider's point in the hidden fields, the cards measured from it, the CSRF token, the path the
language button comes back to). The first is rendered once through the templates with a *slot*
(a marker no escaping touches) in the place of each of the second, and kept; each request fills
the slots of the kept text with its own values, escaped as the template would have escaped them.

Keys hold everything the kept text depends on. Where a page shows stored data (a station's page, a
search from a typed place) the key holds the change feed's mark (`core.changes.latest()`: a write
to any watched table, by anyone, makes a new mark; decision 20), and the page what time changes
in it: a search's page holds for its minute (opening times are whole minutes), a station's page
until its opening state next changes or the day ends; the rest of a page depends on the request's
parameters and the language only.
Kept pages are dropped when a setting changes (tests) and, least recently used first, beyond
`PAGES_MAX`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime

from django.core.signals import setting_changed
from django.middleware.csrf import get_token
from django.utils.html import escape

PAGES_MAX = 2_000  # ~10–20 KB each


def slot(name: str) -> str:
    """The marker of a per-request value in a kept page: plain text no escaping changes."""
    return f"\x1eyizhan-slot:{name}\x1e"


CSRF = slot("csrf")
PATH = slot("path")


class SlotRequest:
    """What a kept page's templates read of `request` (the language button's return path)."""

    @staticmethod
    def get_full_path() -> str:
        return PATH


# What every kept page's template context takes instead of the request's own values.
SLOT_CONTEXT = {"request": SlotRequest(), "csrf_token": CSRF}


class PageCache:
    """Kept pages by key, least recently used dropped first; safe across a worker's threads."""

    def __init__(self, max_size: int = PAGES_MAX):
        self.max_size = max_size
        # key → (page, the moment it stops being true or None)
        self._pages: OrderedDict[Hashable, tuple[str, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable, now: datetime | None = None) -> str | None:
        """The page kept under `key`, unless it expired by `now`."""
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            page, expires = entry
            if expires is not None and now is not None and now >= expires:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: str, expires: datetime | None = None) -> None:
        with self._lock:
            self._pages[key] = (page, expires)
            while len(self._pages) > self.max_size:
                self._pages.popitem(last=False)

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        page = self.get(key)
        if page is None:
            page = render()
            self.put(key, page)
        return page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


PAGES = PageCache()


def fill_slots(page: str, values: dict[str, str]) -> str:
    """`page` with `values` (slot name → text already escaped for where its slot stands) in its slots."""
    for name, value in values.items():
        page = page.replace(slot(name), value)
    return page


def fill(page: str, request, values: dict[str, str] | None = None) -> str:
    """A kept page with this request's values in its slots: the CSRF token (as `{% csrf_token %}`
    gives it, setting the cookie as it does) where the page has a form that needs one, the path,
    and `values` (`fill_slots`). A page without a token (the results) sets no cookie."""
    if CSRF in page:
        page = page.replace(CSRF, get_token(request))
    page = page.replace(PATH, escape(request.get_full_path()))
    return fill_slots(page, values or {})


def _settings_changed(**kwargs) -> None:
    PAGES.clear()


setting_changed.connect(_settings_changed, dispatch_uid="yizhan.finder.pagecache")
