"""Every date field of every staff form puts an ISO date in its value (issue 21's screenshots: the
activity form's 举办日期 showed empty when editing). A browser's <input type="date"> takes
yyyy-mm-dd only; Django's DateInput writes the locale's first input format (zh-hans: 2026/12/03),
which the browser refuses, so the field showed blank and saving asked for the date again."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.utils import translation

import yizhan
from yizhan.ledger.forms import ActivityForm

DAY = dt.date(2026, 12, 3)


def _forms():
    for info in pkgutil.walk_packages(yizhan.__path__, "yizhan."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__ and hasattr(cls, "base_fields"):
                yield f"{info.name}.{name}", cls


def _date_widgets():
    found = []
    for name, cls in _forms():
        for field_name, field in cls.base_fields.items():
            if getattr(field.widget, "input_type", "") == "date":
                found.append((f"{name}.{field_name}", field.widget))
    return found


def test_the_date_fields_are_found():
    names = {name for name, _ in _date_widgets()}
    assert "yizhan.ledger.forms.ActivityForm.held_on" in names
    assert any(n.startswith("yizhan.grants.forms.") for n in names)
    assert any(n.startswith("yizhan.targets.forms.") for n in names)


@pytest.mark.parametrize(("name", "widget"), _date_widgets(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_date_field_writes_an_iso_value(name, widget):
    with translation.override("zh-hans"):
        html = widget.render("day", DAY)
    assert re.search(r'value="2026-12-03"', html), f"{name}: {html}"


def test_the_activity_form_keeps_its_date_when_edited():
    with translation.override("zh-hans"):
        html = str(ActivityForm.base_fields["held_on"].widget.render("held_on", DAY))
    assert 'type="date"' in html and 'value="2026-12-03"' in html
