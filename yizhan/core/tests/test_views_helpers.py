"""run_action, the one POST action of the staff pages (centres, projects, campaigns): a rule's refusal
is a message on the page it goes back to; a role's refusal and an object outside the scope are raised
on (403 and 404 from the error middleware), never a message."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.views_helpers import run_action

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
