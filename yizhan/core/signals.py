"""Authentication events go to the audit chain (issue 2 §5)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from yizhan.core.audit import audit_context, audit_record
from yizhan.core.models import AuditAction
from yizhan.core.request_info import remote_addr


def _address(request) -> str:
    return remote_addr(request) if request is not None else ""


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    with audit_context(actor_id=user.pk, actor_name=user.get_username(), remote_addr=_address(request)):
        audit_record(action=AuditAction.LOGIN, obj=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is None:
        return
    with audit_context(actor_id=user.pk, actor_name=user.get_username(), remote_addr=_address(request)):
        audit_record(action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    User = get_user_model()  # noqa: N806 (a model class)
    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).first() if username else None
    with audit_context(actor_id=None, actor_name=username or "匿名", remote_addr=_address(request)):
        if known is not None:
            audit_record(action=AuditAction.LOGIN_FAILED, obj=known)
        else:
            audit_record(action=AuditAction.LOGIN_FAILED, object_type="orgs.user", object_repr=username)
