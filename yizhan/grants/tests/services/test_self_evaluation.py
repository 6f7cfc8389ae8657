"""Self-evaluation reports: asked of every unit managing grants of a source; every field required
before submission, each missing one named; overdue while a draft after its due date."""

import datetime as dt

import pytest
from freezegun import freeze_time

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.grants import selectors, services
from yizhan.grants.choices import ReportState
from yizhan.grants.models import SelfEvaluation
from yizhan.grants.tests.factories import COMPLETE_REPORT, GrantFactory, GrantUseFactory
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db
DUE = dt.date(2022, 10, 28)
TITLE = "2022 年度补助资金绩效自评报告"


@pytest.fixture
def report(fed, grant):
    return services.self_evaluation_request(actor=fed, source="campaign:1", title=TITLE, due_on=DUE)[0]


def test_asked_of_each_unit_with_grants_once(fed, dalian, grant):
    GrantFactory(position=PositionFactory(unit=dalian["xg"]))
    GrantFactory(position=PositionFactory(unit=dalian["xg"]))
    reports = services.self_evaluation_request(actor=fed, source="campaign:1", title=TITLE, due_on=DUE)
    assert sorted(r.unit.code for r in reports) == ["DL-XG", "DL-ZS"]
    services.self_evaluation_request(actor=fed, source="campaign:1", title=TITLE, due_on=DUE)
    assert SelfEvaluation.objects.count() == 2


def test_no_grants_no_report(fed, dalian):
    with pytest.raises(NotFoundError) as error:
        services.self_evaluation_request(actor=fed, source="campaign:9", title=TITLE, due_on=DUE)
    assert error.value.message == str(services.NO_GRANTS_FOR_SOURCE)


def test_an_empty_report_lists_every_missing_field(zs, report):
    with pytest.raises(ApplicationError) as error:
        services.self_evaluation_submit(actor=zs, report=report)
    assert error.value.message == (
        "报告不完整，不能提交。请填写：绩效目标、目标完成情况、资金使用情况、产出与效益、自评得分、存在的问题、整改措施"
    )
    assert error.value.extra["missing"] == list(services.REPORT_FIELDS)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


@pytest.mark.parametrize("left_out", services.REPORT_FIELDS)
def test_each_field_alone_blocks_submission(zs, report, left_out):
    services.self_evaluation_save(actor=zs, report=report, **{**COMPLETE_REPORT, left_out: None})
    with pytest.raises(ApplicationError) as error:
        services.self_evaluation_submit(actor=zs, report=report)
    label = SelfEvaluation._meta.get_field(left_out).verbose_name
    assert error.value.message == f"报告不完整，不能提交。请填写：{label}"
    assert error.value.field == left_out


def test_a_complete_report_is_submitted_with_the_grants_figures(zs, report, grant):
    GrantUseFactory(grant=grant, amount_fen=92_000)
    services.self_evaluation_save(actor=zs, report=report, **COMPLETE_REPORT)
    submitted = services.self_evaluation_submit(actor=zs, report=report)
    assert (submitted.state, submitted.awarded_fen, submitted.spent_fen) == (ReportState.SUBMITTED, 500_000, 92_000)
    with pytest.raises(ApplicationError) as error:
        services.self_evaluation_save(actor=zs, report=report, problems="改")
    assert error.value.message == str(services.REPORT_SUBMITTED)


@pytest.mark.parametrize("score", [-1, 101, "90", 9.5])
def test_score_out_of_range_refused(zs, report, score):
    with pytest.raises(ApplicationError) as error:
        services.self_evaluation_save(actor=zs, report=report, score=score)
    assert error.value.message == str(services.SCORE_RANGE)


def test_too_long_text_refused(zs, report):
    with pytest.raises(ApplicationError) as error:
        services.self_evaluation_save(actor=zs, report=report, outputs="长" * 2001)
    assert error.value.message == "“产出与效益”不能超过 2000 个字"


def test_only_the_unit_writes_its_report(fed, xg, report):
    with pytest.raises(PermissionDeniedError):
        services.self_evaluation_save(actor=fed, report=report, targets="x")
    with pytest.raises(NotFoundError):
        services.self_evaluation_save(actor=xg, report=report, targets="x")


def test_overdue_after_the_due_date(zs, fed, report):
    with freeze_time("2022-10-28 12:00:00+08:00"):
        assert not report.overdue
        assert selectors.self_evaluation_list(actor=fed, overdue=True).count() == 0
    with freeze_time("2022-10-29 00:30:00+08:00"):  # still 28 October in UTC
        assert report.overdue
        assert list(selectors.self_evaluation_list(actor=fed, overdue=True)) == [report]
        services.self_evaluation_save(actor=zs, report=report, **COMPLETE_REPORT)
        services.self_evaluation_submit(actor=zs, report=report)
        assert selectors.self_evaluation_list(actor=fed, overdue=True).count() == 0
