"""Account-security events in the audit chain (issue 5 §1): lockouts, password changes and resets,
passwords found short of the current rules at login, second-factor enrolment and checks, sessions
ended by their time limits.

Logins, logouts and failed logins are recorded by `yizhan.core.signals`. The events here reuse the
audit log's actions (登录, 登录失败, 修改, 退出) and name themselves in the entry's `after` as
`{"event": <code>, "event_label": <Chinese label>, ...details}`, so the log can be filtered by
action and read without knowing the codes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_record
from yizhan.core.models import AuditAction, AuditEntry


class AuthEvent(models.TextChoices):
    LOCKED_OUT = "locked_out", _("登录失败次数过多，已锁定")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    PASSWORD_RESET = "password_reset", _("安全管理员重置密码")
    PASSWORD_OUTDATED = "password_outdated", _("密码不符合现行规则，须修改")
    OTP_ENROLLED = "otp_enrolled", _("绑定身份验证器")
    OTP_VERIFIED = "otp_verified", _("双因素验证通过")
    OTP_FAILED = "otp_failed", _("双因素验证失败")
    RECOVERY_CODE_USED = "recovery_code_used", _("使用恢复码登录")
    OTP_RESET = "otp_reset", _("安全管理员清除双因素验证设备")
    SESSION_IDLE = "session_idle", _("长时间未操作，会话结束")
    SESSION_MAX_AGE = "session_max_age", _("会话达到最长时限，已结束")


# The audit action each event is filed under.
EVENT_ACTIONS = {
    AuthEvent.LOCKED_OUT: AuditAction.LOGIN_FAILED,
    AuthEvent.PASSWORD_CHANGED: AuditAction.UPDATE,
    AuthEvent.PASSWORD_RESET: AuditAction.UPDATE,
    AuthEvent.PASSWORD_OUTDATED: AuditAction.UPDATE,
    AuthEvent.OTP_ENROLLED: AuditAction.CREATE,
    AuthEvent.OTP_VERIFIED: AuditAction.LOGIN,
    AuthEvent.OTP_FAILED: AuditAction.LOGIN_FAILED,
    AuthEvent.RECOVERY_CODE_USED: AuditAction.LOGIN,
    AuthEvent.OTP_RESET: AuditAction.DELETE,
    AuthEvent.SESSION_IDLE: AuditAction.LOGOUT,
    AuthEvent.SESSION_MAX_AGE: AuditAction.LOGOUT,
}


def auth_event_record(*, event: AuthEvent, user=None, username: str = "", **details) -> AuditEntry:
    """Append one account-security event about `user` (or, for an unknown account, `username`).
    Who acts and from where comes from the current audit context."""
    after = {"event": event.value, "event_label": str(event.label), **details}
    if user is not None:
        return audit_record(action=EVENT_ACTIONS[event], obj=user, after=after)
    return audit_record(action=EVENT_ACTIONS[event], object_type="orgs.user", object_repr=username[:150], after=after)
