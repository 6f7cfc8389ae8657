"""The JSON API under /api/v1/ with its OpenAPI schema at /api/v1/openapi.json and docs at /api/v1/docs.

Each context contributes one router; errors from services map to JSON errors here, in one place.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import django_auth

from yizhan.core.api import router as audit_router
from yizhan.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE
from yizhan.finder.api import router as finder_router
from yizhan.ledger.api import router as feedback_public_router
from yizhan.ledger.api import staff_router as feedback_router
from yizhan.orgs.api import router as orgs_router
from yizhan.positions.api import router as positions_router

LOGIN_REQUIRED = _("请先登录")

api = NinjaAPI(
    title="Yizhan API",
    version="1",
    description="驿站：工会服务阵地管理平台接口。员工接口使用登录会话（Cookie + CSRF）。",
    auth=django_auth,
    urls_namespace="api",
)


def _error(request, status: int, message: str, **extra):
    return api.create_response(request, {"detail": message, **extra}, status=status)


def handler404(request, exception):
    """The project's 404: JSON under /api/ (a path no route matches, e.g. /positions/abc, still answers
    the documented error shape), the HTML page everywhere else."""
    if request.path.startswith("/api/"):
        return _error(request, 404, str(OUT_OF_SCOPE_MESSAGE))
    return page_not_found(request, exception)


@api.exception_handler(NotFoundError)
def not_found(request, exc: NotFoundError):
    return _error(request, 404, exc.message)


@api.exception_handler(Http404)
def http_404(request, exc):
    return _error(request, 404, str(OUT_OF_SCOPE_MESSAGE))


@api.exception_handler(PermissionDeniedError)
def forbidden(request, exc: PermissionDeniedError):
    return _error(request, 403, exc.message)


@api.exception_handler(ConflictError)
def conflict(request, exc: ConflictError):
    return _error(request, 409, exc.message, **exc.extra)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return _error(request, 400, exc.message, field=exc.field, **exc.extra)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, str(LOGIN_REQUIRED))


# Public, no login: the router sets auth=None over the API's session auth. First, as the most
# requested (URL patterns are tried in order).
api.add_router("/public", finder_router)
api.add_router("/public/feedback", feedback_public_router)
api.add_router("/", orgs_router)
api.add_router("/audit", audit_router)
api.add_router("/positions", positions_router)
api.add_router("/feedback", feedback_router)
