"""The job record: what was asked, by whom for which unit, how far it got, and how it ended.

A job belongs to the unit its starter acted for. Its starter sees it, and so do the admins whose
reach covers that unit (`SUPERVISOR_ROLES`); nobody else. The record is not an `AuditedModel`:
its moves are operational (a worker claiming it, a heartbeat every second), and what a job changes
is audited by the job itself, in the name of its starter (`runner.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.jobs.choices import FINISHED, JobState
from yizhan.core.roles import Reach, Role
from yizhan.core.scoping import Actor, ScopedQuerySet

# Admins see the jobs of everyone in their reach (to follow or stop a long run of their unit's
# staff); every other role sees only the jobs it started itself.
SUPERVISOR_ROLES = frozenset({Role.FEDERATION_ADMIN, Role.UNIT_ADMIN})


def result_path(job: Job, filename: str) -> str:
    return f"{result_path.upload_prefix}{timezone.now():%Y/%m}/{filename}"


# Every result file's name starts so: /files/ asks the jobs' table only about names under it
# (core/media.py's fixed_prefix), not about every requested file.
result_path.upload_prefix = "jobs/"


class Job(models.Model):
    scope_path_field = "unit_path"

    kind = models.CharField(_("任务类型"), max_length=100)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=JobState.choices, default=JobState.QUEUED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as written: the account may be renamed later.
    owner_name = models.CharField(_("发起人"), max_length=150)
    # The membership the starter acted through: the worker acts through the same one (its role and
    # unit), and refuses to run the job once it has been withdrawn.
    membership_id = models.BigIntegerField(_("发起身份"))
    unit_path = models.CharField(_("所属单位路径"), max_length=255)
    unit_name = models.CharField(_("所属单位"), max_length=200)
    remote_addr = models.CharField(_("来源地址"), max_length=64, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    done = models.PositiveBigIntegerField(_("已处理"), default=0)
    total = models.PositiveBigIntegerField(_("总数"), null=True, blank=True)
    message = models.CharField(_("进度说明"), max_length=255, blank=True)
    cancel_requested = models.BooleanField(_("已请求取消"), default=False)
    result = models.JSONField(_("结果"), null=True, blank=True)
    result_file = models.FileField(_("结果文件"), upload_to=result_path, max_length=255, blank=True)
    result_filename = models.CharField(_("结果文件名"), max_length=200, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    rerun_of = models.ForeignKey(
        "self", verbose_name=_("重新运行自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    worker = models.CharField(_("后台进程"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [
            models.Index(fields=["unit_path", "-created_at"], name="core_job_unit_idx"),
            models.Index(fields=["owner", "-created_at"], name="core_job_owner_idx"),
            # The sweeper's question: running jobs whose heartbeat stopped.
            models.Index(fields=["state", "heartbeat_at"], name="core_job_state_idx"),
            # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
            models.Index(fields=["result_file"], name="core_job_result_file_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="core_job_progress_max_100"),
            models.CheckConstraint(condition=Q(state__in=JobState.values), name="core_job_state_known"),
        ]

    # Set by the runner while the job runs: the starter's actor (not stored).
    actor: Actor | None = None

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind_label}"

    @classmethod
    def scope_q(cls, actor: Actor) -> Q:
        """Jobs of units in the actor's reach: all of them for the admins, their own for the rest."""
        if actor.reach == Reach.OWN_UNIT:
            within = Q(unit_path=actor.unit.path)
        else:
            within = Q(unit_path__startswith=actor.unit.path)
        if actor.role in SUPERVISOR_ROLES:
            return within
        return within & Q(owner=actor.user)

    @property
    def kind_label(self) -> str:
        from yizhan.core.jobs.registry import kind_label

        return kind_label(self.kind)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def cancellable(self) -> bool:
        return self.state == JobState.QUEUED or (self.state == JobState.RUNNING and not self.cancel_requested)

    @property
    def rerunnable(self) -> bool:
        return self.state in (JobState.FAILED, JobState.CANCELLED)

    @property
    def summary(self) -> str:
        """One line on the result of a finished job, in the words of its kind."""
        from yizhan.core.jobs.registry import result_summary

        return result_summary(self)
