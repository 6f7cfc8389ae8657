"""Attach the acting user and unit to each request and to the audit context."""

from django.utils.functional import SimpleLazyObject

from yizhan.core.audit import audit_context
from yizhan.core.request_info import remote_addr


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from yizhan.orgs.selectors import actor_for_request

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
