"""Publishing (issue 20): what partners see of the public registry, and since when.

`PublishedPosition` is derived state: one row per position that was ever public, holding its HSDS
record as the public may see it (spec §11) and the feed number (`seq`) of its latest published
change; a position that leaves the public registry (delisted, deleted, no longer operating or
suspended) keeps its row as a tombstone (`public` false, no record). `PublicationHead` is the one
row that numbers the changes: `publication.refresh()` brings the rows up to date from the kernel's
change feed (core/changes.py) under its row lock, so numbers are given in commit order and a reader
that sees number n sees every number below it (docs/publishing.md).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import AuditedModel
from yizhan.core.scoping import ScopedQuerySet
from yizhan.orgs.models import PHONE_VALIDATOR
from yizhan.publishing.choices import MapPlatform


class PublicationHead(models.Model):
    """The feed's head: the last number given, the kernel change-feed mark it is current with, and
    an epoch that changes when the publication is rebuilt from nothing (cursors of another epoch
    are refused: start over)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=16)
    mark = models.JSONField(default=list, blank=True)
    modified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("发布进度")
        verbose_name_plural = _("发布进度")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="publicationhead_one_row")]

    def __str__(self) -> str:
        return f"{self.epoch}-{self.seq}"


class PublishedPosition(models.Model):
    """A position as published: its HSDS service record (nested organization, locations and
    schedules) while public, a tombstone after."""

    position_id = models.BigIntegerField(_("阵地"), unique=True)
    service_id = models.CharField(max_length=36, db_index=True)
    # The service id it was published under before, when the position's code changed (the id is
    # derived from the code): a partner deletes that one.
    former_service_id = models.CharField(max_length=36, blank=True)
    organization_id = models.CharField(max_length=36, db_index=True)
    seq = models.BigIntegerField(_("变更序号"), unique=True)
    public = models.BooleanField(_("公开"), default=True)
    # The owning unit's path now and at the previous publication: a partner whose allowed subtree
    # held the position before it moved out gets its tombstone.
    unit_path = models.CharField(max_length=255, db_index=True)
    former_unit_path = models.CharField(max_length=255, blank=True)
    # The service's name and HSDS status, for the minimal listing without reading the record.
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, blank=True)
    search_text = models.TextField(blank=True)
    digest = models.CharField(max_length=64)
    # The record as compact JSON text (an object), written once and sent as is: the feed splices it
    # into its answer without decoding it again (bench/publishing_feed.py). Empty for a tombstone.
    record = models.TextField(blank=True, default="")
    # GCJ-02 as stored, for the map-platform differences (moved more than 20 m).
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    modified_at = models.DateTimeField(_("发布时间"), db_index=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("已发布阵地")
        verbose_name_plural = _("已发布阵地")
        constraints = [
            models.CheckConstraint(condition=Q(public=False) | ~Q(record=""), name="published_has_record_text")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} #{self.seq}"


class Partner(AuditedModel):
    """A partner system (a union app, a city mini-program, a map platform's importer) that reads
    the published registry with its own keys, limited to a unit's subtree (issue 20 §3)."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("可访问的单位范围"), on_delete=models.PROTECT, related_name="partners"
    )
    name = models.CharField(_("合作方名称"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30, validators=[PHONE_VALIDATOR])
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    rate_per_minute = models.PositiveIntegerField(
        _("每分钟请求上限"), default=120, validators=[MinValueValidator(1), MaxValueValidator(6000)]
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # Webhooks (issue 20 §5): a signed POST per batch of changes in the partner's subtree, made by
    # background jobs (publishing/webhooks.py), never by the write itself.
    webhook_url = models.URLField(_("推送地址"), max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=64, blank=True)
    # The membership the delivery jobs run as (who set the address); the jobs stop when it goes.
    webhook_membership = models.ForeignKey(
        "orgs.Membership",
        verbose_name=_("推送任务所用的角色"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    webhook_cursor = models.BigIntegerField(_("已推送至"), default=0)
    webhook_failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    webhook_next_at = models.DateTimeField(_("下次推送时间"), null=True, blank=True)
    webhook_failing = models.BooleanField(_("推送已停止"), default=False)
    webhook_error = models.CharField(_("最近的推送错误"), max_length=300, blank=True)

    scope_path_field = "unit__path"
    audit_exclude = ("webhook_secret",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("合作方")
        verbose_name_plural = _("合作方")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="partner_unique_name_per_unit"),
            models.CheckConstraint(
                condition=Q(rate_per_minute__gte=1, rate_per_minute__lte=6000), name="partner_rate_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.unit


class ApiKey(AuditedModel):
    """One API key of a partner: only its prefix (shown, to tell keys apart) and the SHA-256 of the
    whole key are stored; the key itself is shown once, when issued."""

    partner = models.ForeignKey(Partner, verbose_name=_("合作方"), on_delete=models.PROTECT, related_name="keys")
    prefix = models.CharField(_("密钥前缀"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    label = models.CharField(_("用途"), max_length=60, blank=True)
    issued_by = models.CharField(_("签发账号"), max_length=150)
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.CharField(_("吊销账号"), max_length=150, blank=True)

    scope_path_field = "partner__unit__path"
    scope_permissions_from = "publishing.partner"
    audit_exclude = ("digest",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")

    def __str__(self) -> str:
        return f"{self.partner} {self.prefix}…"

    def audit_unit(self):
        return self.partner.unit

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class ApiKeyUsage(models.Model):
    """Requests made with a key, per day (Asia/Shanghai): the partner's usage page. Each request
    also writes its own audit entry (publishing/keys.py)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField(_("日期"))
    requests = models.PositiveIntegerField(_("请求数"), default=0)
    refused = models.PositiveIntegerField(_("超限拒绝数"), default=0)
    last_at = models.DateTimeField(_("最近访问"))

    scope_path_field = "key__partner__unit__path"
    scope_permissions_from = "publishing.partner"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        verbose_name = _("接口密钥用量")
        verbose_name_plural = _("接口密钥用量")
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="apikeyusage_one_row_per_day")]

    def __str__(self) -> str:
        return f"{self.key} {self.day} {self.requests}"


class MapMarking(AuditedModel):
    """One upload of a difference to a map platform, recorded by the clerk who made it (issue 20
    §4): which unit's subtree, which platform, who, when, and what it covered."""

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(_("地图平台"), max_length=10, choices=MapPlatform.choices)
    marked_by = models.CharField(_("标注账号"), max_length=150)
    marked_at = models.DateTimeField(_("标注时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("变更条数"), default=0)
    counts = models.JSONField(_("各类变更条数"), default=dict, blank=True)
    codes = models.JSONField(_("涉及的阵地编号"), default=list, blank=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-marked_at", "-pk"]
        verbose_name = _("地图标注记录")
        verbose_name_plural = _("地图标注记录")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.marked_at:%Y-%m-%d %H:%M}"

    def audit_unit(self):
        return self.unit


class MapPoint(models.Model):
    """What a platform shows of a position, as last marked: derived from the markings (written
    with each audited `MapMarking`), compared with the registry to find the difference."""

    platform = models.CharField(max_length=10, choices=MapPlatform.choices)
    position_id = models.BigIntegerField()
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    lng = models.FloatField()  # GCJ-02, as stored in the registry
    lat = models.FloatField()
    unit_path = models.CharField(max_length=255, db_index=True)
    marking = models.ForeignKey(MapMarking, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("已标注点位")
        verbose_name_plural = _("已标注点位")
        constraints = [models.UniqueConstraint(fields=["platform", "position_id"], name="mappoint_one_per_platform")]

    def __str__(self) -> str:
        return f"{self.platform} {self.code}"
