"""Inspections (spec §5, issue 16 §4): planned inspections, random spot checks drawn from a recorded
seed, and mutual checks (互检) in which one unit's assigned staff inspect a sibling unit's
positions; findings per item of a published standard version; rectifications (整改) with a
deadline, an owner and photo evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yizhan.core.audit import AuditedModel
from yizhan.core.models import StateChangeBase
from yizhan.core.roles import Reach
from yizhan.core.scoping import Actor, ScopedQuerySet
from yizhan.inspections.choices import InspectionKind, InspectionState, RectificationState


class SpotCheckDraw(AuditedModel):
    """A random spot check (随机抽查): the units drawn from (one stratum each), the sample size or
    rate, the seed, the exclusion of recently inspected positions, and what it gave. The same seed
    over the same eligible positions draws the same positions again (`draw.py`)."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="spot_check_draws"
    )
    version = models.ForeignKey(
        "standards.StandardVersion", verbose_name=_("检查标准"), on_delete=models.PROTECT, related_name="+"
    )
    strata = models.JSONField(_("分层（各单位的符合条件数与抽取数）"), default=list)
    size = models.PositiveIntegerField(_("抽取数量"), null=True, blank=True)
    rate = models.DecimalField(_("抽取比例"), max_digits=5, decimal_places=4, null=True, blank=True)
    seed = models.BigIntegerField(_("随机种子"))
    recent_days = models.PositiveIntegerField(_("排除近期已检查的天数"), default=90)
    include_recent = models.BooleanField(_("包括近期已检查的阵地"), default=False)
    kinds = models.JSONField(_("阵地类型"), default=list, blank=True)
    eligible = models.PositiveIntegerField(_("符合条件的阵地数"))
    picked = models.PositiveIntegerField(_("抽中数"))
    drawn_on = models.DateField(_("抽取日期"))
    ends_on = models.DateField(_("检查截止日期"))
    drawn_by = models.CharField(_("抽取人"), max_length=150)
    source = models.CharField(
        _("抽查来源"),
        max_length=60,
        blank=True,
        default="",
        help_text=_("抽查依据，如 campaign:3（推树活动 3 的绩效自评后抽查）；空为日常抽查"),
    )
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-drawn_on", "-pk"]
        verbose_name = _("随机抽查")
        verbose_name_plural = _("随机抽查")
        constraints = [
            models.CheckConstraint(
                condition=Q(size__isnull=False, rate__isnull=True) | Q(size__isnull=True, rate__isnull=False),
                name="spot_check_draw_size_or_rate",
            ),
            models.CheckConstraint(condition=Q(picked__lte=models.F("eligible")), name="spot_check_draw_within"),
        ]

    def __str__(self) -> str:
        return f"随机抽查 {self.drawn_on} #{self.pk}"

    def audit_unit(self):
        return self.unit


class Inspection(AuditedModel):
    """One inspection of one position against a published standard version. `unit` is the unit
    that inspects (the organiser's own unit, or for a mutual check the sibling unit whose staff
    inspect); its subtree's admins see it, except that a mutual check is seen by the inspecting
    unit's own staff only when assigned to it (`scope_q`)."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField(_("检查类型"), max_length=20, choices=InspectionKind.choices)
    position = models.ForeignKey(
        "positions.Position", verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="inspections"
    )
    version = models.ForeignKey(
        "standards.StandardVersion", verbose_name=_("检查标准"), on_delete=models.PROTECT, related_name="+"
    )
    draw = models.ForeignKey(
        SpotCheckDraw,
        verbose_name=_("随机抽查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    starts_on = models.DateField(_("检查开始日期"))
    ends_on = models.DateField(_("检查截止日期"))
    state = models.CharField(_("状态"), max_length=20, choices=InspectionState.choices, default=InspectionState.PLANNED)
    inspected_on = models.DateField(_("检查日期"), null=True, blank=True)
    cannot_serve = models.BooleanField(_("不能正常提供服务"), default=False)
    summary = models.TextField(_("检查意见"), blank=True)
    assessment = models.ForeignKey(
        "standards.Assessment",
        verbose_name=_("形成的评估"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.CharField(_("建立人"), max_length=150)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="inspection_dates_in_order"),
        ]
        indexes = [models.Index(fields=["position", "starts_on"], name="inspection_position_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position} {self.starts_on}"

    def audit_unit(self):
        return self.unit

    @classmethod
    def scope_q(cls, actor: Actor) -> Q:
        """The inspecting unit's subtree; a mutual check, for the inspecting unit's own staff, only
        when assigned to it (those above it, who organised it, see it all the same)."""
        from yizhan.orgs.models import Unit

        if actor.reach == Reach.OWN_UNIT:
            within = Q(unit__in=Unit.objects.filter(path=actor.unit.path).values("pk"))
        else:
            within = Q(unit__in=Unit.objects.filter(path__startswith=actor.unit.path).values("pk"))
        assigned = Exists(InspectionAssignment.objects.filter(inspection=OuterRef("pk"), user=actor.user))
        own_staff = Q(kind=InspectionKind.MUTUAL, unit_id=actor.unit.pk)
        return within & (~own_staff | assigned)

    def applicable_items(self):
        return [
            item
            for item in self.version.items.order_by("order", "pk")
            if item.applies_to(self.position.kind, self.position.centre_level or "")
        ]

    def missing_items(self):
        answered = set(self.findings.values_list("item_id", flat=True))
        return [item for item in self.applicable_items() if item.pk not in answered]


class InspectionAssignment(AuditedModel):
    """An inspector assigned to an inspection. For a mutual check this is the grant: while the
    inspection is planned or under way and within its dates, the assigned inspector (acting for
    the inspecting unit) reads exactly this inspection's position, nothing else of the sibling
    (`selectors.inspection_position`)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人员"), on_delete=models.PROTECT, related_name="+"
    )

    scope_path_field = "inspection__unit__path"
    scope_permissions_from = "inspections.inspection"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("检查人员指派")
        verbose_name_plural = _("检查人员指派")
        constraints = [models.UniqueConstraint(fields=["inspection", "user"], name="inspection_assignment_once")]

    def audit_unit(self):
        return self.inspection.unit


class InspectionFinding(AuditedModel):
    """The inspector's finding on one item: the value found, whether it met the item, a note."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="findings"
    )
    item = models.ForeignKey(
        "standards.StandardItem", verbose_name=_("标准条目"), on_delete=models.PROTECT, related_name="+"
    )
    met = models.BooleanField(_("达标"))
    yes = models.BooleanField(_("是否具备"), null=True, blank=True)
    number = models.DecimalField(_("数值"), max_digits=12, decimal_places=2, null=True, blank=True)
    choice = models.CharField(_("选项"), max_length=100, blank=True)
    note = models.CharField(pgettext_lazy("note", "说明"), max_length=300, blank=True)

    scope_path_field = "inspection__unit__path"
    scope_permissions_from = "inspections.inspection"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "item__order", "pk"]
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_finding_once")]

    def __str__(self) -> str:
        return f"{self.item.text}：{'达标' if self.met else '不达标'}"

    def audit_unit(self):
        return self.inspection.unit

    @property
    def value(self):
        """What the inspector found, as the standards' answers take it."""
        if self.yes is not None:
            return self.yes
        if self.number is not None:
            return self.number
        return self.choice


class InspectionStateChange(StateChangeBase):
    inspection = models.ForeignKey(Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="history")
    from_state = models.CharField(_("原状态"), max_length=20, blank=True, choices=InspectionState.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=InspectionState.choices)

    scope_path_field = "inspection__unit__path"
    scope_permissions_from = "inspections.inspection"

    objects = ScopedQuerySet.as_manager()

    class Meta(StateChangeBase.Meta):
        verbose_name = _("检查状态变更")
        verbose_name_plural = _("检查状态变更")


class Rectification(AuditedModel):
    """A rectification (整改) opened on a failing finding: what must be put right, by whom (a unit,
    and optionally a named user of it), by when. The owner submits it with photo evidence; the
    inspecting unit accepts it or sends it back (a new round)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="rectifications"
    )
    finding = models.OneToOneField(
        InspectionFinding, verbose_name=_("检查发现"), on_delete=models.PROTECT, related_name="rectification"
    )
    position = models.ForeignKey(
        "positions.Position", verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="rectifications"
    )
    owner_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("整改责任单位"), on_delete=models.PROTECT, related_name="rectifications"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("整改责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requirement = models.CharField(_("整改要求"), max_length=300)
    deadline = models.DateField(_("整改期限"))
    state = models.CharField(
        _("状态"), max_length=20, choices=RectificationState.choices, default=RectificationState.OPEN
    )
    round = models.PositiveSmallIntegerField(_("整改轮次"), default=1)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    closed_on = models.DateField(_("验收日期"), null=True, blank=True)
    created_by = models.CharField(_("建立人"), max_length=150)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)

    scope_path_field = "position__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        indexes = [models.Index(fields=["state", "deadline"], name="rectification_state_deadline")]

    def __str__(self) -> str:
        return f"整改 {self.position} {self.requirement[:20]}"

    def audit_unit(self):
        return self.position.unit


class RectificationEvidence(AuditedModel):
    """A photo the owner gives as evidence of a round, re-encoded as JPEG without EXIF by the
    positions' photo pipeline (`positions.photos.reencode`)."""

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改"), on_delete=models.PROTECT, related_name="evidence"
    )
    round = models.PositiveSmallIntegerField(_("整改轮次"))
    image = models.ImageField(_("照片"), upload_to="inspections/evidence/%Y/%m/")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    note = models.CharField(pgettext_lazy("note", "说明"), max_length=300, blank=True)
    uploaded_by = models.CharField(_("上传人"), max_length=150)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_path_field = "rectification__position__unit__path"
    scope_permissions_from = "inspections.rectification"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["rectification", "round", "pk"]
        verbose_name = _("整改证据")
        verbose_name_plural = _("整改证据")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["image"], name="rectevidence_image_idx")]

    def audit_unit(self):
        return self.rectification.position.unit


class RectificationStateChange(StateChangeBase):
    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改"), on_delete=models.PROTECT, related_name="history"
    )
    from_state = models.CharField(_("原状态"), max_length=20, blank=True, choices=RectificationState.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=RectificationState.choices)
    round = models.PositiveSmallIntegerField(_("整改轮次"), default=1)

    scope_path_field = "rectification__position__unit__path"
    scope_permissions_from = "inspections.rectification"

    objects = ScopedQuerySet.as_manager()

    class Meta(StateChangeBase.Meta):
        verbose_name = _("整改状态变更")
        verbose_name_plural = _("整改状态变更")
