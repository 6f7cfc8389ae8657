"""Nomination campaigns (推树活动, spec §7, source 000): a campaign with its dated steps, the quota
of each unit (annex 1), the review group (annex 2), the nominations (annexes 3 and 4) with their
sealed files, the on-site verification and the review meeting, the public notice's objections and
the honours of the selected positions.

A campaign belongs to the federation that runs it and is seen by every unit above and below it
(`campaign_scope_q`); what a unit submits belongs to that unit; a reviewer sees only what was
assigned to them (`Nomination.scope_q`, `ReviewAssignment.scope_q`)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.campaigns.choices import (
    CampaignState,
    Gender,
    GroupRole,
    NominationState,
    ObjectionOutcome,
    ObjectionStatus,
    StepKind,
    VerificationResult,
)
from yizhan.campaigns.subjects import Subject
from yizhan.core.audit import AuditedModel
from yizhan.core.models import StateChangeBase
from yizhan.core.roles import Reach, Role
from yizhan.core.scoping import ScopedQuerySet
from yizhan.orgs.models import PHONE_VALIDATOR, Unit
from yizhan.positions.choices import PositionKind, PositionState, StarRating
from yizhan.positions.models import Position

STATEMENT_MAX_LENGTH = 2000


def default_eligible_states() -> list[str]:
    """Default eligibility (spec §4, §7): operating positions only."""
    return [PositionState.OPERATING.value]


def _own_q(prefix: str, actor) -> Q:
    """The default filter: the unit's subtree (or the unit alone for an own-unit role)."""
    if actor.reach == Reach.OWN_UNIT:
        return Q(**{f"{prefix}__path": actor.unit.path})
    return Q(**{f"{prefix}__path__startswith": actor.unit.path})


def campaign_scope_q(prefix: str, actor) -> Q:
    """A campaign is seen by its federation's subtree and by the units above it: every unit whose
    path is a prefix of the actor's unit's path or lies below it."""
    path = actor.unit.path
    ancestors = [path[:n] for n in range(Unit.steplen, len(path) + 1, Unit.steplen)]
    return Q(**{f"{prefix}__path__in": ancestors}) | Q(**{f"{prefix}__path__startswith": path})


def _exactly_one(*fields: str) -> Q:
    """Exactly one of the nullable foreign keys `fields` is set (the subject of a nomination or honour)."""
    condition = Q()
    for field in fields:
        only = Q(**{f"{field}__isnull": False})
        for other in fields:
            if other != field:
                only &= Q(**{f"{other}__isnull": True})
        condition |= only
    return condition


class Campaign(AuditedModel):
    """One selection run by a federation (Dalian 2022: 50 outdoor-worker stations, 5,000 yuan each).
    Eligibility is data: the position kind, the states and the lowest star rating a nominated
    position must have (default operating and 5★, spec §4: "only 5★ stations may be nominated")."""

    federation = models.ForeignKey(Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("活动名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    subject = models.CharField(
        _("推树对象"), max_length=20, choices=Subject.choices, default=Subject.POSITION, editable=False
    )
    position_kind = models.CharField(
        _("推树阵地类型"), max_length=20, choices=PositionKind.choices, default=PositionKind.STATION
    )
    honour_title = models.CharField(
        _("荣誉称号"), max_length=100, help_text=_("例如“2022 年度最美工会户外劳动者服务站点”")
    )
    total_quota = models.PositiveIntegerField(_("推树总名额"), validators=[MinValueValidator(1)])
    grant_fen = models.PositiveBigIntegerField(_("每个阵地补助（分）"), default=0)
    eligible_states = models.JSONField(_("可推荐的阵地状态"), default=default_eligible_states)
    min_star_rating = models.CharField(
        _("最低星级"), max_length=1, choices=StarRating.choices, blank=True, default=StarRating.FIVE
    )
    min_score = models.PositiveSmallIntegerField(
        _("最低评分"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("推荐项目的优秀项目评分表总分须达到的分数（仅社会组织服务项目）"),
    )
    state = models.CharField(_("状态"), max_length=20, choices=CampaignState.choices, default=CampaignState.DRAFT)
    quotas_published_on = models.DateField(_("名额下达日期"), null=True, blank=True)
    notice_starts_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示结束日期"), null=True, blank=True)
    approved_on = models.DateField(_("审批日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path_field = "federation__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("推树活动")
        verbose_name_plural = _("推树活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(notice_starts_on__isnull=True)
                | Q(notice_ends_on__isnull=True)
                | Q(notice_ends_on__gte=models.F("notice_starts_on")),
                name="campaign_notice_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, actor) -> Q:
        return campaign_scope_q("federation", actor)

    def audit_unit(self):
        return self.federation


class CampaignStateChange(StateChangeBase):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("推树活动"), on_delete=models.PROTECT, related_name="state_changes"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=CampaignState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=CampaignState.choices)

    scope_path_field = "campaign__federation__path"
    scope_permissions_from = "campaigns.campaign"

    objects = ScopedQuerySet.as_manager()

    class Meta(StateChangeBase.Meta):
        verbose_name = _("活动状态记录")
        verbose_name_plural = _("活动状态记录")

    @classmethod
    def scope_q(cls, actor) -> Q:
        return campaign_scope_q("campaign__federation", actor)


class CampaignStep(AuditedModel):
    """A dated step of spec §7 with its deadline. The federation extends a deadline with a recorded
    reason (`original_deadline` keeps the first one); `completed_on` dates a federation step done."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("推树活动"), on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("步骤"), max_length=20, choices=StepKind.choices)
    deadline = models.DateField(_("截止日期"))
    original_deadline = models.DateField(_("原定截止日期"))
    extension_reason = models.CharField(_("延期原因"), max_length=255, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)

    scope_path_field = "campaign__federation__path"
    scope_permissions_from = "campaigns.campaign"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "deadline", "pk"]
        verbose_name = _("活动步骤")
        verbose_name_plural = _("活动步骤")
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="campaign_step_once")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_kind_display()}"

    @classmethod
    def scope_q(cls, actor) -> Q:
        return campaign_scope_q("campaign__federation", actor)

    def audit_unit(self):
        return self.campaign.federation


class Quota(AuditedModel):
    """A unit's places in a campaign (annex 1, 名额分配表): the counts it was weighed by, the
    exact share, the quota computed by `quotas.allocate`, the quota after the federation's
    adjustment (with the reason), and the unit's submission of its nominations (annex 4, the sealed
    summary)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("推树活动"), on_delete=models.CASCADE, related_name="quotas")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="campaign_quotas")
    operating_count = models.PositiveIntegerField(_("运营站点数"), default=0)
    five_star_count = models.PositiveIntegerField(_("五星站点数"), default=0)
    weight = models.PositiveIntegerField(_("权重"), default=0)
    exact_share = models.CharField(_("应得份额"), max_length=30, blank=True)
    computed = models.PositiveIntegerField(_("计算名额"), default=0)
    quota = models.PositiveIntegerField(_("分配名额"), default=0)
    adjust_reason = models.CharField(_("调整原因"), max_length=255, blank=True)
    summary_pdf = models.FileField(_("盖章汇总表（PDF）"), upload_to="campaigns/sealed/%Y/", blank=True)
    summary_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    submitted_on = models.DateField(_("报送日期"), null=True, blank=True)
    submitted_by_name = models.CharField(_("报送人"), max_length=150, blank=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "unit__path"]
        verbose_name = _("名额")
        verbose_name_plural = _("名额")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["summary_pdf"], name="quota_summary_pdf_idx")]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="quota_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.unit}: {self.quota}"

    def audit_unit(self):
        return self.unit


class ReviewMember(AuditedModel):
    """A member of the review group (annex 2, 评议小组成员报名表), registered by their unit before
    the step's deadline and confirmed by the federation in a group role. `account` links the
    reviewer's sign-in (role 评议小组成员), through which they see what is assigned to them.
    Declared conflicts of interest: free text and the positions they concern; a member is never
    assigned a nomination of their own unit nor one of a declared position."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("推树活动"), on_delete=models.CASCADE, related_name="review_members"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    job_title = models.CharField(_("职务"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20, validators=[PHONE_VALIDATOR])
    account = models.ForeignKey(
        "orgs.User", verbose_name=_("登录账号"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group_role = models.CharField(_("小组职务"), max_length=10, choices=GroupRole.choices, default=GroupRole.MEMBER)
    confirmed = models.BooleanField(_("已确认"), default=False)
    conflicts = models.CharField(_("利益冲突申报"), max_length=500, blank=True)
    conflict_positions = models.JSONField(_("申报回避的阵地"), default=list, blank=True)
    registered_by_name = models.CharField(_("报名人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "unit__path", "pk"]
        verbose_name = _("评议小组成员")
        verbose_name_plural = _("评议小组成员")

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    @classmethod
    def scope_q(cls, actor) -> Q:
        if actor.role == Role.REVIEWER:
            return Q(account=actor.user)
        return _own_q("unit", actor)

    def audit_unit(self):
        return self.unit


class ReviewMeeting(AuditedModel):
    """The review group's meeting (综合评议) at which the decisions on nominations are taken."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("推树活动"), on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    attendees = models.CharField(_("出席人员"), max_length=500, blank=True)
    minutes = models.TextField(_("会议纪要"), max_length=5000, blank=True)

    scope_path_field = "campaign__federation__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "held_on", "pk"]
        verbose_name = _("评议会议")
        verbose_name_plural = _("评议会议")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.held_on:%Y-%m-%d}"

    def audit_unit(self):
        return self.campaign.federation


class Nomination(AuditedModel):
    """A unit's nomination of one position (annex 3, 推荐表): the form filled from the position's
    record when nominated (`form`, kept as it was) plus the unit's statement, the sealed PDF of the
    form, and the review meeting's decision (its reason in the history)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("推树活动"), on_delete=models.PROTECT, related_name="nominations"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("推荐单位"), on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(
        Position,
        verbose_name=_("推荐阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    project = models.ForeignKey(
        "projects.ServiceProject",
        verbose_name=_("推荐项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    statement = models.TextField(_("推荐理由（主要事迹）"), max_length=STATEMENT_MAX_LENGTH)
    form = models.JSONField(_("推荐表内容"), default=dict, editable=False)
    sealed_pdf = models.FileField(_("盖章推荐表（PDF）"), upload_to="campaigns/sealed/%Y/", blank=True)
    sealed_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    state = models.CharField(_("状态"), max_length=20, choices=NominationState.choices, default=NominationState.DRAFT)
    meeting = models.ForeignKey(
        ReviewMeeting,
        verbose_name=_("评议会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    decision_reason = models.CharField(_("评议意见"), max_length=255, blank=True)
    created_by_name = models.CharField(_("填报人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "unit__path", "pk"]
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["sealed_pdf"], name="nomination_sealed_pdf_idx")]
        constraints = [
            # A position is nominated once per campaign (a withdrawn one may be nominated again).
            models.UniqueConstraint(
                fields=["campaign", "position"],
                condition=~Q(state="withdrawn"),
                name="nomination_position_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "project"],
                condition=~Q(state="withdrawn"),
                name="nomination_project_once",
            ),
            models.CheckConstraint(condition=_exactly_one("position", "project"), name="nomination_one_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.subject_name}"

    @property
    def subject(self):
        """What is nominated: the position or the project (by the campaign's subject)."""
        return self.position if self.position_id else self.project

    @property
    def subject_name(self) -> str:
        if self.position_id:
            return self.position.official_name
        return self.project.title if self.project_id else ""

    @property
    def subject_detail(self) -> str:
        """The position's address, or the project's organisation (public notice, lists)."""
        if self.position_id:
            return self.position.address
        return (self.form or {}).get("organisation", "")

    @classmethod
    def scope_q(cls, actor) -> Q:
        if actor.role == Role.REVIEWER:
            return Q(pk__in=ReviewAssignment.objects.filter(member__account=actor.user).values("nomination_id"))
        return _own_q("unit", actor)

    def audit_unit(self):
        return self.unit


class NominationStateChange(StateChangeBase):
    nomination = models.ForeignKey(
        Nomination, verbose_name=_("推荐"), on_delete=models.PROTECT, related_name="state_changes"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=NominationState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=NominationState.choices)

    scope_path_field = "nomination__unit__path"
    scope_permissions_from = "campaigns.nomination"

    objects = ScopedQuerySet.as_manager()

    class Meta(StateChangeBase.Meta):
        verbose_name = _("推荐状态记录")
        verbose_name_plural = _("推荐状态记录")

    @classmethod
    def scope_q(cls, actor) -> Q:
        return Q(nomination__in=Nomination.objects.filter(Nomination.scope_q(actor)).values("pk"))


class ReviewAssignment(AuditedModel):
    """The on-site verification of one nomination by one member: the score sheet (its items by the
    campaign's subject, `subjects.score_items`: a station's `choices.SCORE_ITEMS`, a project's
    百分评估标准), the verification result and its notes, with photos."""

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("推荐"), on_delete=models.PROTECT, related_name="assignments"
    )
    member = models.ForeignKey(
        ReviewMember, verbose_name=_("评议小组成员"), on_delete=models.PROTECT, related_name="assignments"
    )
    scores = models.JSONField(_("评分"), default=dict, blank=True)
    total = models.PositiveSmallIntegerField(_("总分"), null=True, blank=True)
    result = models.CharField(_("核查结论"), max_length=20, choices=VerificationResult.choices, blank=True)
    notes = models.CharField(_("核查意见"), max_length=1000, blank=True)
    verified_on = models.DateField(_("核查日期"), null=True, blank=True)
    recorded_by_name = models.CharField(_("记录人"), max_length=150, blank=True)
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)

    scope_path_field = "nomination__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["nomination", "pk"]
        verbose_name = _("实地核查")
        verbose_name_plural = _("实地核查")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "member"], name="assignment_once_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination} · {self.member.name}"

    @classmethod
    def scope_q(cls, actor) -> Q:
        if actor.role == Role.REVIEWER:
            return Q(member__account=actor.user)
        return _own_q("nomination__unit", actor)

    def audit_unit(self):
        return self.nomination.unit


class ReviewPhoto(AuditedModel):
    """A photo of an on-site verification, through the positions' photo pipeline."""

    assignment = models.ForeignKey(
        ReviewAssignment, verbose_name=_("实地核查"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="campaigns/review/%Y/%m/")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.CharField(_("上传人"), max_length=150)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_path_field = "assignment__nomination__unit__path"
    scope_permissions_from = "campaigns.reviewassignment"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("核查照片")
        verbose_name_plural = _("核查照片")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["image"], name="reviewphoto_image_idx")]

    @classmethod
    def scope_q(cls, actor) -> Q:
        return Q(assignment__in=ReviewAssignment.objects.filter(ReviewAssignment.scope_q(actor)).values("pk"))

    def audit_unit(self):
        return self.assignment.nomination.unit


class Objection(AuditedModel):
    """An objection lodged by anyone during the public notice (公示): the text, an optional contact
    for the answer (personal data), the sender known only by a keyed hash of the address. The
    federation answers and resolves each before the campaign can be approved."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("推树活动"), on_delete=models.PROTECT, related_name="objections"
    )
    nomination = models.ForeignKey(
        Nomination,
        verbose_name=_("异议对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    text = models.CharField(_("异议内容"), max_length=1000)
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    client_key = models.CharField(_("提交端标识"), max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("处理状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    outcome = models.CharField(_("处理结论"), max_length=10, choices=ObjectionOutcome.choices, blank=True)
    answer = models.CharField(_("答复"), max_length=1000, blank=True)
    resolved_on = models.DateField(_("处理日期"), null=True, blank=True)
    resolved_by_name = models.CharField(_("处理人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    scope_path_field = "campaign__federation__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "-created_at", "-pk"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return f"#{self.pk} {self.campaign}"

    def audit_unit(self):
        return self.campaign.federation


class Honour(AuditedModel):
    """A position's honour from an approved campaign ("2022 年度最美工会户外劳动者服务站点"), shown on
    its record and public page, and its plaque (挂牌) tracked as issued."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("推树活动"), on_delete=models.PROTECT, related_name="honours")
    position = models.ForeignKey(
        Position, verbose_name=_("服务阵地"), null=True, blank=True, on_delete=models.PROTECT, related_name="honours"
    )
    project = models.ForeignKey(
        "projects.ServiceProject",
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    title = models.CharField(_("荣誉称号"), max_length=100)
    awarded_on = models.DateField(_("命名日期"))
    plaque_issued_on = models.DateField(_("挂牌日期"), null=True, blank=True)
    plaque_number = models.CharField(_("牌匾编号"), max_length=40, blank=True)

    scope_path_field = "position__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-awarded_on", "pk"]
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="honour_once_per_campaign"),
            models.UniqueConstraint(fields=["campaign", "project"], name="honour_project_once_per_campaign"),
            models.CheckConstraint(condition=_exactly_one("position", "project"), name="honour_one_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.title}"

    @property
    def subject_name(self) -> str:
        if self.position_id:
            return self.position.official_name
        return self.project.title if self.project_id else ""

    @property
    def subject_unit(self):
        return self.position.unit if self.position_id else self.project.unit

    @classmethod
    def scope_q(cls, actor) -> Q:
        """A position's honour belongs to the position's unit, a project's to the union that ran it."""
        units = (
            Unit.objects.filter(path=actor.unit.path)
            if actor.reach == Reach.OWN_UNIT
            else Unit.objects.filter(path__startswith=actor.unit.path)
        )
        return Q(position__unit__in=units.values("pk")) | Q(project__unit__in=units.values("pk"))

    def audit_unit(self):
        return self.subject_unit
