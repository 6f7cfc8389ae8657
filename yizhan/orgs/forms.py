from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.core.forms import CHOOSE, chinese_empty_choices
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import Region, Unit


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "type", "region", "contact_name", "contact_phone", "address"]

    def __init__(self, *args, allowed_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.defer("boundary").order_by("adcode")
        if allowed_types is not None:
            # Offer only the types the hierarchy allows here; the service checks again.
            self.fields["type"].choices = [("", CHOOSE)] + [
                (value, label) for value, label in UnitType.choices if value in allowed_types
            ]
        chinese_empty_choices(self)


class UnitMoveForm(forms.Form):
    parent = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("新的上级单位"))

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = candidates if candidates is not None else Unit.objects.none()
        chinese_empty_choices(self)


class AccountCreateForm(forms.Form):
    username = forms.RegexField(regex=r"^[\w.@+-]{1,150}$", label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput)  # rules: AUTH_PASSWORD_VALIDATORS
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("单位"))
    role = forms.ChoiceField(choices=[("", CHOOSE), *Role.choices], label=_("角色"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        chinese_empty_choices(self)


class GrantForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("单位"))
    role = forms.ChoiceField(choices=[("", CHOOSE), *Role.choices], label=_("角色"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        chinese_empty_choices(self)
