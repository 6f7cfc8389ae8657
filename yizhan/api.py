"""The JSON API under /api/v1/ with its OpenAPI schema at /api/v1/openapi.json and docs at /api/v1/docs.

Each context contributes one router; errors map to JSON errors here, in one place: every error
under /api/ answers {"detail": "<中文说明>"} (a 422 lists the fields: {"detail": [{loc, msg,
type}]}), the server's own failures included, and every operation documents the errors the API
answers for any operation of its kind (`YizhanAPI.get_openapi_schema`).
"""

import logging

from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.log import log_response
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import django_auth

from yizhan.campaigns.api import router as campaigns_router
from yizhan.centres.api import router as centres_router
from yizhan.core.api import router as audit_router
from yizhan.core.errors import (
    BAD_REQUEST,
    SERVER_ERROR,
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    api_error,
    is_api_request,
)
from yizhan.core.jobs.api import router as jobs_router
from yizhan.core.json_body import BoundedJSONParser, body_too_large
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE
from yizhan.coverage.api import router as coverage_router
from yizhan.finder.api import router as finder_router
from yizhan.grants.api import router as grants_router
from yizhan.inspections.api import router as inspections_router
from yizhan.ledger.api import ledger_router, problem_public_router
from yizhan.ledger.api import router as feedback_public_router
from yizhan.ledger.api import staff_router as feedback_router
from yizhan.orgs.api import router as orgs_router
from yizhan.positions.api import router as positions_router
from yizhan.projects.api import router as projects_router
from yizhan.publishing.api import router as hsds_router
from yizhan.publishing.api_marking import router as marking_router
from yizhan.publishing.api_partners import router as partners_router
from yizhan.reports.api import router as reports_router
from yizhan.standards.api import router as standards_router
from yizhan.standards.api_assessments import router as assessments_router
from yizhan.targets.api import router as targets_router

LOGIN_REQUIRED = _("请先登录")


class ApiErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明")


class ValidationIssueOut(Schema):
    type: str = Field(..., description="错误类型（pydantic）")
    loc: list[str | int] = Field(..., description="出错的位置：来源（path、query、body）和字段")
    msg: str = Field(..., description="错误说明（英文）")
    ctx: dict = Field(default_factory=dict, description="错误的参数，如允许的取值")


class ValidationErrorOut(Schema):
    detail: list[ValidationIssueOut]


def _content(component: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}


# The errors any operation of a kind can answer, whatever its own view does: documented on each
# (an operation's own declaration of the same status wins).
ANY_OPERATION = {
    400: {
        "description": "请求无效：请求体不是 JSON、过大或嵌套过深，或请求中含有非法字符（NUL）",
        "content": _content("ApiErrorOut"),
    },
}
WITH_INPUT = {
    422: {
        "description": "参数或请求体不符合接口的定义：detail 列出每个出错的字段",
        "content": _content("ValidationErrorOut"),
    },
}
WITH_PATH_PARAMETERS = {
    404: {"description": "对象不存在或不在您的管辖范围内", "content": _content("ApiErrorOut")},
}
SIGNED_IN = {
    401: {"description": "未登录，或登录已超时", "content": _content("ApiErrorOut")},
    403: {
        "description": "角色无权执行此操作，或须先通过双因素验证或修改初始密码，或 CSRF 校验失败",
        "content": _content("ApiErrorOut"),
    },
}


class YizhanAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ApiErrorOut, ValidationErrorOut):
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components[model.__name__] = definition
        for operations in schema["paths"].values():
            for operation in operations.values():
                document_common_errors(operation)
        return schema


def document_common_errors(operation: dict) -> None:
    """Add to an operation of the schema the errors every operation of its kind can answer."""
    parameters = operation.get("parameters", [])
    common = dict(ANY_OPERATION)
    if parameters or "requestBody" in operation:
        common.update(WITH_INPUT)
    if any(parameter["in"] == "path" for parameter in parameters):
        common.update(WITH_PATH_PARAMETERS)
    if operation.get("security"):
        common.update(SIGNED_IN)
    responses = operation.setdefault("responses", {})
    declared = {int(status) for status in responses}
    responses.update({status: answer for status, answer in common.items() if status not in declared})
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))


api = YizhanAPI(
    title="Yizhan API",
    version="1",
    description="驿站：工会服务阵地管理平台接口。员工接口使用登录会话（Cookie + CSRF）。",
    auth=django_auth,
    urls_namespace="api",
    parser=BoundedJSONParser(),
)


def _error(request, status: int, message, **extra):
    return api.create_response(request, {"detail": str(message), **extra}, status=status)


# ------------------------------------------------------------------ Django's error handlers
# (yizhan/urls.py) for errors raised outside the API's views under /api/: JSON there, the pages
# everywhere else. With DEBUG on, Django answers its technical pages instead of calling these; the
# error middleware (core/middleware_errors.py) answers those as JSON too.


def handler400(request, exception):
    if is_api_request(request):
        if isinstance(exception, RequestDataTooBig):
            return api_error(400, body_too_large().message)
        return api_error(400, BAD_REQUEST)
    return defaults.bad_request(request, exception)


def handler403(request, exception):
    if is_api_request(request):
        return api_error(403, FORBIDDEN_MESSAGE)
    return defaults.permission_denied(request, exception)


def handler404(request, exception):
    """A path no route matches (e.g. /positions/abc, /public/positions/-1) still answers the
    documented error shape under /api/."""
    if is_api_request(request):
        return api_error(404, OUT_OF_SCOPE_MESSAGE)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if is_api_request(request):
        return api_error(500, SERVER_ERROR)
    return defaults.server_error(request)


# ------------------------------------------------------------------ errors in the API's views


@api.exception_handler(NotFoundError)
def not_found(request, exc: NotFoundError):
    return _error(request, 404, exc.message)


@api.exception_handler(Http404)
def http_404(request, exc):
    return _error(request, 404, OUT_OF_SCOPE_MESSAGE)


@api.exception_handler(PermissionDeniedError)
def forbidden(request, exc: PermissionDeniedError):
    return _error(request, 403, exc.message)


@api.exception_handler(PermissionDenied)
def django_forbidden(request, exc):
    return _error(request, 403, FORBIDDEN_MESSAGE)


@api.exception_handler(ConflictError)
def conflict(request, exc: ConflictError):
    return _error(request, 409, exc.message, **exc.extra)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return _error(request, 400, exc.message, field=exc.field, **exc.extra)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, LOGIN_REQUIRED)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """Ninja's own refusals: a body its parser could not read (400 with the Chinese message of the
    parser's error, ninja's cause), a failed CSRF check (403, ninja's words)."""
    if isinstance(exc.__cause__, ApplicationError):
        return _error(request, exc.status_code, exc.__cause__.message)
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(BadRequest)
@api.exception_handler(MultiPartParserError)
def bad_request(request, exc):
    """What Django answers 400 for: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a
    broken multipart body. Suspicious ones are logged as Django logs them."""
    if isinstance(exc, SuspiciousOperation):
        logging.getLogger(f"django.security.{exc.__class__.__name__}").error(str(exc), extra={"request": request})
    if isinstance(exc, RequestDataTooBig):
        return _error(request, 400, body_too_large().message)
    return _error(request, 400, BAD_REQUEST)


@api.exception_handler(Exception)
def server_error(request, exc):
    """Anything else is the server's failure: a JSON 500 without the traceback (ninja's default
    prints it as text with DEBUG on), logged with it, and signalled like any request exception
    (the test client re-raises it)."""
    got_request_exception.send(sender=None, request=request)
    response = _error(request, 500, SERVER_ERROR)
    log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request, exception=exc)
    return response


# Public, no login: the router sets auth=None over the API's session auth. First, as the most
# requested (URL patterns are tried in order).
api.add_router("/public", finder_router)
api.add_router("/public/feedback", feedback_public_router)
api.add_router("/public/problem-reports", problem_public_router)
api.add_router("/hsds", hsds_router)
api.add_router("/", orgs_router)
api.add_router("/audit", audit_router)
api.add_router("/jobs", jobs_router)
api.add_router("/positions", positions_router)
api.add_router("/feedback", feedback_router)
api.add_router("/ledger", ledger_router)
api.add_router("/coverage", coverage_router)
api.add_router("/partners", partners_router)
api.add_router("/map-marking", marking_router)
api.add_router("/standards", standards_router)
api.add_router("/assessments", assessments_router)
api.add_router("/inspections", inspections_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/grants", grants_router)
api.add_router("/projects", projects_router)
api.add_router("/centres", centres_router)
api.add_router("/targets", targets_router)
api.add_router("/reports", reports_router)
