"""The position registry (spec §2): every place where a union serves workers, from plan to delisting."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import AuditedModel
from yizhan.core.hours import hours_unknown
from yizhan.core.models import StateChangeBase
from yizhan.core.scoping import ScopedQuerySet
from yizhan.orgs.models import PHONE_VALIDATOR, Region, Unit
from yizhan.positions.choices import (
    PUBLIC_STATES,
    BuildMode,
    BuildNature,
    CentreLevel,
    ConstructionType,
    EntryMethod,
    PositionKind,
    PositionState,
    StarRating,
)

POSITION_CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", _("阵地编号只能由字母、数字、- 和 _ 组成（最多 40 位）")
)


# What the staff list filters on (the scope's unit among them), carried by its indexes.
LIST_FILTERS = ("state", "kind", "unit", "region", "construction_type", "facility_mask")


def _list_index(lead: str | None, name: str) -> models.Index:
    """An index that answers the list's pages and counts alone: the lead filter's equality, then
    the default order (code), then the other filter columns, checked without reading rows, and the
    key the page asks for (implicit in SQLite's indexes, not in PostgreSQL's)."""
    rest = [column for column in LIST_FILTERS if column != lead]
    return models.Index(fields=[*([lead] if lead else []), "code", *rest, "id"], name=name)


class PositionQuerySet(ScopedQuerySet):
    def public(self):
        """What the public map may show: operating positions, and suspended ones (greyed)."""
        return self.filter(state__in=PUBLIC_STATES)

    def needing_verification(self):
        """The re-verify queue (待核实, issue 14 §4): hours unknown (neither round the clock nor a
        weekly schedule) or construction type unknown — `Position.needs_verification`."""
        return self.filter(Q(always_open=False, weekly_hours={}) | Q(construction_type=ConstructionType.UNKNOWN))

    def suspension_overdue(self, today):
        """Suspended positions whose expected reopening date is before `today` (Asia/Shanghai):
        `rules.suspension_overdue` as a query (issue 21 §5, the staff's queue of them)."""
        return self.filter(state=PositionState.SUSPENDED, expected_reopen_on__lt=today)


class Position(AuditedModel):
    """A station, service centre or work station. Coordinates are canonical GCJ-02 (spec §10)."""

    code = models.CharField(_("阵地编号"), max_length=40, unique=True, validators=[POSITION_CODE_VALIDATOR])
    kind = models.CharField(_("阵地类型"), max_length=20, choices=PositionKind.choices)
    centre_level = models.CharField(_("中心层级"), max_length=20, choices=CentreLevel.choices, blank=True)
    parent_centre = models.ForeignKey(
        "self",
        verbose_name=_("所属服务中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_stations",
    )
    official_name = models.CharField(_("规范名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    # Pinyin initials of the site's own name (西岗八一路 → xgbyl), for search by initials.
    search_initials = models.CharField(max_length=80, blank=True, editable=False, db_index=True)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="positions")
    region = models.ForeignKey(Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="positions")
    address = models.CharField(_("地址"), max_length=255)
    lng = models.FloatField(_("经度（GCJ-02）"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    lat = models.FloatField(_("纬度（GCJ-02）"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    area_override_reason = models.CharField(
        _("坐标在所属单位区域外的说明"),
        max_length=255,
        blank=True,
        help_text=_("坐标在所属单位辖区外时必填，并记入审计日志"),
    )
    construction_type = models.CharField(_("建设类型"), max_length=20, choices=ConstructionType.choices)
    build_mode = models.CharField(
        _("自建/共建"), max_length=20, choices=BuildMode.choices, default=BuildMode.SELF_BUILT
    )
    co_builder = models.CharField(_("共建单位"), max_length=200, blank=True)
    build_nature = models.CharField(_("新建/提升"), max_length=20, choices=BuildNature.choices, default=BuildNature.NEW)
    floor_area = models.DecimalField(
        _("面积（平方米）"), max_digits=8, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    manager_name = models.CharField(_("管理员姓名"), max_length=50, blank=True)
    manager_phone = models.CharField(_("管理员电话"), max_length=20, blank=True, validators=[PHONE_VALIDATOR])
    public_phone = models.CharField(_("对外联系电话"), max_length=20, blank=True, validators=[PHONE_VALIDATOR])
    always_open = models.BooleanField(_("24 小时开放"), default=False)
    weekly_hours = models.JSONField(_("每周开放时间"), default=dict, blank=True)
    # Hours neither round the clock nor in the weekly schedule are unknown, to be verified (shown as
    # 开放时间待核实, never as closed); the text a registry gave for them is kept here.
    hours_source_text = models.CharField(
        _("开放时间原文"),
        max_length=200,
        blank=True,
        help_text=_("导入时无法读取的开放时间原文；开放时间待核实期间保留"),
    )
    facilities = models.JSONField(_("设施"), default=list, blank=True)
    # Derived: the bits of `facilities` (listing.FACILITY_BITS), written by database triggers on
    # every insert and update, so the list filters facilities by an integer test inside its indexes.
    facility_mask = models.IntegerField(default=0, editable=False)
    abilities = models.JSONField(_("六能"), default=list, blank=True)
    services = models.JSONField(_("六服务"), default=list, blank=True)
    own_services = models.JSONField(_("特色服务"), default=list, blank=True)
    served_groups = models.JSONField(_("服务对象"), default=list, blank=True)
    entry_method = models.CharField(
        _("进入方式"), max_length=20, choices=EntryMethod.choices, default=EntryMethod.STAFFED
    )
    no_app_needed = models.BooleanField(_("无需下载 App"), default=True)
    verified_on = models.DateField(_("最近现场核实日期"), null=True, blank=True)
    signage_issued_on = models.DateField(_("授牌日期"), null=True, blank=True)
    plaque_number = models.CharField(_("牌匾编号"), max_length=40, blank=True)
    opened_on = models.DateField(_("启用日期"), null=True, blank=True)
    # The station's current star level (spec §4) and the date it was awarded: recorded here from
    # the latest assessment (or from paper records when a federation moves onto Yizhan).
    star_rating = models.CharField(_("星级"), max_length=1, choices=StarRating.choices, blank=True)
    star_rated_on = models.DateField(_("评星日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=PositionState.choices, default=PositionState.PLANNED)
    state_reason = models.CharField(_("状态说明"), max_length=255, blank=True)
    expected_reopen_on = models.DateField(_("预计恢复日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Raised by one on every save of a stored record: an edit carries the version it was based on,
    # and `services.position_update` refuses it once the record has moved on (no lost updates).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at", "facility_mask", "version")

    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        indexes = [
            models.Index(fields=["lat", "lng"], name="position_lat_lng"),
            # Pages and counts of the staff list and the API read these, never the wide rows.
            _list_index(None, "position_list_code"),
            _list_index("state", "position_list_state"),
            _list_index("kind", "position_list_kind"),
            _list_index("unit", "position_list_unit"),
            _list_index("region", "position_list_region"),
            # Duplicate detection looks up the same official name near a point on every write.
            models.Index(fields=["official_name"], name="position_official_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="station", centre_level="") | ~Q(kind="station"),
                name="position_station_has_no_centre_level",
            ),
            models.CheckConstraint(
                condition=~Q(kind="centre") | ~Q(centre_level=""), name="position_centre_has_a_level"
            ),
            models.CheckConstraint(
                condition=~Q(kind="work_station") | Q(parent_centre__isnull=False),
                name="position_work_station_has_a_centre",
            ),
            models.CheckConstraint(
                condition=~Q(build_mode="co_built") | ~Q(co_builder=""), name="position_co_builder_named"
            ),
            models.CheckConstraint(
                condition=Q(star_rating="") | Q(kind="station", star_rated_on__isnull=False),
                name="position_star_only_for_rated_stations",
            ),
            models.CheckConstraint(
                condition=Q(hours_source_text="") | Q(always_open=False, weekly_hours={}),
                name="position_hours_source_only_while_unknown",
            ),
        ]

    def __str__(self) -> str:
        return self.official_name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)

    def audit_unit(self):
        return self.unit

    @property
    def display_name(self) -> str:
        return self.short_name or self.official_name

    @property
    def hours_unknown(self) -> bool:
        """Hours to be verified: neither round the clock nor any span in the week (issue 14 §4)."""
        return hours_unknown(always_open=self.always_open, schedule=self.weekly_hours)

    @property
    def needs_verification(self) -> bool:
        """In the re-verify queue (待核实): hours or construction type unknown."""
        return self.hours_unknown or self.construction_type == ConstructionType.UNKNOWN

    @property
    def stars(self) -> int | None:
        """The star level as a number (3–5), or None when unrated."""
        return int(self.star_rating) if self.star_rating else None


class HoursException(AuditedModel):
    """A dated change to a position's hours: a holiday or temporary closure, or other hours."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="hours_exceptions")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    closed = models.BooleanField(_("全天关闭"), default=True)
    intervals = models.JSONField(_("当日开放时段"), default=list, blank=True)
    reason = models.CharField(_("原因"), max_length=200)

    scope_path_field = "position__unit__path"
    scope_permissions_from = "positions.position"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        verbose_name = _("开放时间例外")
        verbose_name_plural = _("开放时间例外")
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="hours_exception_ordered")]

    def __str__(self) -> str:
        return f"{self.position} {self.start}–{self.end} {self.reason}"

    def audit_unit(self):
        return self.position.unit


class PositionStateChange(StateChangeBase):
    """One row per lifecycle move (`choices.POSITION_LIFECYCLE`): who, when, from what to what, and
    why (kept with the position); also the first row of a registration (from no state)."""

    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="state_changes")
    from_state = models.CharField(_("原状态"), max_length=20, choices=PositionState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=PositionState.choices)
    effective_on = models.DateField(_("生效日期"))
    expected_reopen_on = models.DateField(_("预计恢复日期"), null=True, blank=True)

    scope_path_field = "position__unit__path"
    scope_permissions_from = "positions.position"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")

    def __str__(self) -> str:
        return f"{self.position}: {self.from_state} → {self.to_state}"


class PositionPhoto(AuditedModel):
    """A photo of a position, stored re-encoded as JPEG without EXIF (no camera location leaks)."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="positions/photos/%Y/%m/")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.CharField(_("上传人"), max_length=150)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_path_field = "position__unit__path"
    scope_permissions_from = "positions.position"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("阵地照片")
        verbose_name_plural = _("阵地照片")
        # /files/ and /media/ find the row holding a requested file name (core/media.py, decision 36).
        indexes = [models.Index(fields=["image"], name="positionphoto_image_idx")]

    def __str__(self) -> str:
        return f"{self.position} · {self.caption or self.image.name}"

    def audit_unit(self):
        return self.position.unit
