"""Forms of the partners' pages (issue 20 §3)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PartnerForm(forms.Form):
    # A unit code, offered as a list of the units in reach; a code outside it is answered "not
    # found" by the view (404), as everywhere else (spec §1).
    unit = forms.CharField(
        label=_("可访问的单位范围"),
        help_text=_("合作方只能读取该单位及其下级单位的公开阵地"),
        widget=forms.Select,
    )
    name = forms.CharField(label=_("合作方名称"), max_length=100)
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30)
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False)
    rate_per_minute = forms.IntegerField(
        label=_("每分钟请求上限（每个密钥）"), min_value=1, max_value=6000, initial=120
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = [(u.code, f"{'　' * (u.depth - 1)}{u.name}") for u in units]


class KeyIssueForm(forms.Form):
    label = forms.CharField(label=_("用途"), max_length=60, required=False, help_text=_("如：小程序正式环境"))


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("推送地址"),
        max_length=500,
        required=False,
        help_text=_("有变更时向该地址 POST 签名的变更批次；留空则停止推送。不能是内网、本机或本平台地址。"),
    )
