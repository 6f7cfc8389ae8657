"""A reviewed application names the review's methods in Chinese (issue 21's screenshots: the
hardware table read "达标 [look, check]", the stored keys)."""

import pytest

from yizhan.centres import services
from yizhan.centres.choices import ApplicationState
from yizhan.centres.tests.conftest import answers_all

pytestmark = pytest.mark.django_db


def test_the_review_methods_read_as_look_check_talk(fed, filed, login):
    services.review_save(
        actor=fed,
        application=filed,
        answers=answers_all(filed, methods=["look", "check"]),
        questionnaire_responses=100,
        questionnaire_satisfied=90,
        summary="考核组",
    )
    services.application_transition(actor=fed, application=filed, to_state=ApplicationState.REVIEWED)
    html = login(fed.user).get(f"/staff/centres/{filed.pk}/").content.decode()
    assert 'title="看：实地察看">看</span>' in html
    assert 'title="查：检查台账和记录">查</span>' in html
    assert '谈：座谈了解">谈</span>' not in html
    assert (
        "look" not in html.replace('value="look"', "") and "[" not in html.split("checklist", 1)[1].split("</table>")[0]
    )
