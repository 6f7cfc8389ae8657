"""Time limits of a signed-in session (issue 5 §1, GB/T 22239-2019 8.1.4.1 b: end a session
after a period without activity).

A session ends after `YIZHAN_SESSION_IDLE_TIMEOUT` without a request (default 30 minutes) and, however
active, `YIZHAN_SESSION_MAX_AGE` after the login (default 12 hours). Both instants are kept in the
session itself (Unix seconds), written at login and checked on every request by
`orgs.middleware.AccountSecurityMiddleware`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from yizhan.orgs.accounts.events import AuthEvent

LOGIN_AT_KEY = "yizhan_login_at"
SEEN_AT_KEY = "yizhan_seen_at"
# Activity is written back at most once a minute, so a busy user's requests do not each rewrite the
# session row; the idle limit is therefore exact to the minute.
SEEN_AT_RESOLUTION = 60


def now_seconds() -> int:
    return int(timezone.now().timestamp())


def session_start(session) -> None:
    """Stamp a new login's session with its login and last-activity instants."""
    now = now_seconds()
    session[LOGIN_AT_KEY] = now
    session[SEEN_AT_KEY] = now


@receiver(user_logged_in)
def stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_start(request.session)


def session_expiry(session, *, now: int) -> AuthEvent | None:
    """The limit the session has passed (`SESSION_MAX_AGE` or `SESSION_IDLE`), or None. A signed-in
    session without the stamps predates the limits and counts as past the maximum age."""
    login_at, seen_at = session.get(LOGIN_AT_KEY), session.get(SEEN_AT_KEY)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return AuthEvent.SESSION_MAX_AGE
    if now - login_at >= settings.YIZHAN_SESSION_MAX_AGE.total_seconds():
        return AuthEvent.SESSION_MAX_AGE
    if now - seen_at >= settings.YIZHAN_SESSION_IDLE_TIMEOUT.total_seconds():
        return AuthEvent.SESSION_IDLE
    return None


def session_touch(session, *, now: int) -> None:
    """Note activity (see `SEEN_AT_RESOLUTION`)."""
    if now - session.get(SEEN_AT_KEY, 0) >= SEEN_AT_RESOLUTION:
        session[SEEN_AT_KEY] = now
