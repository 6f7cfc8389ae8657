"""Staff forms of grants and self-evaluation reports. Amounts are typed in yuan and parsed with
Decimal into fen by the view (grants.money); the rules stay in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.grants.choices import UsePurpose
from yizhan.grants.models import TEXT_MAX_LENGTH


def _date(label, **kwargs) -> forms.DateField:
    # ISO in the value: a date field refuses the locale's 2026/12/03 and shows an empty field.
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


class GrantUseForm(forms.Form):
    amount = forms.CharField(
        label=_("金额（元）"),
        max_length=20,
        help_text=_("以元为单位，最多两位小数"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    purpose = forms.ChoiceField(label=_("用途"), choices=UsePurpose.choices)
    used_on = _date(_("使用日期"))
    description = forms.CharField(label=_("使用说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=_("凭证"),
        required=False,
        help_text=_("发票、验收单的照片（JPEG、PNG、WebP）或 PDF 扫描件"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("凭证"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)


class DisburseForm(forms.Form):
    disbursed_on = _date(_("拨付日期"))
    reference = forms.CharField(label=_("拨付凭证号"), max_length=100, required=False)


class ReportRequestForm(forms.Form):
    """The source is chosen among those of the grants in the actor's scope (named by their title)."""

    source = forms.ChoiceField(label=_("资金来源"), choices=())
    title = forms.CharField(label=_("报告名称"), max_length=200)
    due_on = _date(_("报送截止日期"))

    def __init__(self, *args, sources: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("请选择资金来源")), *sources]


class SelfEvaluationForm(forms.Form):
    """Every field may be left empty while drafting; submission requires them all."""

    targets = forms.CharField(
        label=_("绩效目标"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_completion = forms.CharField(
        label=_("目标完成情况"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    funds_use = forms.CharField(
        label=_("资金使用情况"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    outputs = forms.CharField(
        label=_("产出与效益"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    score = forms.IntegerField(
        label=_("自评得分"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    problems = forms.CharField(
        label=_("存在的问题"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    rectification = forms.CharField(
        label=_("整改措施"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
