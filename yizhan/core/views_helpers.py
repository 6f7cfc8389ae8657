"""Helpers shared by staff pages: the staff-only decorator and the POST action that calls one service."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError

NO_ROLE_MESSAGE = _("您的账号尚未被授予任何角色，请联系安全管理员")


def staff_view(view):
    """A page for signed-in staff acting for a unit through one of their roles."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.actor is None or request.actor.membership is None:
            raise PermissionDeniedError(NO_ROLE_MESSAGE)
        return view(request, *args, **kwargs)

    return wrapper


def run_action(request, back: str, action: Callable[[], Any], success=None):
    """Run `action()` (one service call) for a staff page's POST and go back to the URL `back` either way.

    A rule's refusal (ApplicationError) becomes the page's error message; a role's refusal stays a 403
    and an object outside the scope a 404 (spec §1), so they are raised on to the error middleware.
    On success the message is `success`: a text, a function of the action's result, or, when None,
    the result itself (an action that words its own message)."""
    try:
        result = action()
    except (PermissionDeniedError, NotFoundError):
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if success is None:
            success = result
        elif callable(success):
            success = success(result)
        messages.success(request, success)
    return redirect(back)


def int_param(request, name: str) -> int | None:
    """The query parameter `name` as a record's key: a whole number of up to nine digits, else None
    (absent, anything else, or a key too long for the database reads as not given)."""
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


def add_refusal(form, error: ApplicationError) -> None:
    """A service's refusal shown on `form`: at its field when the form has that field, else above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
