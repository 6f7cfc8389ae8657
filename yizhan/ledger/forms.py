"""Forms of the feedback pages: what a person types; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.ledger.choices import FeedbackStatus


class FeedbackTransitionForm(forms.Form):
    """A handling move: the button pressed names the status; any status is accepted here, so that
    a move the table refuses is refused by the workflow with its own words."""

    to_state = forms.ChoiceField(choices=FeedbackStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("处理说明"),
        required=False,
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("标记已处理时填写回复内容或处理情况，重新打开时说明原因"),
    )
