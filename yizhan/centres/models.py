"""Service-centre acceptance (考核验收, spec §8, source 002 六): a federation's yearly round with its
deadline, each centre's application with its self-check and the working group's review item by
item, the grade from the three rates, rewards, and the model centres (示范中心) each unit raises.

An application belongs to the centre's unit (scope: that unit's subtree); a round belongs to the
federation and is seen by every unit inside it. Attachments are private uploads (decision 36):
served only to those who may view their application."""

from __future__ import annotations

from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from yizhan.centres.choices import ApplicationState, AttachmentKind, CheckType, Part
from yizhan.centres.grading import Grade, Rate, grade, ratio
from yizhan.core.audit import AuditedModel
from yizhan.core.models import StateChangeBase
from yizhan.core.roles import Reach
from yizhan.core.scoping import ScopedQuerySet
from yizhan.orgs.models import Unit
from yizhan.positions.models import Position

TEXT_MAX = 4000


def _ancestors_and_within(actor, prefix: str) -> Q:
    """Records of the units in the actor's reach, and of the units above it (a round of the
    federation is seen by every unit inside it)."""
    unit = actor.unit
    above = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    mine = Q(**{f"{prefix}__path__in": above})
    if actor.reach == Reach.OWN_UNIT:
        return mine
    return mine | Q(**{f"{prefix}__path__startswith": unit.path})


class AcceptanceRound(AuditedModel):
    """One year's acceptance of a federation: self-checks and applications due by `deadline`
    (source 002: 10月30日前报市总工会), reviewed by the working group until `review_ends_on`."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="acceptance_rounds"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    deadline = models.DateField(_("申报截止日期"))
    review_ends_on = models.DateField(_("考核结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("考核验收批次")
        verbose_name_plural = _("考核验收批次")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="acceptance_round_once_a_year")]

    def __str__(self) -> str:
        return self.title

    def audit_unit(self):
        return self.unit

    @classmethod
    def scope_q(cls, actor) -> Q:
        return _ancestors_and_within(actor, "unit")


class Application(AuditedModel):
    """A centre's acceptance application (验收申报表) in a round: the unit's self-check and report,
    the working group's review (看、查、谈 per item, satisfaction) and the grade."""

    round = models.ForeignKey(
        AcceptanceRound, verbose_name=_("考核验收批次"), on_delete=models.PROTECT, related_name="applications"
    )
    centre = models.ForeignKey(
        Position, verbose_name=_("职工服务中心"), on_delete=models.PROTECT, related_name="acceptance_applications"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("申报单位"), on_delete=models.PROTECT, related_name="+")
    centre_level = models.CharField(_("中心层级"), max_length=20, editable=False)
    # Spec §3: an enterprise centre needs ≥ 200 m² in a large state-owned enterprise, ≥ 100 m² in others.
    large_state_owned = models.BooleanField(_("国有大型企业"), default=False, editable=False)
    state = models.CharField(
        _("状态"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT, editable=False
    )
    self_report = models.TextField(_("自查报告"), max_length=TEXT_MAX, blank=True)
    filed_on = models.DateField(_("申报日期"), null=True, blank=True, editable=False)
    filed_by = models.CharField(_("申报人"), max_length=150, blank=True, editable=False)
    # Satisfaction: a questionnaire (sample size and satisfied answers) and/or the ledger's ratings.
    questionnaire_responses = models.PositiveIntegerField(_("问卷样本数"), null=True, blank=True, editable=False)
    questionnaire_satisfied = models.PositiveIntegerField(_("问卷满意数"), null=True, blank=True, editable=False)
    ledger_responses = models.PositiveIntegerField(_("台账评价数"), null=True, blank=True, editable=False)
    ledger_satisfied = models.PositiveIntegerField(_("台账满意数"), null=True, blank=True, editable=False)
    review_summary = models.TextField(_("考核意见"), max_length=TEXT_MAX, blank=True, editable=False)
    reviewed_by = models.CharField(_("考核人"), max_length=150, blank=True, editable=False)
    # The grade as decided, with the counts it was computed from and the explanation.
    hardware_met = models.PositiveIntegerField(_("硬件达标条目"), null=True, blank=True, editable=False)
    hardware_applicable = models.PositiveIntegerField(_("硬件考核条目"), null=True, blank=True, editable=False)
    mechanism_met = models.PositiveIntegerField(_("机制到位条目"), null=True, blank=True, editable=False)
    mechanism_applicable = models.PositiveIntegerField(_("机制考核条目"), null=True, blank=True, editable=False)
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices, blank=True, editable=False)
    explanation = models.JSONField(_("评定说明"), default=list, blank=True, editable=False)
    graded_on = models.DateField(_("评定日期"), null=True, blank=True, editable=False)
    graded_by = models.CharField(_("评定人"), max_length=150, blank=True, editable=False)
    reward = models.CharField(_("奖励"), max_length=200, blank=True, editable=False)
    reward_fen = models.PositiveBigIntegerField(_("奖励金额（分）"), null=True, blank=True, editable=False)
    rewarded_on = models.DateField(_("奖励日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round", "unit__path", "pk"]
        verbose_name = _("验收申报")
        verbose_name_plural = _("验收申报")
        constraints = [
            models.UniqueConstraint(fields=["round", "centre"], name="acceptance_once_per_round"),
            models.CheckConstraint(
                condition=Q(questionnaire_satisfied__isnull=True)
                | Q(questionnaire_satisfied__lte=models.F("questionnaire_responses")),
                name="acceptance_questionnaire_satisfied_within_sample",
            ),
            models.CheckConstraint(
                condition=Q(ledger_satisfied__isnull=True) | Q(ledger_satisfied__lte=models.F("ledger_responses")),
                name="acceptance_ledger_satisfied_within_responses",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} · {self.round}"

    def audit_unit(self):
        return self.unit

    # --- the three rates ----------------------------------------------------------------------

    def _counts(self, part: str, *, review: bool = True) -> tuple[int, int]:
        counted = [i for i in self.items.all() if i.part == part and i.counted]
        met = sum(1 for i in counted if (i.review_met if review else i.self_met))
        return met, len(counted)

    def satisfaction_counts(self) -> tuple[int, int]:
        responses = (self.questionnaire_responses or 0) + (self.ledger_responses or 0)
        satisfied = (self.questionnaire_satisfied or 0) + (self.ledger_satisfied or 0)
        return satisfied, responses

    def rates(self, *, review: bool = True) -> dict[str, Fraction | None]:
        """The three rates as exact fractions (None when nothing was counted); `review=False`: the
        self-check's own figures (the satisfaction is the review's in both)."""
        return {
            "hardware": ratio(*self._counts(Part.HARDWARE, review=review)),
            "mechanism": ratio(*self._counts(Part.MECHANISM, review=review)),
            "satisfaction": ratio(*self.satisfaction_counts()),
        }

    def apply_verdict(self, *, graded_by: str, on) -> None:
        verdict = grade(**self.rates())
        self.hardware_met, self.hardware_applicable = self._counts(Part.HARDWARE)
        self.mechanism_met, self.mechanism_applicable = self._counts(Part.MECHANISM)
        self.grade = verdict.grade
        with translation.override(settings.LANGUAGE_CODE):  # the record is Chinese whoever grades
            self.explanation = verdict.lines
        self.graded_on = on
        self.graded_by = graded_by

    def explanation_lines(self) -> list[str]:
        """The recorded explanation, in the active language: Chinese as stored; another language
        words it again from the counts the grade was computed from (the stored text when those no
        longer give the recorded grade)."""
        if translation.get_language() == settings.LANGUAGE_CODE or self.hardware_applicable is None:
            return self.explanation
        try:
            verdict = grade(
                hardware=ratio(self.hardware_met, self.hardware_applicable),
                mechanism=ratio(self.mechanism_met, self.mechanism_applicable),
                satisfaction=ratio(*self.satisfaction_counts()),
            )
        except ValueError:
            return self.explanation
        return verdict.lines if verdict.grade == self.grade else self.explanation

    def verdict(self):
        """The grade the recorded figures give now (None while a rate is missing)."""
        from yizhan.centres.grading import MissingRate

        try:
            return grade(**self.rates())
        except MissingRate:
            return None

    @property
    def rate_labels(self):
        return Rate


class ApplicationStateChange(StateChangeBase):
    application = models.ForeignKey(
        Application, verbose_name=_("验收申报"), on_delete=models.PROTECT, related_name="state_changes"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ApplicationState.choices)

    scope_path_field = "application__unit__path"
    scope_permissions_from = "centres.application"

    objects = ScopedQuerySet.as_manager()

    class Meta(StateChangeBase.Meta):
        verbose_name = _("验收申报状态记录")
        verbose_name_plural = _("验收申报状态记录")


class ChecklistItem(AuditedModel):
    """One item of an application's checklist, copied from the federation's standard version in
    force when the application was opened (so a later version changes no filed application): the
    unit's self-check and the working group's finding (看、查、谈)."""

    application = models.ForeignKey(
        Application, verbose_name=_("验收申报"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveIntegerField(_("序号"))
    key = models.CharField(_("条目代码"), max_length=100)
    part = models.CharField(_("类别"), max_length=12, choices=Part.choices)
    group = models.CharField(_("分组"), max_length=50, blank=True)
    text = models.CharField(_("条目内容"), max_length=300)
    source = models.CharField(_("依据标准"), max_length=120, blank=True)
    required = models.BooleanField(_("必备"), default=True)
    check_type = models.CharField(_("检查方式"), max_length=10, choices=CheckType.choices, default=CheckType.YES_NO)
    minimum = models.DecimalField(_("最小值"), max_digits=10, decimal_places=2, null=True, blank=True)
    unit_label = models.CharField(_("计量单位"), max_length=20, blank=True)
    self_met = models.BooleanField(_("自查达标"), null=True, blank=True)
    self_number = models.DecimalField(_("自查数值"), max_digits=12, decimal_places=2, null=True, blank=True)
    self_note = models.CharField(_("自查说明"), max_length=300, blank=True)
    review_met = models.BooleanField(_("考核达标"), null=True, blank=True)
    review_number = models.DecimalField(_("考核数值"), max_digits=12, decimal_places=2, null=True, blank=True)
    review_methods = models.JSONField(_("考核方式（看、查、谈）"), default=list, blank=True)
    review_note = models.CharField(_("看、查、谈记录"), max_length=500, blank=True)

    scope_path_field = "application__unit__path"
    scope_permissions_from = "centres.application"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["application", "order"]
        verbose_name = _("验收条目")
        verbose_name_plural = _("验收条目")
        constraints = [models.UniqueConstraint(fields=["application", "key"], name="acceptance_item_unique_key")]

    def __str__(self) -> str:
        return self.text

    def audit_unit(self):
        return self.application.unit

    @property
    def counted(self) -> bool:
        """Required items count in the rate; optional ones (可选服务项目) are recorded, not counted."""
        return self.required


class Attachment(AuditedModel):
    """A ledger (PDF) or photo (re-encoded JPEG without EXIF) attached to an application, or to
    one of its items; stored privately, served by a scoped view only."""

    application = models.ForeignKey(
        Application, verbose_name=_("验收申报"), on_delete=models.CASCADE, related_name="attachments"
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("验收条目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("类型"), max_length=8, choices=AttachmentKind.choices)
    # Private like every upload but a public position's photo (decision 36): its URL is /files/<name>,
    # served to those who may view this row; the application's page links the scoped view below.
    file = models.FileField(_("文件"), upload_to="centres/attachments/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.CharField(_("上传人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_path_field = "application__unit__path"
    scope_permissions_from = "centres.application"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("验收附件")
        verbose_name_plural = _("验收附件")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["file"], name="centre_attachment_file_idx")]

    def __str__(self) -> str:
        return self.caption or self.get_kind_display()

    def audit_unit(self):
        return self.application.unit


class ModelCentre(AuditedModel):
    """A model centre (示范职工服务中心) a unit raised in a year (source 002 六(四): 至少要培养1家)."""

    unit = models.ForeignKey(Unit, verbose_name=_("培养单位"), on_delete=models.PROTECT, related_name="model_centres")
    centre = models.ForeignKey(Position, verbose_name=_("职工服务中心"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.CharField(_("典型经验"), max_length=300, blank=True)
    designated_by = models.CharField(_("登记人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "unit__path", "pk"]
        verbose_name = _("示范职工服务中心")
        verbose_name_plural = _("示范职工服务中心")
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="model_centre_once_a_year")]

    def __str__(self) -> str:
        return f"{self.centre} · {self.year}"

    def audit_unit(self):
        return self.unit
