"""The acceptance's section of the annual report (yizhan.reports.registry): the graded centres with
their rates and grade, the units without a model centre; a role that may not read applications
gets no section."""

import pytest

from yizhan.centres import services
from yizhan.centres.choices import ApplicationState
from yizhan.centres.report import SECTION, centres_section
from yizhan.centres.tests.conftest import answers_all
from yizhan.core.roles import Role
from yizhan.reports.registry import registered_sections

pytestmark = pytest.mark.django_db


def test_section_lists_graded_centres_and_flags(fed, zs, application, dalian, make_actor):
    assert SECTION in registered_sections()
    empty = centres_section(fed, dalian["city"], application.round.year)
    assert empty.paragraphs[0] == "本年度无考核验收评定结果。" and not empty.tables
    services.self_check_save(actor=zs, application=application, answers=answers_all(application), self_report="r")
    services.application_file(actor=zs, application=application)
    services.review_save(
        actor=fed,
        application=application,
        answers=answers_all(application, methods=["look"]),
        questionnaire_responses=10,
        questionnaire_satisfied=6,
    )
    services.application_transition(actor=fed, application=application, to_state=ApplicationState.REVIEWED)
    services.application_grade(actor=fed, application=application)
    content = centres_section(fed, dalian["city"], application.round.year)
    assert content.paragraphs[0] == "本年度共评定 1 个职工服务中心：达标 1 个。"
    assert "中山区总工会" in content.paragraphs[1] and "西岗区总工会" in content.paragraphs[1]
    row = content.tables[0].rows[0]
    assert row[1] == application.centre.official_name and row[5] == "60.0%" and row[6] == "达标"
    assert centres_section(make_actor(Role.STATION_MANAGER, dalian["zs"]), dalian["city"], 2026) is None
