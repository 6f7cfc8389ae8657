"""run_action, the one POST action of the staff pages (centres, projects, campaigns): a rule's refusal
is a message on the page it goes back to; a role's refusal and an object outside the scope are raised
on (403 and 404 from the error middleware), never a message."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.views_helpers import add_refusal, int_param, run_action

BACK = "/staff/somewhere/42/#part"


@pytest.fixture
def request_():
    request = RequestFactory().post("/staff/somewhere/42/act/")
    request._messages = CookieStorage(request)
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_success_goes_back_with_the_message_the_action_words(request_):
    response = run_action(request_, BACK, lambda: _("已变为“{state}”").format(state="已发布"))
    assert (response.status_code, response["Location"]) == (302, BACK)
    assert _said(request_) == [("success", "已变为“已发布”")]


def test_success_message_given_as_text_or_as_a_function_of_the_result(request_):
    run_action(request_, BACK, lambda: 3, _("已保存"))
    run_action(request_, BACK, lambda: 3, lambda n: f"已抽取 {n} 个")
    assert _said(request_) == [("success", "已保存"), ("success", "已抽取 3 个")]


def test_a_rules_refusal_is_the_pages_error_message(request_):
    def refused():
        raise ApplicationError("截止日期已过", field="deadline")

    response = run_action(request_, BACK, refused, _("已保存"))
    assert (response.status_code, response["Location"]) == (302, BACK)
    assert _said(request_) == [("error", "截止日期已过")]


@pytest.mark.parametrize("error", [PermissionDeniedError, NotFoundError])
def test_a_roles_refusal_and_an_object_out_of_scope_are_raised_on(request_, error):
    def refused():
        raise error("不可以")

    with pytest.raises(error):
        run_action(request_, BACK, refused, _("已保存"))
    assert _said(request_) == []


@pytest.mark.parametrize(
    ("raw", "read"),
    [("42", 42), ("", None), ("-1", None), ("4x", None), ("123456789", 123456789), ("1234567890", None)],
)
def test_int_param_reads_a_key_or_nothing(raw, read):
    assert int_param(RequestFactory().get("/", {"unit": raw}), "unit") == read


def test_int_param_absent_is_nothing():
    assert int_param(RequestFactory().get("/"), "unit") is None


class _Form(forms.Form):
    amount = forms.IntegerField()


def test_add_refusal_puts_the_message_at_its_field_or_above_the_form():
    form = _Form({"amount": "3"})
    assert form.is_valid()
    add_refusal(form, ApplicationError("超出余额", field="amount"))
    add_refusal(form, ApplicationError("活动已结束", field="campaign"))
    add_refusal(form, ApplicationError("已被他人修改"))
    assert form.errors["amount"] == ["超出余额"]
    assert form.non_field_errors() == ["活动已结束", "已被他人修改"]
