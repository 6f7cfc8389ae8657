"""Staff forms of targets and reported figures. Values are typed as text and parsed with Decimal
by the services (a share may be typed with its % sign); the rules stay in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.targets.metrics import all_metrics


def _date(label, **kwargs) -> forms.DateField:
    # ISO in the value: a date field refuses the locale's 2026/12/03 and shows an empty field.
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def _value(label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class TargetForm(forms.Form):
    unit = forms.ChoiceField(label=_("单位"), choices=(), required=False)
    all_children = forms.BooleanField(label=_("为所有直属下级单位各设定一项（如全部区县）"), required=False)
    metric = forms.ChoiceField(label=_("指标"), choices=())
    value = _value(_("目标值"), _("计数填整数；比例填百分数，不超过 100"))
    start_on = _date(_("起始日期"), required=False, help_text=_("基期，预测从此日起算；不填则按最近 12 个月"))
    due_on = _date(_("完成期限"))
    basis = forms.CharField(label=_("依据"), max_length=200, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(str(u.pk), u.name) for u in units]
        self.fields["metric"].choices = [(m.code, m.label) for m in all_metrics()]


class TargetEditForm(forms.Form):
    value = _value(_("目标值"), _("计数填整数；比例填百分数，不超过 100"))
    start_on = _date(_("起始日期"), required=False)
    due_on = _date(_("完成期限"))
    basis = forms.CharField(label=_("依据"), max_length=200, required=False)


class FigureForm(forms.Form):
    unit = forms.ChoiceField(label=_("单位"), choices=())
    metric = forms.ChoiceField(label=_("指标"), choices=())
    value = _value(_("数值"))
    as_of = _date(_("截至日期"))
    source = forms.CharField(label=_("数据来源"), max_length=200, help_text=_("如：区总工会年度统计表"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(u.pk), u.name) for u in units]
        self.fields["metric"].choices = [(m.code, m.label) for m in all_metrics() if m.reported]
