"""Abuse limits of public feedback and problem reports without a captcha (issue 4 §4, issue 15 §4):
budgets per client, per client and position, and per position, counted in Django's cache (Redis in
production, so every server process shares them). The windows are set by `YIZHAN_FEEDBACK_LIMITS`
and `YIZHAN_PROBLEM_REPORT_LIMITS` (`SETTINGS`); each kind counts in buckets of its own.

Each window starts with the first submission it counts and lasts its length, so "1 per hour"
means one hour between two accepted submissions (a window fixed to the clock would let one
through at 10:59 and another at 11:00). A submission is checked against every window first and
refused without counting anything, so refused attempts never use up a budget; an accepted one is
counted in every window with atomic increments, and when a concurrent submission took the last
place meanwhile, its counts are taken back and it is refused. Cache keys carry the client key
(a keyed hash), never the address.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

SCOPES = ("client", "client_position", "position")
KEY_PREFIX = "feedback-limit"
FEEDBACK, PROBLEM_REPORT = "feedback", "problem_report"
# What is limited → its setting, and the prefix of its buckets (feedback's have none, as before).
SETTINGS = {FEEDBACK: "YIZHAN_FEEDBACK_LIMITS", PROBLEM_REPORT: "YIZHAN_PROBLEM_REPORT_LIMITS"}
BUCKET_PREFIXES = {FEEDBACK: "", PROBLEM_REPORT: "r"}
# Counters outlive their window a little, so an increment never lands on an expired counter.
COUNTER_GRACE_S = 60


@dataclass(frozen=True)
class Window:
    count: int
    seconds: int


@dataclass(frozen=True)
class Refusal:
    scope: str
    retry_after: int  # seconds until the window that refused ends


@dataclass
class Charge:
    """What counting one submission did: the counters it raised (to take back if saving fails),
    or the refusal."""

    keys: list[str] = field(default_factory=list)
    refusal: Refusal | None = None


def configured_windows(kind: str = FEEDBACK) -> dict[str, list[Window]]:
    """The setting of `kind` (`YIZHAN_FEEDBACK_LIMITS`…) as windows per scope. Every scope must be
    named (an empty list switches one off knowingly), so a partial setting cannot drop a limit by
    omission."""
    name = SETTINGS[kind]
    raw = getattr(settings, name, None)
    if not isinstance(raw, dict) or set(raw) != set(SCOPES):
        raise ImproperlyConfigured(f"{name} must be a dict with exactly the keys {', '.join(SCOPES)}")
    windows = {}
    for scope in SCOPES:
        try:
            windows[scope] = [Window(int(count), int(seconds)) for count, seconds in raw[scope]]
        except (TypeError, ValueError):
            raise ImproperlyConfigured(f"{name}[{scope!r}] must be a list of (count, seconds) pairs") from None
        if any(w.count < 1 or w.seconds < 1 for w in windows[scope]):
            raise ImproperlyConfigured(f"{name}[{scope!r}]: counts and seconds must be positive")
    return windows


def buckets(*, client_key: str, position_id: int, kind: str = FEEDBACK) -> dict[str, str]:
    """The counter name of each scope for one submission of `kind`."""
    prefix = BUCKET_PREFIXES[kind]
    return {
        "client": f"{prefix}c:{client_key}",
        "client_position": f"{prefix}cp:{client_key}:{position_id}",
        "position": f"{prefix}p:{position_id}",
    }


def _now() -> float:
    return time.time()


def _start_key(bucket: str, window: Window) -> str:
    return f"{KEY_PREFIX}:{bucket}:{window.count}/{window.seconds}"


def _count_key(start_key: str, start: float) -> str:
    return f"{start_key}:{int(start * 1000)}"


def _current_start(start: float | None, window: Window, now: float) -> float | None:
    """The start of the window running at `now`, or None when none runs."""
    return start if start is not None and start + window.seconds > now else None


def charge(bucket_names: dict[str, str], *, kind: str = FEEDBACK) -> Charge:
    """Count one submission in every window of every scope, or refuse it (nothing counted) when a
    window has no place left; the refusal names the window that ends last."""
    windows = configured_windows(kind)
    now = _now()
    planned = [(scope, _start_key(bucket, w), w) for scope, bucket in bucket_names.items() for w in windows[scope]]
    stored = cache.get_many([key for _, key, _ in planned])
    running = {
        key: stored[key] for _, key, window in planned if _current_start(stored.get(key), window, now) is not None
    }
    counts = cache.get_many([_count_key(key, start) for key, start in running.items()])
    refusals = [
        Refusal(scope, _retry_after(running[key], window, now))
        for scope, key, window in planned
        if key in running and counts.get(_count_key(key, running[key]), 0) >= window.count
    ]
    if refusals:
        return Charge(refusal=max(refusals, key=lambda r: r.retry_after))

    result = Charge()
    for scope, key, window in planned:
        start = _open_window(key, window, now)
        counter = _count_key(key, start)
        result.keys.append(counter)
        if _increment(counter, window) > window.count:
            refusals.append(Refusal(scope, _retry_after(start, window, now)))
    if refusals:  # a concurrent submission took the last place between the check and the count
        refund(result)
        return Charge(refusal=max(refusals, key=lambda r: r.retry_after))
    return result


def refund(charged: Charge) -> None:
    """Take back the counts of a submission that was not saved after all."""
    for key in charged.keys:
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing to take back
            cache.decr(key)
    charged.keys = []


def _open_window(key: str, window: Window, now: float) -> float:
    """The start of the running window, starting one now when none runs."""
    start = _current_start(cache.get(key), window, now)
    if start is not None:
        return start
    # add() lets one of several concurrent first submissions set the start; the others read it.
    # A start still stored but already over (its expiry not yet reached) is replaced.
    if not cache.add(key, now, window.seconds):
        start = _current_start(cache.get(key), window, now)
        if start is not None:
            return start
        cache.set(key, now, window.seconds)
    return now


def _increment(counter: str, window: Window) -> int:
    cache.add(counter, 0, window.seconds + COUNTER_GRACE_S)
    try:
        return cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, window.seconds + COUNTER_GRACE_S)
        return 1


def _retry_after(start: float, window: Window, now: float) -> int:
    return max(1, math.ceil(start + window.seconds - now))
