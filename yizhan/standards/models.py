"""Standards as versioned data (spec §3, issue 16 §1): a federation's checklist (九有, 八有, 六有,
facilities, centre floor areas, centre service items), edited as a draft and published as a new
version. Assessments will point to the version they used, so a published version never changes:
`services` refuses every edit of one, and `StandardItem.save()`/`delete()` refuse too."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yizhan.core.audit import AuditedModel
from yizhan.core.errors import ApplicationError
from yizhan.core.scoping import ScopedQuerySet
from yizhan.standards.choices import CheckType, VersionState

VERSION_FROZEN = _("标准的已发布版本不能修改，请先建立草稿")


class Standard(AuditedModel):
    """One standard of a federation (e.g. 九有), identified by its code; its content lives in
    versions."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="standards"
    )
    code = models.SlugField(_("标准代码"), max_length=40)
    name = models.CharField(_("标准名称"), max_length=100)
    description = models.TextField(pgettext_lazy("description", "说明"), blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "code"]
        verbose_name = _("建设标准")
        verbose_name_plural = _("建设标准")
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="standard_unique_code_per_unit")]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.unit


class StandardVersion(AuditedModel):
    """One numbered version of a standard. At most one draft and one published version at a time."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("建设标准"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"), validators=[MinValueValidator(1)])
    state = models.CharField(_("状态"), max_length=20, choices=VersionState.choices, default=VersionState.DRAFT)
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    scope_path_field = "standard__unit__path"
    scope_permissions_from = "standards.standard"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["standard", "-number"]
        verbose_name = _("标准版本")
        verbose_name_plural = _("标准版本")
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="standard_version_unique_number"),
            models.UniqueConstraint(fields=["standard"], condition=Q(state="draft"), name="standard_version_one_draft"),
            models.UniqueConstraint(
                fields=["standard"], condition=Q(state="published"), name="standard_version_one_published"
            ),
            models.CheckConstraint(
                condition=Q(state="draft", published_at__isnull=True)
                | Q(~Q(state="draft"), published_at__isnull=False),
                name="standard_version_published_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.name} 第{self.number}版"

    def audit_unit(self):
        return self.standard.unit

    @property
    def is_draft(self) -> bool:
        return self.state == VersionState.DRAFT


class StandardItem(AuditedModel):
    """One checklist item of a version: its text, where it applies (position kinds and centre
    levels; empty means all), how it is checked, and its points in a scored standard."""

    version = models.ForeignKey(
        StandardVersion, verbose_name=_("标准版本"), on_delete=models.PROTECT, related_name="items"
    )
    order = models.PositiveIntegerField(_("序号"))
    key = models.SlugField(_("条目代码"), max_length=60)
    group = models.CharField(_("分组"), max_length=50, blank=True)
    text = models.CharField(_("条目内容"), max_length=300)
    kinds = models.JSONField(_("适用阵地类型"), default=list, blank=True)
    centre_levels = models.JSONField(_("适用中心层级"), default=list, blank=True)
    check_type = models.CharField(_("检查方式"), max_length=20, choices=CheckType.choices, default=CheckType.YES_NO)
    minimum = models.DecimalField(_("最小值"), max_digits=10, decimal_places=2, null=True, blank=True)
    unit_label = models.CharField(_("计量单位"), max_length=20, blank=True)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    passing_choices = models.JSONField(_("合格选项"), default=list, blank=True)
    required = models.BooleanField(_("必备"), default=True)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=0)

    scope_path_field = "version__standard__unit__path"
    scope_permissions_from = "standards.standard"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["version", "order", "pk"]
        verbose_name = _("标准条目")
        verbose_name_plural = _("标准条目")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="standard_item_unique_key"),
            models.CheckConstraint(
                condition=~Q(check_type="number") | Q(minimum__isnull=False), name="standard_item_number_has_minimum"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="standard_item_points_not_negative"),
        ]

    def __str__(self) -> str:
        return self.text

    def audit_unit(self):
        return self.version.standard.unit

    def _check_draft(self) -> None:
        state = StandardVersion.objects.filter(pk=self.version_id).values_list("state", flat=True).first()
        if state is not None and state != VersionState.DRAFT:
            raise ApplicationError(VERSION_FROZEN, field="version")

    def save(self, *args, **kwargs):
        self._check_draft()
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_draft()
        return super().delete(*args, **kwargs)

    def applies_to(self, kind: str, centre_level: str = "") -> bool:
        """Whether the item applies to a position of `kind` (and `centre_level` for a centre)."""
        if self.kinds and kind not in self.kinds:
            return False
        return not (self.centre_levels and centre_level not in self.centre_levels)


class RatingPolicyVersion(AuditedModel):
    """A federation's star-rating policy (spec §4) as versioned data: the numbers of
    `rating.RatingPolicy` as JSON (`rating.RatingPolicy.to_data()`). Drafted, then published; a
    published version never changes, and each rating records the version it used. A federation
    without one rates with the default policy."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="rating_policies"
    )
    number = models.PositiveIntegerField(_("版本号"), validators=[MinValueValidator(1)])
    state = models.CharField(_("状态"), max_length=20, choices=VersionState.choices, default=VersionState.DRAFT)
    data = models.JSONField(_("评星规则"), default=dict)
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    scope_path_field = "unit__path"
    scope_permissions_from = "standards.standard"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "-number"]
        verbose_name = _("评星规则版本")
        verbose_name_plural = _("评星规则版本")
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="rating_policy_unique_number"),
            models.UniqueConstraint(fields=["unit"], condition=Q(state="draft"), name="rating_policy_one_draft"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(state="published"), name="rating_policy_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"评星规则 第{self.number}版"

    def audit_unit(self):
        return self.unit

    def save(self, *args, **kwargs):
        stored = RatingPolicyVersion.objects.filter(pk=self.pk).values("state", "data").first() if self.pk else None
        if stored is not None and stored["state"] != VersionState.DRAFT and stored["data"] != self.data:
            raise ApplicationError(VERSION_FROZEN, field="data")
        return super().save(*args, **kwargs)


class Assessment(AuditedModel):
    """One position checked against one published standard version on one date (spec §3), with
    its compliance rate: the required items met ÷ the required items applicable to the position.
    Optional items are answered and kept (a star rating reads them) but not counted."""

    position = models.ForeignKey(
        "positions.Position", verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="assessments"
    )
    version = models.ForeignKey(
        StandardVersion, verbose_name=_("标准版本"), on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = models.DateField(_("评估日期"))
    applicable = models.PositiveIntegerField(_("适用条目数"))
    met = models.PositiveIntegerField(_("达标条目数"))
    compliance = models.DecimalField(_("达标率"), max_digits=5, decimal_places=4)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope_path_field = "position__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("评估")
        verbose_name_plural = _("评估")
        constraints = [
            models.CheckConstraint(
                condition=Q(met__lte=models.F("applicable")), name="assessment_met_within_applicable"
            ),
            models.CheckConstraint(
                condition=Q(compliance__gte=0, compliance__lte=1), name="assessment_compliance_is_a_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} {self.assessed_on}"

    def audit_unit(self):
        return self.position.unit


class AssessmentAnswer(AuditedModel):
    """The assessor's answer to one item: the value found (yes/no, a number, a choice), whether it
    met the item, and a note as evidence."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("评估"), on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(StandardItem, verbose_name=_("标准条目"), on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("达标"))
    yes = models.BooleanField(_("是否具备"), null=True, blank=True)
    number = models.DecimalField(_("数值"), max_digits=12, decimal_places=2, null=True, blank=True)
    choice = models.CharField(_("选项"), max_length=100, blank=True)
    note = models.CharField(pgettext_lazy("note", "说明"), max_length=300, blank=True)

    scope_path_field = "assessment__position__unit__path"
    scope_permissions_from = "standards.assessment"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "item__order", "pk"]
        verbose_name = _("评估条目")
        verbose_name_plural = _("评估条目")
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="assessment_answer_once_per_item")]

    def audit_unit(self):
        return self.assessment.position.unit


class StarRatingRecord(AuditedModel):
    """A station's star rating of one period (spec §4): the inputs, the arithmetic line by line,
    the result, and the level the station holds after it (`stars_after`, what the rating service
    wrote to the position). Kept as its history; never changed."""

    position = models.ForeignKey(
        "positions.Position", verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="star_ratings"
    )
    period = models.PositiveIntegerField(_("评定周期"))
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("所依据的评估"), on_delete=models.PROTECT, related_name="star_ratings"
    )
    policy = models.ForeignKey(
        RatingPolicyVersion,
        verbose_name=_("评星规则版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    date_from = models.DateField(_("统计起始日"))
    date_to = models.DateField(_("统计截止日"))
    inputs = models.JSONField(_("评定依据"))
    lines = models.JSONField(_("计算过程"))
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    stars = models.PositiveSmallIntegerField(_("评定星级"), null=True, blank=True)
    stars_before = models.PositiveSmallIntegerField(_("原星级"), null=True, blank=True)
    stars_after = models.PositiveSmallIntegerField(_("评定后星级"), null=True, blank=True)
    rectification_required = models.BooleanField(_("须整改"), default=False)
    # A periodic assessment (the period's rating, which the delisting rule counts) or an inspection.
    periodic = models.BooleanField(_("周期评定"), default=True)
    verdict = models.CharField(_("结论"), max_length=300)
    created_at = models.DateTimeField(_("评定时间"), auto_now_add=True)

    scope_path_field = "position__unit__path"
    scope_permissions_from = "standards.assessment"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "-period", "-pk"]
        verbose_name = _("星级评定记录")
        verbose_name_plural = _("星级评定记录")

    def audit_unit(self):
        return self.position.unit


class ServiceFailure(AuditedModel):
    """ "Cannot provide normal service" (不能正常提供服务) found at a station by an inspection
    (spec §4): the delisting rule's second cause. Recorded by the inspection that found it
    (`source`, e.g. "inspection:12"), read by `ratings_review` for the period it falls in."""

    position = models.ForeignKey(
        "positions.Position", verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="service_failures"
    )
    found_on = models.DateField(_("发现日期"))
    source = models.CharField(_("来源"), max_length=100)
    note = models.CharField(pgettext_lazy("note", "说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope_path_field = "position__unit__path"
    scope_permissions_from = "standards.assessment"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-found_on", "-pk"]
        verbose_name = _("不能正常服务的检查发现")
        verbose_name_plural = _("不能正常服务的检查发现")
        constraints = [models.UniqueConstraint(fields=["position", "source"], name="service_failure_once_per_source")]

    def __str__(self) -> str:
        return f"{self.position} {self.found_on}"

    def audit_unit(self):
        return self.position.unit


class AnswerPhoto(AuditedModel):
    """A photo as evidence of one answer of an assessment, through the positions' photo pipeline
    (type and size checked, re-encoded as JPEG, no EXIF: `positions.photos.reencode`)."""

    answer = models.ForeignKey(
        AssessmentAnswer, verbose_name=_("评估条目"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="standards/answers/%Y/%m/")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    uploaded_by = models.CharField(_("上传人"), max_length=150)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_path_field = "answer__assessment__position__unit__path"
    scope_permissions_from = "standards.assessment"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["answer", "pk"]
        verbose_name = _("评估佐证照片")
        verbose_name_plural = _("评估佐证照片")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["image"], name="answerphoto_image_idx")]

    def __str__(self) -> str:
        return f"{self.answer_id} #{self.pk}"

    def audit_unit(self):
        return self.answer.assessment.position.unit
