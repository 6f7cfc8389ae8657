"""What every staff form shares (issue 21 §8): choices that read as Chinese, not Django's defaults."""

from __future__ import annotations

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

CHOOSE = _("请选择")
NOT_GIVEN = _("（不填）")
_DASHES = BLANK_CHOICE_DASH[0][1]  # "---------"


def empty_choice_label(field: forms.Field, labels: dict[str, str] | None = None, name: str = "") -> str:
    """The words of a select's empty choice: the form's own for the field, else 请选择 where a
    choice is needed and （不填） where the field may stay empty."""
    given = (labels or {}).get(name)
    if given:
        return given
    return CHOOSE if field.required else NOT_GIVEN


def chinese_empty_choices(form: forms.BaseForm, labels: dict[str, str] | None = None) -> None:
    """Replace the "---------" empty choice of every single-choice select of `form` (model choices
    and choice lists alike) by `empty_choice_label`. Call it at the end of the form's __init__,
    once its querysets and choices are set; multiple choices have no empty choice."""
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
            continue
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = empty_choice_label(field, labels, name)
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if any(value == "" and str(label) == _DASHES for value, label in choices):
                label = empty_choice_label(field, labels, name)
                field.choices = [(value, label if value == "" else text) for value, text in choices]
