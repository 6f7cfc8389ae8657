"""Forms of the account-security pages. Formats only: the password rules run in the services."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

PASSWORDS_DIFFER = _("两次输入的新密码不一致")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label=_("再次输入新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = "；".join(password_validators_help_texts())

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", PASSWORDS_DIFFER)
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=40,
        help_text=_("身份验证器上当前的 6 位数字；手机不在身边时，可输入一个恢复码（每个只能用一次）"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class EnrolTokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=10,
        help_text=_("添加后，输入身份验证器上显示的 6 位数字以确认"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordResetForm(forms.Form):
    """The security admin's reset of another account's password (and, on request, its authenticator)."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(
        label=_("新的初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("用户下次登录时须修改此密码"),
    )
    clear_second_factor = forms.BooleanField(label=_("同时清除其双因素验证设备和恢复码（手机丢失时）"), required=False)
