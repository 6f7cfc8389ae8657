"""Decorators shared by staff pages."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import PermissionDeniedError

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
