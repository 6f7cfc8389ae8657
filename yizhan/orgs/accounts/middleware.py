"""Account-security checks on every signed-in request (issue 5 §1), in this order:

1. session time limits (`session_limits`): a session past them is ended and audited; a page sends
   the browser to the login form with a Chinese message, the API answers a JSON 401;
2. the second factor (`twofactor`): a user holding a role that needs it reaches nothing but the
   verification and enrolment pages until this session has passed it (API: JSON 403);
3. a forced password change (`User.must_change_password`): nothing but the change form until done
   (API: JSON 403). The message says why: a password someone else chose, or one the login found
   short of the current rules (`PASSWORD_OUTDATED_SESSION_KEY`, set by `account_views.LoginView`).

Deny by default: every path is checked except the login and logout pages, the account-security
pages themselves, static and uploaded files, the language switch and the health checks. Anonymous
requests (the public finder) pass untouched.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.orgs.accounts.events import AuthEvent, auth_event_record
from yizhan.orgs.accounts.session_limits import now_seconds, session_expiry, session_touch
from yizhan.orgs.accounts.twofactor import confirmed_totp_device, two_factor_required

SESSION_IDLE_MESSAGE = _("您已超过 {minutes} 分钟未操作，为保护账号安全已自动退出，请重新登录。")
SESSION_MAX_AGE_MESSAGE = _("本次登录已超过 {hours} 小时，为保护账号安全已自动退出，请重新登录。")
SECOND_FACTOR_REQUIRED = _("您的角色须通过双因素验证：请先在“双因素验证”页输入身份验证器上的验证码。")
PASSWORD_CHANGE_REQUIRED = _("请先修改初始密码（或安全管理员重置的密码），再继续使用系统。")
PASSWORD_OUTDATED = _("您的密码不符合现行的密码规则，请先修改密码，再继续使用系统。")

# In the session of a login whose password falls short of the current rules.
PASSWORD_OUTDATED_SESSION_KEY = "yizhan_password_outdated"

ACCOUNT_PREFIX = "/account/"
SECOND_FACTOR_PREFIX = "/account/2fa/"


def _open_paths() -> tuple[str, ...]:
    """Paths no check holds back (a signed-in user must still be able to sign out, switch the
    language and load the page's own files)."""
    return (
        reverse("login"),
        reverse("logout"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
        settings.MEDIA_URL,
        "/i18n/",
        "/health/",
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _to_page(request: HttpRequest, url_name: str) -> HttpResponse:
    return redirect(f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")


def session_limit_response(request: HttpRequest) -> HttpResponse | None:
    """End a session past its idle or absolute limit (audited, without the user-initiated logout
    entry): JSON 401 for the API, the login form with the reason for a page."""
    now = now_seconds()
    expired = session_expiry(request.session, now=now)
    if expired is None:
        session_touch(request.session, now=now)
        return None
    auth_event_record(event=expired, user=request.user)
    request.session.flush()
    request.user = AnonymousUser()
    request.actor = None
    if expired == AuthEvent.SESSION_IDLE:
        message = SESSION_IDLE_MESSAGE.format(minutes=int(settings.YIZHAN_SESSION_IDLE_TIMEOUT.total_seconds() // 60))
    else:
        message = SESSION_MAX_AGE_MESSAGE.format(hours=int(settings.YIZHAN_SESSION_MAX_AGE.total_seconds() // 3600))
    if _is_api(request):
        return JsonResponse({"detail": message}, status=401)
    if request.path.startswith(_open_paths()):
        return None
    messages.warning(request, message)
    return _to_page(request, "login")


def second_factor_response(request: HttpRequest) -> HttpResponse | None:
    """Hold back a user whose role needs the second factor until this session has passed it."""
    if request.path.startswith((*_open_paths(), SECOND_FACTOR_PREFIX)) or request.user.is_verified():
        return None
    if not two_factor_required(request.user):
        return None
    if _is_api(request):
        return JsonResponse({"detail": str(SECOND_FACTOR_REQUIRED)}, status=403)
    if confirmed_totp_device(request.user) is None:
        return _to_page(request, "account:otp_setup")
    return _to_page(request, "account:otp_verify")


def password_change_response(request: HttpRequest) -> HttpResponse | None:
    """Hold back a user who must replace a password someone else chose, or one short of the current
    rules, until they have."""
    if not request.user.must_change_password or request.path.startswith((*_open_paths(), ACCOUNT_PREFIX)):
        return None
    message = PASSWORD_OUTDATED if request.session.get(PASSWORD_OUTDATED_SESSION_KEY) else PASSWORD_CHANGE_REQUIRED
    if _is_api(request):
        return JsonResponse({"detail": str(message)}, status=403)
    messages.warning(request, message)
    return _to_page(request, "account:password_change")


CHECKS = (session_limit_response, second_factor_response, password_change_response)


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for check in CHECKS:
            if not request.user.is_authenticated:
                break
            response = check(request)
            if response is not None:
                return response
        return self.get_response(request)
