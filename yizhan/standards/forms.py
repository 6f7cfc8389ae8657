"""Forms of the standards pages: what a person types; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.positions.choices import CentreLevel, PositionKind
from yizhan.standards.choices import CheckType
from yizhan.standards.models import StandardItem

LIST_HINT = _("多个选项用顿号“、”或逗号分隔")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


def _split(text: str) -> list[str]:
    for sep in (",", "，", ";", "；", "\n"):
        text = text.replace(sep, "、")
    return [part.strip() for part in text.split("、") if part.strip()]


class ItemForm(forms.Form):
    """One item of a draft: added or changed through `services.standard_item_add/update`."""

    key = forms.SlugField(label=_("条目代码"), max_length=60, help_text=_("字母、数字、连字符，在本版本中唯一"))
    text = forms.CharField(label=_("条目内容"), max_length=300)
    group = forms.CharField(label=_("分组"), max_length=50, required=False)
    kinds = forms.MultipleChoiceField(
        label=_("适用阵地类型"),
        choices=PositionKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选为全部类型"),
    )
    centre_levels = forms.MultipleChoiceField(
        label=_("适用中心层级"),
        choices=CentreLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("仅对职工服务中心；不选为全部层级"),
    )
    check_type = forms.ChoiceField(
        label=_("检查方式"), choices=CheckType.choices, initial=CheckType.YES_NO, widget=forms.RadioSelect
    )
    minimum = forms.DecimalField(
        label=_("最小值"), required=False, min_value=0, max_digits=10, decimal_places=2, help_text=_("数值检查时必填")
    )
    unit_label = forms.CharField(label=_("计量单位"), max_length=20, required=False)
    choices = forms.CharField(label=_("选项"), required=False, max_length=500, help_text=LIST_HINT)
    passing_choices = forms.CharField(label=_("合格选项"), required=False, max_length=500, help_text=LIST_HINT)
    required = forms.BooleanField(label=_("必备条目"), required=False, initial=True)
    points = forms.DecimalField(label=_("分值"), min_value=0, max_value=100, max_digits=6, decimal_places=2, initial=0)

    @classmethod
    def initial_from(cls, item: StandardItem) -> dict:
        return {
            "key": item.key,
            "text": item.text,
            "group": item.group,
            "kinds": item.kinds,
            "centre_levels": item.centre_levels,
            "check_type": item.check_type,
            "minimum": item.minimum,
            "unit_label": item.unit_label,
            "choices": "、".join(item.choices),
            "passing_choices": "、".join(item.passing_choices),
            "required": item.required,
            "points": item.points,
        }

    def fields_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["choices"] = _split(data["choices"])
        data["passing_choices"] = _split(data["passing_choices"])
        return data


class RateForm(forms.Form):
    """The period a rating covers: its number (the year by default) and the ledger's dates."""

    period = forms.IntegerField(label=_("评定周期（年度）"), min_value=2000, max_value=2100)
    date_from = forms.DateField(label=_("统计起始日"), widget=DateInput())
    date_to = forms.DateField(label=_("统计截止日"), widget=DateInput())
    periodic = forms.BooleanField(
        label=_("周期评定"),
        required=False,
        initial=True,
        help_text=_("不勾选则按检查结果处理：只会降级，不会升级"),
    )

    @classmethod
    def initial_for(cls, assessed_on) -> dict:
        today = timezone.localdate()
        end = min(assessed_on, today)
        return {"period": end.year, "date_from": end.replace(month=1, day=1), "date_to": end, "periodic": True}


class ReviewForm(forms.Form):
    period = forms.IntegerField(label=_("评定周期（年度）"), min_value=2000, max_value=2100)
