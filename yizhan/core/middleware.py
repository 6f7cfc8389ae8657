"""Attach the acting user and unit to each request and to the audit context."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.functional import SimpleLazyObject

from yizhan.core.actors import actor_for_request
from yizhan.core.audit import audit_context
from yizhan.core.request_info import remote_addr


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for_request(request))
        address = remote_addr(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = request.actor
            unit = actor.unit if actor.membership else None
            with audit_context(
                actor_id=user.pk,
                actor_name=user.get_username(),
                unit_path=unit.path if unit else "",
                unit_name=unit.name if unit else "",
                remote_addr=address,
            ):
                return self.get_response(request)
        with audit_context(actor_id=None, actor_name="匿名", remote_addr=address):
            return self.get_response(request)


NUL_MESSAGE = "请求中含有非法字符（NUL）"


class RejectNulBytesMiddleware:
    """Refuse requests carrying NUL characters in the query string, a form or a JSON body, with a
    400. PostgreSQL text cannot hold NUL, so letting one through would end as a server error there
    (found by the API fuzz test); binary uploads (multipart) are left to their own checks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        try:
            return RejectNulBytesMiddleware._body_has_nul(request)
        except RequestDataTooBig:
            # Unread, so harmless here: the view refuses it (400, JSON under /api/).
            return False

    @staticmethod
    def _body_has_nul(request) -> bool:
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("application/json"):
            return b"\\u0000" in request.body or b"\x00" in request.body
        if content_type.startswith("application/x-www-form-urlencoded"):
            return b"%00" in request.body or b"\x00" in request.body
        if content_type.startswith("multipart/form-data"):
            # Text fields only: uploaded files are binary and go to request.FILES.
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        return False
