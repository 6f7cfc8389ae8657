"""The scoring sheet of an archived project and the subsidies with their top-up rule, stored."""

import datetime as dt
from decimal import Decimal

import pytest

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditEntry
from yizhan.projects import services
from yizhan.projects.choices import HonourLevel, ProjectState
from yizhan.projects.models import ScoreSheet, SubsidyPayment
from yizhan.projects.tests.factories import ServiceProjectFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def archived(dalian):
    return ServiceProjectFactory(
        unit=dalian["zs"],
        state=ProjectState.ARCHIVED,
        completed_on=D(2023, 12, 20),
        satisfaction_rate=Decimal("85.00"),
        survey_respondents=60,
    )


EVIDENCE = {
    "study": True,
    "activity_materials": True,
    "certificate": True,
    "signboard": True,
    "union_approval": True,
    "union_work": True,
    "union_activities": False,
    "documents": 3,
    "media_city": 2,
    "media_provincial": 1,
    "exchanges_national": 4,
}


def test_sheet_computed_from_evidence(fed, archived):
    sheet = services.score_sheet_confirm(actor=fed, project=archived, nominated_on=D(2024, 4, 1), evidence=EVIDENCE)
    assert sheet.points["satisfaction"] == 8
    assert sheet.points["media"] == 4
    assert sheet.points["exchanges"] == 10
    assert sheet.points["project_documents"] == 10
    assert sheet.points["union_activities"] == 0
    assert sheet.total == 10 + 10 + 10 + 10 + 10 + 5 + 0 + 10 + 8 + 4 + 10
    assert sheet.confirmed_by == fed.user.username


def test_score_above_cap_refused_and_nothing_written(fed, archived):
    entries = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.score_sheet_confirm(
            actor=fed, project=archived, nominated_on=D(2024, 4, 1), evidence=EVIDENCE, adjustments={"media": 11}
        )
    assert refused.value.message == "“设区市级 1 分、省部级 2 分、国家级 3 分/次”最高 10 分，填写的 11 分超出上限"
    assert not ScoreSheet.objects.exists() and AuditEntry.objects.count() == entries


def test_reviewer_adjusts_within_cap_and_confirms_again(fed, archived):
    services.score_sheet_confirm(actor=fed, project=archived, nominated_on=D(2024, 4, 1), evidence=EVIDENCE)
    sheet = services.score_sheet_confirm(
        actor=fed, project=archived, nominated_on=D(2024, 4, 1), evidence=EVIDENCE, adjustments={"media": 3}
    )
    assert sheet.points["media"] == 3 and ScoreSheet.objects.count() == 1


def test_only_archived_projects_are_scored(fed, dalian):
    project = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.AGREED)
    with pytest.raises(ApplicationError, match="归档后才能评分"):
        services.score_sheet_confirm(actor=fed, project=project, nominated_on=D(2024, 4, 1), evidence={})


def test_unit_admin_may_not_score(zs, archived):
    with pytest.raises(PermissionDeniedError):
        services.score_sheet_confirm(actor=zs, project=archived, nominated_on=D(2024, 4, 1), evidence={})


def pay(fed, project, level):
    return services.subsidy_pay(actor=fed, project=project, level=level, paid_on=D(2024, 9, 1)).amount_fen


def test_city_provincial_national_pay_10000_each(fed, archived):
    assert [pay(fed, archived, level) for level in ("city", "provincial", "national")] == [1_000_000] * 3
    assert sum(SubsidyPayment.objects.values_list("amount_fen", flat=True)) == 3_000_000


def test_national_first_pays_30000_and_nothing_after(fed, archived):
    assert pay(fed, archived, HonourLevel.NATIONAL) == 3_000_000
    entries = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as refused:
        pay(fed, archived, HonourLevel.PROVINCIAL)
    assert refused.value.message == "该项目已按更高荣誉足额补助（已发 30000.00 元），省级优秀项目不再补助"
    assert SubsidyPayment.objects.count() == 1 and AuditEntry.objects.count() == entries


def test_paid_twice_refused(fed, archived):
    pay(fed, archived, HonourLevel.CITY)
    with pytest.raises(ApplicationError) as refused:
        pay(fed, archived, HonourLevel.CITY)
    assert refused.value.message == "该项目的市级优秀项目补助已于 2024-09-01 发放（10000.00 元），不能重复补助"
    assert SubsidyPayment.objects.count() == 1


def test_bad_level_and_scope(fed, archived, make_actor, make_unit):
    with pytest.raises(ApplicationError):
        pay(fed, archived, "county")
    from yizhan.core.roles import Role
    from yizhan.orgs.choices import UnitType

    qingdao = make_actor(Role.FEDERATION_ADMIN, make_unit(UnitType.CITY_FEDERATION, name="青岛市总工会", code="QD"))
    with pytest.raises(NotFoundError):
        pay(qingdao, archived, HonourLevel.CITY)
