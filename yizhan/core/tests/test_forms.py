"""Selects read as Chinese (issue 21 §8): no "---------" as the empty choice."""

from django import forms

from yizhan.core.forms import CHOOSE, NOT_GIVEN, chinese_empty_choices


class Sample(forms.Form):
    needed = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")])
    optional = forms.TypedChoiceField(choices=[("", "---------"), ("b", "乙")], required=False)
    named = forms.ChoiceField(choices=[("", "---------"), ("c", "丙")], required=False)
    all_of = forms.ChoiceField(choices=[("", "全部"), ("d", "丁")], required=False)
    several = forms.MultipleChoiceField(choices=[("e", "戊")], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chinese_empty_choices(self, {"named": "按坐标自动判定"})


def test_empty_choices_say_what_leaving_them_means():
    form = Sample()
    assert form.fields["needed"].choices[0] == ("", CHOOSE)
    assert form.fields["optional"].choices[0] == ("", NOT_GIVEN)
    assert form.fields["named"].choices[0] == ("", "按坐标自动判定")
    assert form.fields["all_of"].choices[0] == ("", "全部")  # a label of its own stays
    html = form.as_p()
    assert "---------" not in html
    assert '<option value="" selected>请选择</option>' in html
