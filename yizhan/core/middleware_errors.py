"""Turn application errors that escape a page view into the right answer: 404 for anything out of
scope (the user must not learn it exists), 403 for a role that may not act."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from yizhan.core.errors import NotFoundError, PermissionDeniedError


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFoundError):
            raise Http404(exception.message)
        if isinstance(exception, PermissionDeniedError):
            raise PermissionDenied(exception.message)
        return None
