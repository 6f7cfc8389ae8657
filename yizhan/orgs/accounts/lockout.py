"""Login lockout (issue 5 §1, GB/T 22239-2019 8.1.4.1 b: limit failed logins), enforced by
django-axes with the numbers in settings (AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME, counted per
account and, separately, per client address as `core.request_info.remote_addr` sees it).

A successful login clears only its own account's failures (issue 13 item 1): axes' own reset on
success (AXES_RESET_ON_SUCCESS, off) deletes every failure from the client's address, so anyone with
one account could sign in between guesses at another's password and never be locked out. The
database handler keeps one row per account, address and browser, each counter summing its rows, so
deleting the account's rows takes its failures out of every address counter and leaves the rest.

The answer to a locked-out attempt is 429 Too Many Requests — the attempt is refused for a while,
not forbidden for good — with a Retry-After header and a Chinese page (JSON under /api/).
Every lockout is written to the audit chain next to the failed login that caused it.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_context
from yizhan.orgs.accounts.events import AuthEvent, auth_event_record
from yizhan.orgs.models import User

LOCKED_OUT_MESSAGE = _(
    "登录失败次数过多（{limit} 次），该账号或本机地址已被暂时锁定，请 {minutes} 分钟后再试。"
    "如忘记密码，请联系安全管理员重置。"
)


def lockout_minutes(request: HttpRequest | None = None) -> int:
    return int(get_cool_off(request).total_seconds() // 60)


def lockout_message(request: HttpRequest | None = None) -> str:
    return LOCKED_OUT_MESSAGE.format(limit=settings.AXES_FAILURE_LIMIT, minutes=lockout_minutes(request))


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a locked-out login attempt gets back."""
    seconds = int(get_cool_off(request).total_seconds())
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message(request)}, status=settings.AXES_HTTP_RESPONSE_CODE)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": lockout_message(request), "minutes": lockout_minutes(request)},
            status=settings.AXES_HTTP_RESPONSE_CODE,
        )
    response["Retry-After"] = str(seconds)
    return response


@receiver(user_locked_out)
def audit_lockout(sender, request, username=None, ip_address=None, **kwargs):
    """Audit every lockout (and every attempt refused while locked out). The address is already on
    the entry (audit context); the account is named when it exists."""
    name = str(username or "")[:150]
    known = User.objects.filter(username=name).first() if name else None
    # Named after the account tried, as `core.signals` names failed logins.
    with audit_context(actor_id=None, actor_name=name or "匿名"):
        auth_event_record(event=AuthEvent.LOCKED_OUT, user=known, username=name, limit=settings.AXES_FAILURE_LIMIT)


@receiver(user_logged_in)
def lockout_clear_own_failures(sender, request, user, **kwargs):
    """A login proves only this account's password: clear this account's failures (from every
    address), never another account's failures from the same address. The rows are deleted by an
    explicit filter: axes' `reset()` without a username would clear everything."""
    AccessAttempt.objects.filter(username=user.get_username()).delete()
