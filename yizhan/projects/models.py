"""Social organisations and the union service projects they take on (spec §9, source 004).

Every record belongs to the union unit that contacts the organisation or publishes the project
(`unit`), scoped like any unit's records. A social-organisation account (role `social_org`, a
membership at that unit) reaches only the organisations it is an account of (`accounts`), their
applications and reports, and the projects its unit published (decision 35)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import AuditedModel
from yizhan.core.models import StateChangeBase
from yizhan.core.roles import Reach, Role
from yizhan.core.scoping import ScopedQuerySet
from yizhan.orgs.models import Unit
from yizhan.projects.choices import ApplicationState, Category, HonourLevel, ProjectState

TEXT_MAX = 2000


def _units_q(prefix: str, actor) -> Q:
    units = (
        Unit.objects.filter(path=actor.unit.path)
        if actor.reach == Reach.OWN_UNIT
        else Unit.objects.filter(path__startswith=actor.unit.path)
    )
    return Q(**{f"{prefix}__in": units.values("pk")})


def _is_social_org(actor) -> bool:
    return actor.role == Role.SOCIAL_ORG


class SocialOrganisation(AuditedModel):
    """A social organisation registered with civil affairs (民政部门) that a union unit contacts."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("联系工会"), on_delete=models.PROTECT, related_name="social_organisations"
    )
    name = models.CharField(_("登记名称"), max_length=200)
    registration_number = models.CharField(_("统一社会信用代码/登记证号"), max_length=40, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    certificate_valid_from = models.DateField(_("登记证书有效期起"), null=True, blank=True)
    certificate_valid_to = models.DateField(_("登记证书有效期至"), null=True, blank=True)
    signboard_photo = models.ImageField(_("招牌照片"), upload_to="projects/signboards/%Y/%m/", blank=True)
    union_approved_on = models.DateField(_("建立工会批复日期"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("社会组织账号"), blank=True, related_name="social_organisations"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["signboard_photo"], name="socialorg_signboard_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="socialorg_registration_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(certificate_valid_to__isnull=True)
                | Q(certificate_valid_from__isnull=True)
                | Q(certificate_valid_to__gte=models.F("certificate_valid_from")),
                name="socialorg_certificate_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.unit

    @classmethod
    def scope_q(cls, actor) -> Q:
        within = _units_q("unit", actor)
        if _is_social_org(actor):
            return within & Q(pk__in=cls.accounts.through.objects.filter(user=actor.user).values("socialorganisation"))
        return within


class ServiceProject(AuditedModel):
    """A union service project from the workers' needs to its archived evaluation (PROJECT_FLOW)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("发布工会"), on_delete=models.PROTECT, related_name="service_projects"
    )
    title = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("服务类别"), max_length=20, choices=Category.choices)
    needs = models.TextField(_("职工需求分析"), max_length=TEXT_MAX, blank=True)
    requirements = models.TextField(_("服务要求"), max_length=TEXT_MAX, blank=True)
    budget_fen = models.PositiveBigIntegerField(_("预算（分）"), default=0)
    apply_by = models.DateField(_("申报截止日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=ProjectState.choices, default=ProjectState.NEEDS)
    selected_application = models.ForeignKey(
        "projects.Application",
        verbose_name=_("承接申报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    selection_reason = models.CharField(_("确定理由"), max_length=255, blank=True, editable=False)
    agreement_signed_on = models.DateField(_("协议签订日期"), null=True, blank=True, editable=False)
    agreement_starts_on = models.DateField(_("协议开始日期"), null=True, blank=True, editable=False)
    agreement_ends_on = models.DateField(_("协议结束日期"), null=True, blank=True, editable=False)
    agreement_amount_fen = models.PositiveBigIntegerField(_("协议金额（分）"), null=True, blank=True, editable=False)
    deliverables = models.TextField(_("服务内容与成果"), max_length=TEXT_MAX, blank=True, editable=False)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True, editable=False)
    satisfaction_rate = models.DecimalField(
        _("职工满意度（%）"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    survey_respondents = models.PositiveIntegerField(_("测评人数"), null=True, blank=True, editable=False)
    evaluation_summary = models.TextField(_("评估总结"), max_length=TEXT_MAX, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("工会服务项目")
        verbose_name_plural = _("工会服务项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction_rate__isnull=True) | Q(satisfaction_rate__gte=0, satisfaction_rate__lte=100),
                name="project_satisfaction_within_0_100",
            ),
            models.CheckConstraint(
                condition=Q(agreement_ends_on__isnull=True) | Q(agreement_ends_on__gte=models.F("agreement_starts_on")),
                name="project_agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_unit(self):
        return self.unit

    @classmethod
    def scope_q(cls, actor) -> Q:
        within = _units_q("unit", actor)
        if _is_social_org(actor):  # published projects of its unit, to apply to; never the drafts
            return within & ~Q(state=ProjectState.NEEDS)
        return within


class ProjectStateChange(StateChangeBase):
    project = models.ForeignKey(
        ServiceProject, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="state_changes"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=ProjectState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ProjectState.choices)

    scope_path_field = "project__unit__path"
    scope_permissions_from = "projects.serviceproject"

    objects = ScopedQuerySet.as_manager()

    class Meta(StateChangeBase.Meta):
        verbose_name = _("项目状态记录")
        verbose_name_plural = _("项目状态记录")

    @classmethod
    def scope_q(cls, actor) -> Q:
        return Q(project__in=ServiceProject.objects.filter(ServiceProject.scope_q(actor)).values("pk"))


class Application(AuditedModel):
    """An organisation's application to a published project, its qualification check (with the
    reason when it fails, as checked on `checked_on`) and the selection's outcome."""

    project = models.ForeignKey(
        ServiceProject, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        SocialOrganisation, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="applications"
    )
    proposal = models.TextField(_("服务方案"), max_length=TEXT_MAX)
    amount_fen = models.PositiveBigIntegerField(_("申请金额（分）"))
    state = models.CharField(
        _("状态"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED, editable=False
    )
    checked_on = models.DateField(_("资格审查日期"), null=True, blank=True, editable=False)
    qualification_reason = models.CharField(_("不合格原因"), max_length=500, blank=True, editable=False)
    checked_by = models.CharField(_("审查人"), max_length=150, blank=True, editable=False)
    submitted_by = models.CharField(_("申报人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)

    scope_path_field = "project__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("项目申报")
        verbose_name_plural = _("项目申报")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="application_once_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.project}"

    def audit_unit(self):
        return self.project.unit

    @classmethod
    def scope_q(cls, actor) -> Q:
        within = _units_q("project__unit", actor)
        if _is_social_org(actor):
            return within & Q(organisation__in=SocialOrganisation.objects.filter(SocialOrganisation.scope_q(actor)))
        return within


class PerformanceReport(AuditedModel):
    """A performance report of the organisation carrying a project out under its agreement."""

    project = models.ForeignKey(
        ServiceProject, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="reports"
    )
    organisation = models.ForeignKey(
        SocialOrganisation, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="reports"
    )
    reported_on = models.DateField(_("报告日期"))
    content = models.TextField(_("履约情况"), max_length=TEXT_MAX)
    workers_served = models.PositiveIntegerField(_("服务职工人次"), default=0)
    submitted_by = models.CharField(_("提交人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    scope_path_field = "project__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["reported_on", "pk"]
        verbose_name = _("履约报告")
        verbose_name_plural = _("履约报告")

    def __str__(self) -> str:
        return f"{self.project} · {self.reported_on}"

    def audit_unit(self):
        return self.project.unit

    @classmethod
    def scope_q(cls, actor) -> Q:
        within = _units_q("project__unit", actor)
        if _is_social_org(actor):
            return within & Q(organisation__in=SocialOrganisation.objects.filter(SocialOrganisation.scope_q(actor)))
        return within


class ScoreSheet(AuditedModel):
    """The excellent-project scoring sheet of an archived project: the evidence recorded, each
    item's points (`points`, keyed as `scoring.ITEMS`) as computed and confirmed by the reviewer."""

    project = models.OneToOneField(
        ServiceProject, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="score_sheet"
    )
    nominated_on = models.DateField(_("推荐日期"))
    study = models.BooleanField(_("有学习制度、学习记录"), default=False)
    activity_materials = models.BooleanField(_("有活动方案、会议记录、宣传报道"), default=False)
    certificate = models.BooleanField(_("有登记证书"), default=False)
    signboard = models.BooleanField(_("场所照片招牌与登记名称一致"), default=False)
    union_approval = models.BooleanField(_("有建立工会的批复文件"), default=False)
    union_work = models.BooleanField(_("有开展工会工作的材料"), default=False)
    union_activities = models.BooleanField(_("有开展工会活动的材料"), default=False)
    documents = models.PositiveSmallIntegerField(_("合同、实施方案、评估总结份数"), default=0)
    media_city = models.PositiveSmallIntegerField(_("设区市级媒体报道（次）"), default=0)
    media_provincial = models.PositiveSmallIntegerField(_("省部级媒体报道（次）"), default=0)
    media_national = models.PositiveSmallIntegerField(_("国家级媒体报道（次）"), default=0)
    exchanges_city = models.PositiveSmallIntegerField(_("设区市级经验交流（次）"), default=0)
    exchanges_provincial = models.PositiveSmallIntegerField(_("省级经验交流（次）"), default=0)
    exchanges_national = models.PositiveSmallIntegerField(_("国家级经验交流（次）"), default=0)
    points = models.JSONField(_("各项得分"), default=dict, editable=False)
    total = models.PositiveSmallIntegerField(_("总分"), default=0, editable=False)
    confirmed_by = models.CharField(_("确认人"), max_length=150, editable=False)
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now=True)

    scope_path_field = "project__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("优秀项目评分表")
        verbose_name_plural = _("优秀项目评分表")
        constraints = [models.CheckConstraint(condition=Q(total__lte=100), name="scoresheet_total_at_most_100")]

    def __str__(self) -> str:
        return f"{self.project} · {self.total}"

    def audit_unit(self):
        return self.project.unit


class SubsidyPayment(AuditedModel):
    """A subsidy paid for a project's honour: the difference up to that honour's amount (subsidies.py)."""

    project = models.ForeignKey(
        ServiceProject, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="subsidies"
    )
    level = models.CharField(_("荣誉级别"), max_length=12, choices=HonourLevel.choices)
    amount_fen = models.PositiveBigIntegerField(_("补助金额（分）"))
    paid_on = models.DateField(_("补助日期"))
    source = models.CharField(
        _("来源"), max_length=40, blank=True, editable=False, help_text=_("由推树活动审批登记时为 campaign:<编号>")
    )
    recorded_by = models.CharField(_("登记人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_path_field = "project__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("优秀项目补助")
        verbose_name_plural = _("优秀项目补助")
        constraints = [
            models.UniqueConstraint(fields=["project", "level"], name="subsidy_once_per_project_and_level"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="subsidy_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_level_display()}"

    def audit_unit(self):
        return self.project.unit
