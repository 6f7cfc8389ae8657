"""The login page and the signed-in user's own account-security pages: change the password, pass
the second factor, enrol an authenticator and read the recovery codes once (issue 5 §1). Thin: the
rules are in `passwords` and `twofactor`; `middleware.AccountSecurityMiddleware` sends users here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from yizhan.core.errors import ApplicationError
from yizhan.orgs.accounts import passwords, twofactor
from yizhan.orgs.accounts.forms import EnrolTokenForm, PasswordChangeForm, TokenForm
from yizhan.orgs.accounts.middleware import PASSWORD_OUTDATED_SESSION_KEY

PASSWORD_CHANGED = _("密码已修改")
VERIFIED = _("双因素验证已通过")
RECOVERY_CODE_SPENT = _("已使用一个恢复码，还剩 {left} 个。恢复码用完前，请尽快找回手机或请安全管理员重新绑定。")
ENROLLED = _("身份验证器已绑定")
CODES_GONE = _("恢复码只在绑定时显示一次。如已遗失，请联系安全管理员清除设备后重新绑定。")
NOT_NEEDED = _("您的角色无须双因素验证")

RECOVERY_CODES_SESSION_KEY = "yizhan_recovery_codes"


def _next_url(request) -> str:
    """Where to go afterwards: the page the user was sent away from, if it is on this site."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("staff:home")


def _with_next(url_name: str, request) -> str:
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: _next_url(request)})}"


class LoginView(auth_views.LoginView):
    """Django's login page, which also checks the password just accepted against the current rules
    (issue 13 item 7): one set before they were tightened must be changed before anything else."""

    template_name = "registration/login.html"

    def form_valid(self, form):
        outdated = passwords.password_policy_check_at_login(
            user=form.get_user(), password=form.cleaned_data["password"]
        )
        response = super().form_valid(form)  # signs in: the session is new from here
        if outdated:
            self.request.session[PASSWORD_OUTDATED_SESSION_KEY] = True
        return response


@never_cache
@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = passwords.password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ApplicationError as error:
            form.add_error("new_password" if error.field == "password" else error.field, error.message)
        else:
            update_session_auth_hash(request, user)  # this session stays; the account's others end
            request.session.pop(PASSWORD_OUTDATED_SESSION_KEY, None)
            messages.success(request, PASSWORD_CHANGED)
            return redirect(_next_url(request))
    # "Someone else chose your password" is not why a password short of the current rules must go.
    forced = request.user.must_change_password and not request.session.get(PASSWORD_OUTDATED_SESSION_KEY)
    return render(
        request, "registration/password_change.html", {"form": form, "forced": forced, "next": _next_url(request)}
    )


@never_cache
@login_required
def otp_verify(request):
    if twofactor.confirmed_totp_device(request.user) is None:
        return redirect(_with_next("account:otp_setup", request))
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.second_factor_verify(user=request.user, token=form.cleaned_data["token"])
        except ApplicationError as error:
            form.add_error("token", error.message)
        else:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(request, RECOVERY_CODE_SPENT.format(left=device.token_set.count()))
            else:
                messages.success(request, VERIFIED)
            return redirect(_next_url(request))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def otp_setup(request):
    if twofactor.confirmed_totp_device(request.user) is not None:
        return redirect(_with_next("account:otp_verify", request))
    if not twofactor.two_factor_required(request.user):
        messages.info(request, NOT_NEEDED)
        return redirect("staff:home")
    device = twofactor.totp_enrolment_device(user=request.user)
    form = EnrolTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = twofactor.totp_enrol_confirm(user=request.user, token=form.cleaned_data["token"])
        except ApplicationError as error:
            form.add_error("token", error.message)
        else:
            otp_login(request, device)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            messages.success(request, ENROLLED)
            return redirect(_with_next("account:recovery_codes", request))
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_svg": twofactor.totp_qr_svg(device),
            "secret": twofactor.totp_secret_text(device),
        },
    )


@never_cache
@login_required
def recovery_codes(request):
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        messages.info(request, CODES_GONE)
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
