"""Ledgers and feedback (spec §6): public feedback on a position and its handling; the daily
ledger of each position with its corrections; problem reports from the public (spec §2)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import AuditedModel
from yizhan.core.models import StateChangeBase
from yizhan.core.personal_data import personal_field
from yizhan.core.scoping import ScopedQuerySet
from yizhan.ledger.choices import ActivityKind, FeedbackSource, FeedbackStatus, ProblemKind, ProblemStatus
from yizhan.orgs.models import PHONE_VALIDATOR, Unit
from yizhan.positions.models import Position

TEXT_MAX_LENGTH = 500
HIDDEN_TEXT = _("（内容因不当言论已隐藏）")
RATING_MIN, RATING_MAX = 1, 5


class Feedback(AuditedModel):
    """A worker's rating and/or text about a position, given without an account (QR code, public
    page, mini-program). The phone is optional and only for replying (spec §11); the sender is
    known only by `client_key`, a keyed hash of the address — the address itself is never stored.
    Both are removed after YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS or at the submitter's request
    (`services.feedback_anonymise_expired`, `services.feedback_subject_erase`)."""

    position = models.ForeignKey(
        Position, verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("评分"),
        null=True,
        blank=True,
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
        help_text=_("1–5，5 为最满意；可不评分，但评分和意见内容至少要有一项"),
    )
    text = models.CharField(_("意见内容"), max_length=TEXT_MAX_LENGTH, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[PHONE_VALIDATOR])
    source = models.CharField(_("来源"), max_length=20, choices=FeedbackSource.choices)
    client_key = models.CharField(
        _("提交端标识"),
        max_length=64,
        blank=True,  # emptied with the phone when anonymised
        editable=False,
        help_text=_("提交地址的加密散列（HMAC-SHA256），不保存原始 IP 地址"),
    )
    status = models.CharField(_("处理状态"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    # Moderation (issue 15 §3): abusive text is hidden from every page and answer, and kept, for
    # the audit log and the submitter's own copy; the rating still counts.
    hidden = models.BooleanField(_("内容已隐藏"), default=False)
    hidden_reason = models.CharField(_("隐藏原因"), max_length=255, blank=True)
    # Staff-entered feedback (suggestion box, register, questionnaire): who typed it in.
    entered_by_name = models.CharField(_("录入人"), max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    scope_path_field = "position__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("意见反馈")
        verbose_name_plural = _("意见反馈")
        # A position's feedback over a period: its page, its satisfaction rate (spec §6).
        indexes = [models.Index(fields=["position", "created_at"], name="feedback_position_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="feedback_rating_1_to_5",
            ),
            models.CheckConstraint(condition=Q(rating__isnull=False) | ~Q(text=""), name="feedback_rating_or_text"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.position}"

    def audit_unit(self):
        return self.position.unit

    @property
    def masked_phone(self) -> str:
        return personal_field(self._meta.label_lower, "phone").mask(self.phone)

    @property
    def shown_text(self) -> str:
        """The text as every page and answer shows it: a hidden one replaced by a notice."""
        return HIDDEN_TEXT if self.hidden else self.text


class FeedbackStatusChange(StateChangeBase):
    """One row per handling move of a feedback (`choices.FEEDBACK_HANDLING`): read, resolved with
    the note of the reply or what was done (`reason`), reopened with why. Kept with the feedback,
    read by whoever may read it."""

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("意见反馈"), on_delete=models.PROTECT, related_name="status_changes"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=FeedbackStatus.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=FeedbackStatus.choices)

    scope_path_field = "feedback__position__unit__path"
    scope_permissions_from = "ledger.feedback"

    objects = ScopedQuerySet.as_manager()

    class Meta(StateChangeBase.Meta):
        verbose_name = _("意见处理记录")
        verbose_name_plural = _("意见处理记录")

    def __str__(self) -> str:
        return f"{self.feedback}: {self.from_state} → {self.to_state}"


# --- the daily ledger (台账, spec §6; issue 15 §1) ------------------------------------------
# One count per served group (spec §2, and 其他 for a visitor of none), per ability (六能) and per
# service (六服务); the unit's own items in `own_items`. Columns rather than JSON, so that a
# roll-up over millions of days is one SUM per column. `LEDGER_FIGURES` lists them in page order.

LEDGER_COUNT_MAX = 100_000  # one position, one day, one item: anything above is a typing slip


def _count(label):
    return models.PositiveIntegerField(label, default=0, validators=[MaxValueValidator(LEDGER_COUNT_MAX)])


class DailyLedger(AuditedModel):
    """A position's figures for one day (台账): who came, by served group, and what they used.
    Entered by the station manager (or an admin above, or an xlsx upload) on the day or later,
    never for a future day; one row per position and day (`ledger_day_save` settles two people
    entering the same day at once: one wins, the other is told). A correction keeps the earlier
    figures as a `DailyLedgerRevision` and in the audit log; `version` counts the saves."""

    position = models.ForeignKey(
        Position, verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="ledger_days"
    )
    day = models.DateField(_("日期"))
    visits_sanitation = _count(_("环卫工人"))
    visits_landscaping = _count(_("园林绿化工人"))
    visits_city_management = _count(_("城管"))
    visits_traffic_police = _count(_("交警"))
    visits_taxi = _count(_("出租车司机"))
    visits_courier = _count(_("快递员"))
    visits_delivery = _count(_("外卖送餐员"))
    visits_truck = _count(_("货车司机"))
    visits_women_children = _count(_("妇女儿童"))
    visits_migrant = _count(_("农民工"))
    visits_elderly = _count(_("老年人"))
    visits_disabled = _count(_("残疾人"))
    visits_tourists = _count(_("游客"))
    visits_other = _count(_("其他人员"))
    ability_rest = _count(_("累了能歇脚"))
    ability_heat_food = _count(_("饿了能热饭"))
    ability_drink = _count(_("渴了能喝水"))
    ability_warm_up = _count(_("冷了能取暖"))
    ability_cool_down = _count(_("热了能纳凉"))
    ability_toilet = _count(_("急了能如厕"))
    service_assistance = _count(_("帮扶慰问"))
    service_labour_protection = _count(_("劳动保护"))
    service_legal_aid = _count(_("法律援助"))
    service_policy = _count(_("政策咨询"))
    service_employment = _count(_("就业信息"))
    service_petitions = _count(_("信访接待"))
    own_items = models.JSONField(_("特色服务人次"), default=dict, blank=True)
    visits_total = models.PositiveIntegerField(_("服务人次合计"), default=0, editable=False)
    services_total = models.PositiveIntegerField(_("服务项目人次合计"), default=0, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人账号"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    entered_by_name = models.CharField(_("录入人"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("首次录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)

    scope_path_field = "position__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "position_id"]
        verbose_name = _("每日台账")
        verbose_name_plural = _("每日台账")
        constraints = [models.UniqueConstraint(fields=["position", "day"], name="ledger_one_row_per_position_day")]
        # Roll-ups over a period across many positions (dashboards): the day first.
        indexes = [models.Index(fields=["day", "position"], name="ledger_day_position")]

    def __str__(self) -> str:
        return f"{self.position} {self.day:%Y-%m-%d}"

    def audit_unit(self):
        return self.position.unit

    def figures(self) -> dict[str, int]:
        """The counts by field name, in `LEDGER_FIGURES` order."""
        return {name: getattr(self, name) for name in FIGURE_NAMES}


class DailyLedgerRevision(models.Model):
    """The figures of a daily ledger as they were before a correction (spec §6; issue 15: "a
    correction keeps the earlier value in the history"): written by `ledger_day_save` in the same
    transaction as the corrected row's audited save, read with the row by whoever may read it."""

    ledger = models.ForeignKey(
        DailyLedger, verbose_name=_("每日台账"), on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField(_("被更正的版本"))
    figures = models.JSONField(_("更正前的数字"))
    own_items = models.JSONField(_("更正前的特色服务人次"), default=dict)
    reason = models.CharField(_("更正说明"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    created_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    scope_path_field = "ledger__position__unit__path"
    scope_permissions_from = "ledger.dailyledger"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("台账更正记录")
        verbose_name_plural = _("台账更正记录")

    def __str__(self) -> str:
        return f"{self.ledger} v{self.version}"


class LedgerMonth(models.Model):
    """A position's month of the daily ledger summed (issue 15 "Scale and speed"): every count,
    both totals and the number of days entered, so a roll-up over years of a national network sums
    one row per position and month instead of ~30. Derived state kept by the one writer of daily
    rows (`services.ledger_month_refresh`, called by `ledger_day_save` under this row's lock, and
    `ledger_months_rebuild` after bulk writes); tests compare it with the raw rows after entries,
    corrections, late entries and uploads. Not shown by any page: `selectors.ledger_totals` reads it."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="ledger_months")
    month = models.DateField(_("月份（该月 1 日）"))
    days = models.PositiveIntegerField(_("台账天数"), default=0)
    visits_total = models.PositiveBigIntegerField(default=0)
    services_total = models.PositiveBigIntegerField(default=0)

    scope_path_field = "position__unit__path"
    scope_permissions_from = "ledger.dailyledger"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账月汇总")
        verbose_name_plural = _("台账月汇总")
        constraints = [models.UniqueConstraint(fields=["position", "month"], name="ledger_month_one_per_position")]
        indexes = [models.Index(fields=["month", "position"], name="ledger_month_position")]

    def __str__(self) -> str:
        return f"{self.position_id} {self.month:%Y-%m}"


# --- problem reports from the public (issue 15 §4; spec §2) -----------------------------------

PROBLEM_TEXT_MAX_LENGTH = 200


class ProblemReport(AuditedModel):
    """A worker's one-tap report that a position is closed when it should be open, locked, out of
    water, broken or in the wrong place (spec §2), with an optional text. While open it shows on
    the public page (kind and date only, never the text: spec §11) and puts the position in the
    re-verify queue until `due_on`; staff settle it (`choices.PROBLEM_HANDLING`), on site setting
    the position's verified-on date. An optional photo is seen by staff only. The sender is known
    only by `client_key`, as for feedback."""

    position = models.ForeignKey(
        Position, verbose_name=_("服务阵地"), on_delete=models.PROTECT, related_name="problem_reports"
    )
    kind = models.CharField(_("问题"), max_length=20, choices=ProblemKind.choices)
    text = models.CharField(_("补充说明"), max_length=PROBLEM_TEXT_MAX_LENGTH, blank=True)
    # An optional photo through the positions' pipeline (type and size checked, re-encoded as
    # JPEG, no EXIF: `positions.photos.reencode`); shown to staff only, never on the public page.
    photo = models.ImageField(_("照片"), upload_to="ledger/problems/%Y/%m/", blank=True, editable=False)
    photo_width = models.PositiveIntegerField(default=0, editable=False)
    photo_height = models.PositiveIntegerField(default=0, editable=False)
    client_key = models.CharField(
        _("提交端标识"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("提交地址的加密散列（HMAC-SHA256），不保存原始 IP 地址"),
    )
    status = models.CharField(_("处理状态"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    due_on = models.DateField(_("核实期限"))
    settled_on = models.DateField(_("处理日期"), null=True, blank=True)
    settled_on_site = models.BooleanField(_("已现场核实"), default=False)
    created_at = models.DateTimeField(_("反映时间"), auto_now_add=True)

    scope_path_field = "position__unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("问题反映")
        verbose_name_plural = _("问题反映")
        # The public page's open notices of a position; the queue's open reports by deadline.
        indexes = [
            models.Index(fields=["position", "status"], name="problem_position_status"),
            models.Index(fields=["status", "due_on"], name="problem_status_due"),
            # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
            models.Index(fields=["photo"], name="problem_photo_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ProblemStatus.OPEN, settled_on__isnull=True) | ~Q(status=ProblemStatus.OPEN),
                name="problem_open_is_not_settled",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.position} {self.get_kind_display()}"

    def audit_unit(self):
        return self.position.unit


class ProblemReportStateChange(StateChangeBase):
    """One row per handling move of a problem report (`choices.PROBLEM_HANDLING`), with what was
    found or done (`reason`) and whether it was checked on site."""

    report = models.ForeignKey(
        ProblemReport, verbose_name=_("问题反映"), on_delete=models.PROTECT, related_name="status_changes"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=ProblemStatus.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ProblemStatus.choices)
    on_site = models.BooleanField(_("现场核实"), default=False)

    scope_path_field = "report__position__unit__path"
    scope_permissions_from = "ledger.problemreport"

    objects = ScopedQuerySet.as_manager()

    class Meta(StateChangeBase.Meta):
        verbose_name = _("问题处理记录")
        verbose_name_plural = _("问题处理记录")

    def __str__(self) -> str:
        return f"{self.report}: {self.from_state} → {self.to_state}"


# --- activities (spec §6; issue 15 §2) ----------------------------------------------------------


class Activity(AuditedModel):
    """An activity held at a position or by a unit (spec §6: title, type, participants): festival
    events, safety training, anti-fraud talks, policy publicity, 送温暖/送清凉… Counted in the unit
    tree's roll-ups ("120 activities", source 001). A position's activity belongs to its unit."""

    unit = models.ForeignKey(Unit, verbose_name=_("举办单位"), on_delete=models.PROTECT, related_name="activities")
    position = models.ForeignKey(
        Position,
        verbose_name=_("服务阵地"),
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
    )
    title = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    held_on = models.DateField(_("举办日期"))
    participants = models.PositiveIntegerField(
        _("参与人次"), default=0, validators=[MaxValueValidator(LEDGER_COUNT_MAX)]
    )
    description = models.CharField(_("活动简介"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        indexes = [models.Index(fields=["held_on", "unit"], name="activity_held_unit")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def audit_unit(self):
        return self.unit


class ActivityPhoto(AuditedModel):
    """A photo of an activity, through the positions' photo pipeline (type and size checked,
    re-encoded as JPEG, no EXIF: `positions.photos.reencode`)."""

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="ledger/activities/%Y/%m/")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.CharField(_("上传人"), max_length=150)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_path_field = "activity__unit__path"
    scope_permissions_from = "ledger.activity"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["image"], name="activityphoto_image_idx")]

    def __str__(self) -> str:
        return f"{self.activity} #{self.pk}"

    def audit_unit(self):
        return self.activity.unit


def _figure_groups():
    fields = {f.name: f for f in DailyLedger._meta.fields}
    visits = [(n, fields[n].verbose_name) for n in fields if n.startswith("visits_") and not n.endswith("_total")]
    abilities = [(n, fields[n].verbose_name) for n in fields if n.startswith("ability_")]
    services = [(n, fields[n].verbose_name) for n in fields if n.startswith("service_")]
    return visits, abilities, services


VISIT_FIGURES, ABILITY_FIGURES, SERVICE_FIGURES = _figure_groups()
LEDGER_FIGURES = (*VISIT_FIGURES, *ABILITY_FIGURES, *SERVICE_FIGURES)
FIGURE_NAMES = tuple(name for name, _label in LEDGER_FIGURES)
VISIT_NAMES = tuple(name for name, _label in VISIT_FIGURES)
SERVICE_ITEM_NAMES = tuple(name for name, _label in (*ABILITY_FIGURES, *SERVICE_FIGURES))


# The monthly summary holds one column per count of the daily ledger (added here so the two lists
# cannot drift apart; the migration spells them out).
for _name, _label in LEDGER_FIGURES:
    LedgerMonth.add_to_class(_name, models.PositiveBigIntegerField(_label, default=0))
SUMMED = (*FIGURE_NAMES, "visits_total", "services_total")
