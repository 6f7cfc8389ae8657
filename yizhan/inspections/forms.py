"""Forms of the inspection pages. The rules are the services'; these only read the input."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yizhan.core.forms import chinese_empty_choices
from yizhan.inspections.choices import InspectionKind
from yizhan.orgs.models import Unit
from yizhan.positions.models import Position
from yizhan.standards.choices import VersionState
from yizhan.standards.models import StandardVersion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
USER_UNKNOWN = _("找不到用户：{username}")
POSITION_UNKNOWN = _("找不到编码为 {code} 的服务阵地，或不在您的管辖范围内")


def _default_end():
    return timezone.localdate() + timedelta(days=30)


def usable_versions(actor):
    """The published versions of the standards of the actor's unit and the units above it."""
    unit = actor.unit
    ancestors = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return (
        StandardVersion.objects.filter(state=VersionState.PUBLISHED, standard__unit__path__in=ancestors)
        .select_related("standard")
        .order_by("standard__code")
    )


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("{name}（第{number}版）").format(name=obj.standard.name, number=obj.number)


def _users(text: str) -> list:
    names = [n for n in text.replace("，", " ").replace(",", " ").split() if n]
    users = []
    for name in names:
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(USER_UNKNOWN.format(username=name))
        users.append(user)
    return users


class InspectionForm(forms.Form):
    position = forms.CharField(label=_("阵地编码"), max_length=40)
    version = VersionChoiceField(label=_("检查标准"), queryset=StandardVersion.objects.none())
    kind = forms.ChoiceField(
        label=_("检查类型"),
        choices=[
            (InspectionKind.PLANNED, InspectionKind.PLANNED.label),
            (InspectionKind.MUTUAL, InspectionKind.MUTUAL.label),
        ],
    )
    starts_on = forms.DateField(label=_("检查开始日期"), widget=DATE, initial=timezone.localdate)
    ends_on = forms.DateField(label=_("检查截止日期"), widget=DATE, initial=_default_end)
    inspecting_unit = forms.ModelChoiceField(
        label=_("互检的检查单位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("互检时选择被检查阵地所属单位的同级单位"),
    )
    inspectors = forms.CharField(
        label=_("检查人员（用户名）"),
        required=False,
        max_length=500,
        help_text=_("多个用户名以空格或逗号分隔；互检时必填，须为检查单位的管理员"),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["version"].queryset = usable_versions(actor)
        self.fields["inspecting_unit"].queryset = (
            Unit.objects.restrict(actor).exclude(pk=actor.unit.pk).order_by("path")
        )
        chinese_empty_choices(self)

    def clean_position(self):
        code = self.cleaned_data["position"].strip()
        position = Position.objects.restrict(self.actor).filter(code=code).first()
        if position is None:
            raise forms.ValidationError(POSITION_UNKNOWN.format(code=code))
        return position

    def clean_inspectors(self):
        return _users(self.cleaned_data.get("inspectors", ""))


class DrawForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("抽取范围（每个单位为一层）"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    version = VersionChoiceField(label=_("检查标准"), queryset=StandardVersion.objects.none())
    size = forms.IntegerField(label=_("抽取数量"), required=False, min_value=1, max_value=10**6)
    rate = forms.DecimalField(
        label=_("或抽取比例（0–1）"), required=False, max_digits=5, decimal_places=4, min_value=0, max_value=1
    )
    seed = forms.IntegerField(
        label=_("随机种子"),
        required=False,
        min_value=0,
        max_value=2**53 - 1,
        help_text=_("不填则随机生成并记录；填入原种子可复现抽取结果"),
    )
    recent_days = forms.IntegerField(label=_("排除最近多少天内检查过的阵地"), initial=90, min_value=0, max_value=3650)
    include_recent = forms.BooleanField(label=_("包括近期已检查的阵地"), required=False)
    ends_on = forms.DateField(label=_("检查截止日期"), widget=DATE, initial=_default_end)
    inspectors = forms.CharField(label=_("检查人员（用户名）"), required=False, max_length=500)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.restrict(actor).order_by("path")
        self.fields["version"].queryset = usable_versions(actor)
        chinese_empty_choices(self)

    def clean_inspectors(self):
        return _users(self.cleaned_data.get("inspectors", ""))


class RectificationForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    requirement = forms.CharField(label=_("整改要求"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(
        label=_("整改期限"), widget=DATE, initial=lambda: timezone.localdate() + timedelta(days=14)
    )


class TransitionForm(forms.Form):
    to_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=pgettext_lazy("note", "说明"), required=False, max_length=255, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    date_from = forms.DateField(label=_("起始日期"), widget=DATE)
    date_to = forms.DateField(label=_("截止日期"), widget=DATE)
    format = forms.ChoiceField(label=_("格式"), choices=[("xlsx", "Excel（xlsx）"), ("pdf", "PDF")])
