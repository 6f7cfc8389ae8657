"""Forms of the registry's staff pages. They check formats only; the services decide the rules."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.forms import CHOOSE, chinese_empty_choices
from yizhan.core.geo.crs import CRS
from yizhan.core.hours import read_hours, schedule_text
from yizhan.positions.choices import (
    REQUIRED_FACILITIES,
    Ability,
    ConstructionType,
    Facility,
    InputCRS,
    PositionKind,
    PositionState,
    ServedGroup,
    Service,
    StarRating,
)
from yizhan.positions.hours_exceptions import REASON_REQUIRED
from yizhan.positions.models import Position
from yizhan.positions.rules import PAST_EVENT_DATES
from yizhan.positions.selectors import SORTS, UNRATED, PositionFilters

ALL = ("", _("全部"))
STALE_FORM = _("页面缺少版本信息（可能已过期），请重新打开编辑页面后再保存")
HOURS_HELP = _("每天相同写“06:00-22:00”；分日写“mon-fri 06:00-20:00; sat,sun 08:00-18:00”；跨夜写“20:00-06:00”")
HOURS_UNREADABLE = _(
    "无法识别开放时间“{text}”：请写成“06:00-22:00”“周一至周五 08:30-17:30，周末 09:00-16:00”或“24小时”；"
    "时间不明时留空（显示为“开放时间待核实”）"
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PositionFilterForm(forms.Form):
    """The filters shared by the list, the map and its points (GET parameters)."""

    q = forms.CharField(label=_("名称、地址、编号或拼音首字母"), required=False, max_length=100)
    unit = forms.TypedChoiceField(label=_("所属单位（含下级）"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("阵地类型"), required=False, choices=[ALL, *PositionKind.choices])
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[ALL, *PositionState.choices])
    construction_type = forms.ChoiceField(label=_("建设类型"), required=False, choices=[ALL, *ConstructionType.choices])
    region = forms.ChoiceField(label=_("行政区划"), required=False)
    star = forms.ChoiceField(
        label=_("星级"), required=False, choices=[ALL, *StarRating.choices, (UNRATED, _("未评星"))]
    )
    facility = forms.MultipleChoiceField(
        label=_("具备设施"), required=False, choices=Facility.choices, widget=forms.CheckboxSelectMultiple
    )
    needs_verification = forms.BooleanField(
        label=_("只看待核实"), required=False, help_text=_("开放时间或建设类型待核实的阵地")
    )
    suspension_overdue = forms.BooleanField(
        label=_("只看逾期未恢复"), required=False, help_text=_("暂停服务且已过预计恢复日期的阵地")
    )
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=[(key, key) for key in SORTS])

    def __init__(self, *args, units=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [ALL, *((u.pk, u.name) for u in units)]
        self.fields["region"].choices = [ALL, *((r.adcode, f"{r.name}（{r.adcode}）") for r in regions)]

    def active_count(self) -> int:
        """How many conditions are set, each ticked facility one (the phone's folded filter panel
        says so on its summary)."""
        data = getattr(self, "cleaned_data", None) or {}
        set_ = [value for name, value in data.items() if name != "sort" and name not in self.errors and value]
        return sum(len(value) if isinstance(value, list) else 1 for value in set_)

    def filters(self) -> PositionFilters:
        """The valid filters; an invalid value (a stale link) is dropped rather than refused."""
        self.is_valid()
        data = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}
        return PositionFilters(
            unit=data.get("unit"),
            kind=data.get("kind", ""),
            state=data.get("state", ""),
            facility=data.get("facility", []),
            construction_type=data.get("construction_type", ""),
            region=data.get("region", ""),
            star=data.get("star", ""),
            needs_verification=data.get("needs_verification", False),
            suspension_overdue=data.get("suspension_overdue", False),
            q=data.get("q", ""),
            sort=data.get("sort") or "code",
        )


# The empty choice of the registration form's selects, in the words of each field.
EMPTY_CHOICES = {
    "centre_level": _("（仅服务中心填写）"),
    "parent_centre": _("（仅工作站填写）"),
    "region": _("按坐标自动判定"),
}


class PositionForm(forms.ModelForm):
    """Every editable field of a position (services.EDITABLE_FIELDS) plus the coordinate system of
    the point as typed or picked."""

    crs = forms.ChoiceField(label=_("坐标系"), choices=InputCRS.choices, initial=CRS.GCJ02)
    weekly_hours = forms.CharField(label=_("每周开放时间"), required=False, help_text=HOURS_HELP, max_length=500)
    facilities = forms.MultipleChoiceField(
        label=_("设施"), required=False, choices=Facility.choices, widget=forms.CheckboxSelectMultiple
    )
    abilities = forms.MultipleChoiceField(
        label=_("六能"), required=False, choices=Ability.choices, widget=forms.CheckboxSelectMultiple
    )
    services = forms.MultipleChoiceField(
        label=_("六服务"), required=False, choices=Service.choices, widget=forms.CheckboxSelectMultiple
    )
    own_services = forms.CharField(
        label=_("特色服务"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项，或用逗号分隔"),
    )
    served_groups = forms.MultipleChoiceField(
        label=_("服务对象"), required=False, choices=ServedGroup.choices, widget=forms.CheckboxSelectMultiple
    )
    # The record's version when the page was opened: the service refuses the save if it has changed.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    # The order of the page: identity, place, build, people, hours, contents, signage.
    class Meta:
        model = Position
        fields = [
            "code", "kind", "centre_level", "parent_centre", "official_name", "short_name", "unit",
            "region", "address", "lng", "lat", "area_override_reason", "construction_type", "build_mode",
            "co_builder", "build_nature", "floor_area", "manager_name", "manager_phone", "public_phone",
            "always_open", "weekly_hours", "hours_source_text", "entry_method", "no_app_needed", "facilities",
            "abilities", "services", "own_services", "served_groups", "verified_on", "signage_issued_on",
            "plaque_number", "opened_on",
        ]  # fmt: skip
        # No star_rating/star_rated_on: written only by the rating service (decision 13, ended).
        widgets = {
            # Kept while the hours are unknown (shown beside them as 登记原文); hours typed replace it.
            "hours_source_text": forms.HiddenInput,
            "lng": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "lat": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "verified_on": DateInput(),
            "signage_issued_on": DateInput(),
            "opened_on": DateInput(),
            "manager_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "public_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        labels = {"lng": _("经度"), "lat": _("纬度")}
        help_texts = {
            "official_name": _(
                "站点：工会户外劳动者服务站点·站点名；中心：××职工服务中心；工作站：××职工服务中心××工作站"
            ),
            "region": _("留空则按坐标自动判定"),
        }

    def __init__(self, *args, units, centres, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["parent_centre"].queryset = centres
        self.fields["region"].queryset = regions
        self.fields["region"].required = False
        self.fields["lng"].widget.attrs["data-picker"] = "lng"
        self.fields["lat"].widget.attrs["data-picker"] = "lat"
        self.fields["crs"].widget.attrs["data-picker"] = "crs"
        for name in self._meta.fields:
            if isinstance(Position._meta.get_field(name), models.CharField):
                # The column's length is the service's rule (rules.text_too_long): one message,
                # naming the field and the limit, for a form, the API and an import alike. The
                # input keeps its maxlength attribute.
                field = self.fields[name]
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        for name in PAST_EVENT_DATES:
            if name not in self.fields:
                continue  # star_rated_on: written by the rating service, not on the form
            # What the service accepts for a past event (rules.past_date_problem), offered by the picker.
            self.fields[name].widget.attrs.update(
                min=settings.YIZHAN_EARLIEST_DATE.isoformat(), max=timezone.localdate().isoformat()
            )
        chinese_empty_choices(self, EMPTY_CHOICES)
        if self.instance.pk:
            self.initial["weekly_hours"] = schedule_text(self.instance.weekly_hours or {})
            self.initial["own_services"] = "\n".join(self.instance.own_services or [])
            self.initial["version"] = self.instance.version

    def facility_groups(self):
        """The facility checkboxes split into the required ones (source 000) and the optional ones."""
        required = {str(value) for value in REQUIRED_FACILITIES}
        boxes = list(self["facilities"])
        return (
            [box for box in boxes if box.data["value"] in required],
            [box for box in boxes if box.data["value"] not in required],
        )

    def clean_weekly_hours(self):
        """The hours as people write them (core.hours.read_hours); "24小时" ticks 24-hour opening.
        A person is told what cannot be read (an import keeps it, unknown, instead)."""
        text = self.cleaned_data["weekly_hours"]
        reading = read_hours(text)
        if reading.unreadable:
            raise forms.ValidationError(HOURS_UNREADABLE.format(text=reading.unreadable))
        self.hours_round_the_clock = reading.always_open
        return reading.schedule

    def clean_own_services(self):
        return [item.strip() for item in re.split(r"[,，、\n]", self.cleaned_data["own_services"]) if item.strip()]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not cleaned.get("version"):
            raise forms.ValidationError(STALE_FORM)
        if getattr(self, "hours_round_the_clock", False):
            cleaned["always_open"] = True
        return cleaned

    def _post_clean(self):
        # The record's rules (naming, area, duplicates, uniqueness) are the services' to check, once.
        pass

    def service_arguments(self) -> dict:
        """cleaned_data as keyword arguments of services.position_create / position_update (an edit
        passes the version the page was opened at)."""
        arguments = dict(self.cleaned_data)
        version = arguments.pop("version", None)
        if self.instance.pk:
            arguments["expected_version"] = version
        return arguments


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label=_("变更为"))
    reason = forms.CharField(label=_("原因"), required=False, max_length=255, help_text=_("暂停服务或摘牌时必填"))
    effective_on = forms.DateField(label=_("生效日期"), required=False, widget=DateInput(), help_text=_("留空为今天"))
    expected_reopen_on = forms.DateField(
        label=_("预计恢复日期"), required=False, widget=DateInput(), help_text=_("仅暂停服务时填写")
    )

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [(s, PositionState(s).label) for s in states]


class BulkTransitionForm(forms.Form):
    # No state chosen until the clerk picks one: a bulk change must never default to the first state.
    to_state = forms.ChoiceField(label=_("将选中的阵地变更为"), choices=[("", CHOOSE), *PositionState.choices])
    reason = forms.CharField(label=_("原因"), required=False, max_length=255)
    ids = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": _("请先勾选阵地")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer: which of them the actor may change is for the selector and the service.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()


INTERVALS_HELP = _("如“08:00-12:00, 14:00-18:00”；跨夜写“20:00-04:00”；全天关闭时留空")
INTERVAL_FORMAT = _("开放时段“{interval}”格式应为 HH:MM-HH:MM")


def intervals_text(intervals: list[list[str]]) -> str:
    """An exception's intervals as typed in the form ("08:00-12:00, 14:00-18:00")."""
    return ", ".join(f"{a}-{b}" for a, b in intervals or [])


class HoursExceptionForm(forms.Form):
    """A dated exception to a position's hours (hours_exceptions.py decides the rules)."""

    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput(), help_text=_("只有一天时与开始日期相同"))
    closed = forms.BooleanField(label=_("全天关闭"), required=False)
    intervals = forms.CharField(label=_("当日开放时段"), required=False, max_length=200, help_text=INTERVALS_HELP)
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        help_text=_("如“春节休息”“停水检修”"),
        error_messages={"required": REASON_REQUIRED},
    )

    def __init__(self, *args, exception=None, **kwargs):
        if exception is not None:
            kwargs.setdefault(
                "initial",
                {
                    "start": exception.start,
                    "end": exception.end,
                    "closed": exception.closed,
                    "intervals": intervals_text(exception.intervals),
                    "reason": exception.reason,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_intervals(self):
        text = self.cleaned_data["intervals"].replace("，", ",").replace("、", ",").replace("－", "-")
        text = text.replace("—", "-").replace("–", "-").replace("～", "-").replace("~", "-")
        intervals = []
        for span in filter(None, (s.strip() for s in text.split(","))):
            bounds = [b.strip() for b in span.split("-")]
            if len(bounds) != 2:
                raise forms.ValidationError(INTERVAL_FORMAT.format(interval=span))
            intervals.append(bounds)
        return intervals
