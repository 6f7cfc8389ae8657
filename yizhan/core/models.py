"""Shared kernel models: the append-only, hash-chained audit log (spec §11, issue 2) and the
abstract history row of every workflow (`core/workflow.py`)."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.scoping import Actor, ScopedQuerySet

APPEND_ONLY_MESSAGE = "审计日志只能追加，不能修改或删除"  # raised to programmers, not shown to users


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    MOVE = "move", _("移动")
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    LOGIN_FAILED = "login_failed", _("登录失败")
    SWITCH_UNIT = "switch_unit", _("切换单位")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    PURGE = "purge", _("清理过期日志")
    ANONYMISE = "anonymise", _("匿名化")
    REVEAL = "reveal", _("查看个人信息")  # spec §11: a masked personal field shown in full


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are inserted, never updated or deleted through the ORM."""

    def update(self, **kwargs):
        raise PermissionError(APPEND_ONLY_MESSAGE)

    def delete(self):
        raise PermissionError(APPEND_ONLY_MESSAGE)


class AppendOnlyModel(models.Model):
    """A row is saved once (always as an INSERT: an instance carrying an existing key would
    otherwise be saved as an UPDATE of that row) and never deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(APPEND_ONLY_MESSAGE)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(APPEND_ONLY_MESSAGE)


class AuditEntryQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    # Only `audit_retention.audit_purge` removes entries: a prefix older than the retention period,
    # with raw SQL, leaving an `AuditAnchor` behind. Nothing else in the application can.
    pass


class AuditEntry(AppendOnlyModel):
    """One change or authentication event. `hash` covers every other field and the previous entry's
    hash, so changing or removing any stored row breaks the chain (`yizhan audit-verify`)."""

    seq = models.BigIntegerField(_("序号"), primary_key=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("操作人编号"), null=True, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150)
    unit_path = models.CharField(_("所属单位路径"), max_length=255, blank=True, db_index=True)
    unit_name = models.CharField(_("所属单位"), max_length=200, blank=True)
    remote_addr = models.CharField(_("来源地址"), max_length=64, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        # Related lookups use the guarded queryset too, so no manager offers update() or delete().
        base_manager_name = "objects"
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_action_display()} {self.object_repr}"

    @property
    def object_type_label(self) -> str:
        """The model's Chinese name for `object_type` (e.g. "orgs.unit" → 工会单位)."""
        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type

    @classmethod
    def scope_q(cls, actor: Actor) -> Q:
        """Entries of units in the auditor's subtree; entries tied to no unit (failed logins of
        unknown accounts, command-line runs) only for auditors of a top-level federation."""
        within = Q(unit_path__startswith=actor.unit.path)
        if actor.unit.depth == 1:
            return within | Q(unit_path="")
        return within


class AuditHead(models.Model):
    """The chain head: last sequence number and hash. One row; locking it serialises writers, and
    comparing it with the last entry detects a removed tail."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditAnchor(AppendOnlyModel):
    """Where the chain starts after a purge of old entries (`yizhan audit-purge`): the number and
    hash of the last purged entry. `audit_verify` checks the first remaining entry links to the
    newest anchor, and that the purge's own audit entry names the same number and hash, so an
    anchor cannot be moved forward to hide a deleted entry. Append-only like the entries."""

    seq = models.BigIntegerField(_("清理至序号"), primary_key=True)
    hash = models.CharField(_("最后清理条目的哈希"), max_length=64)
    purged_before = models.DateTimeField(_("清理此时间之前的条目"))
    purged_count = models.PositiveIntegerField(_("清理条数"))
    created_at = models.DateTimeField(_("清理时间"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        base_manager_name = "objects"
        verbose_name = _("审计链锚点")
        verbose_name_plural = _("审计链锚点")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class StateChangeBase(models.Model):
    """One row per move of a workflow (`core/workflow.py`): from what to what, why, who and when.
    A workflow's history model subclasses it, adds the foreign key to its record (the engine finds
    it) and whatever its moves record besides (a position's effective date), and usually
    redeclares `from_state`/`to_state` with its states as choices, so pages show their labels."""

    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    reason = models.CharField(_("原因"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as written: the account may be renamed or removed later, the history must not change.
    actor_name = models.CharField(_("操作人"), max_length=150)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


# Background jobs live in their own package (core/jobs); their model is the kernel's too.
from yizhan.core.jobs.models import Job  # noqa: E402, F401
