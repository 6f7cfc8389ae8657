"""Grants and their uses, and performance self-evaluation reports (spec §7 "Funds", source 000 §五,
§六). Generic: a grant names where it comes from by a `source` string ("campaign:3"), so campaigns
(issue 17) and subsidies (issue 19) award through the same `services.grant_award` without this app
knowing either. Money is integer fen, never float."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import AuditedModel
from yizhan.core.scoping import ScopedQuerySet
from yizhan.grants.choices import EvidenceKind, GrantState, ReportState, UsePurpose
from yizhan.orgs.models import Unit
from yizhan.positions.models import Position

SOURCE_MAX_LENGTH = 60
TEXT_MAX_LENGTH = 2000


class Grant(AuditedModel):
    """Money awarded to one position from one source (a campaign's 5,000 yuan per selected station),
    disbursed to the position's managing unit, which records each use. `spent_fen` is the sum of the
    uses, kept by `services.grant_use_record` under the grant's row lock; the database refuses a
    sum beyond the amount (`grant_spent_within_amount`), so the balance is never negative."""

    position = models.ForeignKey(Position, verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="grants")
    unit = models.ForeignKey(Unit, verbose_name=_("管理单位"), on_delete=models.PROTECT, related_name="grants")
    title = models.CharField(_("资金名称"), max_length=200)
    source = models.CharField(
        _("来源"), max_length=SOURCE_MAX_LENGTH, help_text=_("发放依据，如 campaign:3（推树活动 3）")
    )
    amount_fen = models.PositiveBigIntegerField(_("补助金额（分）"))
    spent_fen = models.PositiveBigIntegerField(_("已使用（分）"), default=0, editable=False)
    state = models.CharField(_("状态"), max_length=12, choices=GrantState.choices, default=GrantState.AWARDED)
    awarded_on = models.DateField(_("核定日期"))
    awarded_by = models.CharField(_("核定人"), max_length=150, editable=False)
    disbursed_on = models.DateField(_("拨付日期"), null=True, blank=True)
    disbursed_by = models.CharField(_("拨付登记人"), max_length=150, blank=True, editable=False)
    disbursement_reference = models.CharField(_("拨付凭证号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        verbose_name = _("补助资金")
        verbose_name_plural = _("补助资金")
        constraints = [
            models.UniqueConstraint(fields=["source", "position"], name="grant_one_per_source_and_position"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(condition=Q(spent_fen__lte=F("amount_fen")), name="grant_spent_within_amount"),
            models.CheckConstraint(
                condition=Q(state=GrantState.AWARDED) | Q(disbursed_on__isnull=False),
                name="grant_disbursed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.position}）"

    def audit_unit(self):
        return self.unit

    @property
    def balance_fen(self) -> int:
        return self.amount_fen - self.spent_fen


class GrantUse(AuditedModel):
    """One use of a grant by its managing unit: amount, purpose, date, what was done, with evidence
    (`GrantEvidence`). Recorded only through `services.grant_use_record`."""

    grant = models.ForeignKey(Grant, verbose_name=_("补助资金"), on_delete=models.PROTECT, related_name="uses")
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    purpose = models.CharField(_("用途"), max_length=12, choices=UsePurpose.choices)
    used_on = models.DateField(_("使用日期"))
    description = models.CharField(_("使用说明"), max_length=500)
    recorded_by = models.CharField(_("登记人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_path_field = "grant__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["used_on", "pk"]
        verbose_name = _("资金使用记录")
        verbose_name_plural = _("资金使用记录")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="grant_use_amount_positive")]

    def __str__(self) -> str:
        return f"{self.grant} {self.used_on}"

    def audit_unit(self):
        return self.grant.unit


class GrantEvidence(AuditedModel):
    """A photo (re-encoded as JPEG without EXIF) or a PDF proving a use."""

    use = models.ForeignKey(GrantUse, verbose_name=_("使用记录"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("类型"), max_length=8, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to="grants/evidence/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.CharField(_("上传人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_path_field = "use__grant__unit__path"
    scope_permissions_from = "grants.grantuse"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("使用凭证")
        verbose_name_plural = _("使用凭证")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["file"], name="grantevidence_file_idx")]

    def __str__(self) -> str:
        return f"{self.use} #{self.pk}"

    def audit_unit(self):
        return self.use.grant.unit


class SelfEvaluation(AuditedModel):
    """A unit's performance self-evaluation report (绩效自评报告) on the grants of one source (source
    000 §六: 内容完整、权重合理、数据真实、结果客观，发现问题的应提出具体整改措施). Requested by the
    federation with a due date; the unit fills it in and submits it only when every field is given
    (`services.self_evaluation_submit`); the money figures are the grants' own, frozen at submission."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="self_evaluations"
    )
    source = models.CharField(_("来源"), max_length=SOURCE_MAX_LENGTH)
    title = models.CharField(_("报告名称"), max_length=200)
    due_on = models.DateField(_("报送截止日期"))
    state = models.CharField(_("状态"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    targets = models.TextField(_("绩效目标"), max_length=TEXT_MAX_LENGTH, blank=True)
    target_completion = models.TextField(_("目标完成情况"), max_length=TEXT_MAX_LENGTH, blank=True)
    funds_use = models.TextField(_("资金使用情况"), max_length=TEXT_MAX_LENGTH, blank=True)
    outputs = models.TextField(_("产出与效益"), max_length=TEXT_MAX_LENGTH, blank=True)
    score = models.PositiveSmallIntegerField(_("自评得分"), null=True, blank=True)
    problems = models.TextField(_("存在的问题"), max_length=TEXT_MAX_LENGTH, blank=True)
    rectification = models.TextField(_("整改措施"), max_length=TEXT_MAX_LENGTH, blank=True)
    awarded_fen = models.PositiveBigIntegerField(_("补助资金总额（分）"), default=0, editable=False)
    spent_fen = models.PositiveBigIntegerField(_("已使用资金（分）"), default=0, editable=False)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True, editable=False)
    submitted_by = models.CharField(_("提交人"), max_length=150, blank=True, editable=False)
    requested_by = models.CharField(_("布置人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "unit__path", "pk"]
        verbose_name = _("绩效自评报告")
        verbose_name_plural = _("绩效自评报告")
        constraints = [
            models.UniqueConstraint(fields=["unit", "source"], name="self_evaluation_one_per_unit_and_source"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="self_evaluation_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.unit}）"

    def audit_unit(self):
        return self.unit

    @property
    def overdue(self) -> bool:
        return self.state == ReportState.DRAFT and self.due_on < timezone.localdate()
