"""The one application error type. Services raise it; views and the API turn it into a clear message."""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A rule of the domain refused the request. `message` is shown to the user as is (Chinese)."""

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    """The object does not exist or lies outside the actor's scope (both answer 404, spec §1)."""


class PermissionDeniedError(ApplicationError):
    """The object is in scope but the actor's role may not do this to it (403)."""


class ConflictError(ApplicationError):
    """The record changed since the caller read it; saving would overwrite that change (409)."""


def from_validation_error(error) -> ApplicationError:
    """The first field's messages of a Django ValidationError as an ApplicationError naming that field."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        return ApplicationError("；".join(str(m) for e in errors for m in e.messages), field=field)
    return ApplicationError("；".join(error.messages))


# ------------------------------------------------------------------ the API's error answer

# Under this prefix every error is answered as JSON {"detail": "<中文说明>"}, whoever answers it:
# the API's own handlers (yizhan/api.py), URL resolution (a path no route or converter matches),
# Django's error handlers and the error middleware (core/middleware_errors.py).
API_PREFIX = "/api/"
API_CONTENT_TYPE = "application/json; charset=utf-8"

BAD_REQUEST = _("请求无效")
METHOD_NOT_ALLOWED = _("该接口不支持 {method} 请求")
SERVER_ERROR = _("服务器内部错误，请稍后再试")


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(status: int, message, **extra) -> JsonResponse:
    """The API's error shape for answers made outside its own handlers."""
    return JsonResponse(
        {"detail": str(message), **extra},
        status=status,
        content_type=API_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
