"""Turn application errors that escape a page view into the right answer: 404 for anything out of
scope (the user must not learn it exists), 403 for a role that may not act.

Under /api/ every error answer is the API's JSON: one made as a page or as plain text beneath this
middleware (ninja's 405 "Method not allowed", an error page of Django's) is answered again as JSON
with the same status and headers such as `Allow`."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from yizhan.core.errors import (
    BAD_REQUEST,
    METHOD_NOT_ALLOWED,
    SERVER_ERROR,
    NotFoundError,
    PermissionDeniedError,
    api_error,
    is_api_request,
)
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE

# Headers of an error answer that still hold for its JSON form.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def api_error_message(request, status: int) -> str:
    """A Chinese message for an error status answered without one of the API's own."""
    if status == 404:
        return str(OUT_OF_SCOPE_MESSAGE)
    if status == 403:
        return str(FORBIDDEN_MESSAGE)
    if status == 405:
        return str(METHOD_NOT_ALLOWED.format(method=request.method))
    if status >= 500:
        return str(SERVER_ERROR)
    return str(BAD_REQUEST)


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 400 and is_api_request(request) and not _is_json(response):
            answer = api_error(response.status_code, api_error_message(request, response.status_code))
            for header in KEPT_HEADERS:
                if header in response:
                    answer[header] = response[header]
            return answer
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, NotFoundError):
            raise Http404(exception.message)
        if isinstance(exception, PermissionDeniedError):
            raise PermissionDenied(exception.message)
        return None


def _is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"
