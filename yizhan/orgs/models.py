"""Union units (组织), administrative areas (行政区划), accounts and role memberships (spec §1)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from yizhan.core.audit import AuditedModel
from yizhan.core.roles import Role
from yizhan.core.scoping import ScopedQuerySet
from yizhan.orgs.choices import RegionLevel, UnitType

ADCODE_VALIDATOR = RegexValidator(r"^\d{6}$", _("行政区划代码应为 6 位数字（GB/T 2260）"))
# A custom area (development zone, new district: no adcode) is coded X + the adcode of the area it
# lies in + a two-digit number, so it can never be taken for, or collide with, a GB/T 2260 code.
CUSTOM_AREA_PREFIX = "X"
REGION_CODE_PATTERN = r"^(\d{6}|X\d{8})$"
REGION_CODE_VALIDATOR = RegexValidator(
    REGION_CODE_PATTERN, _("区划代码应为 6 位数字（GB/T 2260），自定义区域为 X 加 8 位数字")
)
UNIT_CODE_VALIDATOR = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", _("单位代码只能由字母、数字、- 和 _ 组成"))
PHONE_VALIDATOR = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{3,4}-?\d{3,4}-?\d{4}|[1-9]\d{4,7})$",
    _("电话号码格式不正确（手机 11 位，座机如 0411-82345678）"),
)


class Region(models.Model):
    """An administrative area (GB/T 2260 adcode) with its boundary in GCJ-02. Reference data:
    readable by all staff, loaded with `yizhan import-regions`.

    A custom area (level `custom`: a development zone or new district, which has no adcode) is
    owned by the unit that drew, uploaded or composed it (`services.custom_area_create`); it is
    coded X…, lies below the GB/T area it was drawn in, and serves as that unit's area like any
    other (positions inside it, the finder's place search)."""

    adcode = models.CharField(_("区划代码"), max_length=9, unique=True, validators=[REGION_CODE_VALIDATOR])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    boundary = models.JSONField(_("边界（GeoJSON，GCJ-02）"), null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lng = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    owner = models.ForeignKey(
        "Unit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="custom_areas",
        help_text=_("自定义区域（开发区、新区等）所属的工会单位"),
    )

    class Meta:
        ordering = ["adcode"]
        verbose_name = _("行政区划")
        verbose_name_plural = pgettext_lazy("plural", "行政区划")
        constraints = [
            # X… codes are custom areas and only custom areas; only a custom area has an owner.
            models.CheckConstraint(
                condition=(
                    models.Q(level=RegionLevel.CUSTOM, adcode__startswith=CUSTOM_AREA_PREFIX)
                    | (~models.Q(level=RegionLevel.CUSTOM) & ~models.Q(adcode__startswith=CUSTOM_AREA_PREFIX))
                ),
                name="region_custom_code_iff_custom_level",
            ),
            models.CheckConstraint(
                condition=models.Q(level=RegionLevel.CUSTOM) | models.Q(owner__isnull=True),
                name="region_owner_only_custom",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.adcode}）"


class UnitQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    pass


class UnitManager(MP_NodeManager):
    def get_queryset(self):
        return UnitQuerySet(self.model, using=self._db).order_by("path")

    def restrict(self, actor, action="view"):
        return self.get_queryset().restrict(actor, action)


class Unit(AuditedModel, MP_Node):
    """A union unit in the federation tree. The materialised `path` makes "this unit and every unit
    below it" one indexed prefix match, which is how data scope is enforced."""

    code = models.CharField(_("单位代码"), max_length=32, unique=True, validators=[UNIT_CODE_VALIDATOR])
    name = models.CharField(_("单位名称"), max_length=200)
    type = models.CharField(_("单位类型"), max_length=30, choices=UnitType.choices)
    region = models.ForeignKey(Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="units")
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[PHONE_VALIDATOR])
    address = models.CharField(_("地址"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # No node_order_by: sorted insertion rewrites the paths of every later sibling (O(n) per insert).
    # Children keep the order they were added in, like the tables units file them in.
    scope_path_field = "path"
    audit_exclude = ("numchild", "updated_at")

    objects = UnitManager()

    class Meta:
        verbose_name = pgettext_lazy("singular", "工会单位")
        verbose_name_plural = _("工会单位")

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self


class User(AuditedModel, AbstractUser):
    """A staff account. Roles come only from memberships; `is_superuser` is never used (三员分立)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True, validators=[PHONE_VALIDATOR])
    # Set when someone else chose the password (account opening, reset by the security admin):
    # every staff page leads to the change form until the user picks their own (issue 5 §1).
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    audit_exclude = ("password", "last_login")
    scope_path_field = "memberships__unit__path"

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def audit_unit(self):
        first = self.memberships.select_related("unit").order_by("pk").first() if self.pk else None
        return first.unit if first else None


class Membership(AuditedModel):
    """A user may act for `unit` in `role`. A user with several memberships switches between them."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, verbose_name=_("授权人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    scope_path_field = "unit__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "role"]
        verbose_name = _("角色授权")
        verbose_name_plural = pgettext_lazy("plural", "角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_user_unit_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def audit_unit(self):
        return self.unit


class PasswordHistory(models.Model):
    """A password hash an account has held, newest last: a new password must differ from the last
    few (`orgs.passwords.HistoryValidator`). Hashes only, compared with `check_password`."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("历史密码")
        verbose_name_plural = pgettext_lazy("plural", "历史密码")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"
