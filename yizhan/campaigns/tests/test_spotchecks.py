"""Random checks after the self-evaluation (issue 17 §9, spec §7): the federation draws, from a
recorded seed, a number or a share of the honoured positions of the units that submitted their
self-evaluation report, as spot-check inspections linked to the campaign; refusals with nothing
written; the campaign page lists the draws and their inspections; scope."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from yizhan.campaigns import spotchecks
from yizhan.campaigns.choices import CampaignState, StepKind
from yizhan.campaigns.models import Honour
from yizhan.campaigns.tests.factories import CampaignFactory
from yizhan.core.errors import ApplicationError
from yizhan.core.models import AuditEntry
from yizhan.core.roles import Role
from yizhan.grants import services as grants
from yizhan.grants.tests.factories import COMPLETE_REPORT
from yizhan.inspections.choices import InspectionKind, InspectionState
from yizhan.inspections.models import Inspection, SpotCheckDraw
from yizhan.inspections.tests.factories import shipped_version
from yizhan.orgs.choices import UnitType

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(dalian, fed, zs_admin, xg_admin, stations):
    """An approved campaign: 4 中山区 and 2 西岗区 stations honoured with their grants; 中山区 has
    submitted its self-evaluation report, 西岗区 not yet."""
    campaign = CampaignFactory(federation=dalian["city"], state=CampaignState.APPROVED, grant_fen=500_000)
    source = spotchecks.campaign_source(campaign)
    for position in stations["zs"][:4] + stations["xg"][:2]:
        Honour.objects.create(campaign=campaign, position=position, title="荣誉", awarded_on=timezone.localdate())
        grants.grant_award(
            actor=fed,
            position=position,
            amount_fen=500_000,
            title="补助",
            source=source,
            awarded_on=timezone.localdate(),
        )
    reports = grants.self_evaluation_request(
        actor=fed, source=source, title="绩效自评报告", due_on=timezone.localdate() + dt.timedelta(days=30)
    )
    zs_report = next(r for r in reports if r.unit_id == dalian["zs"].pk)
    grants.self_evaluation_save(actor=zs_admin, report=zs_report, **COMPLETE_REPORT)
    grants.self_evaluation_submit(actor=zs_admin, report=zs_report)
    return campaign


def _draw(fed, campaign, **kwargs):
    kwargs.setdefault("version", shipped_version(campaign.federation))
    kwargs.setdefault("ends_on", timezone.localdate() + dt.timedelta(days=20))
    return spotchecks.spot_checks_draw(actor=fed, campaign=campaign, **kwargs)


def _refused(message, fed, campaign, **kwargs):
    kwargs.setdefault("version", shipped_version(campaign.federation))  # loaded first (audited)
    draws, inspections, audit = SpotCheckDraw.objects.count(), Inspection.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as error:
        _draw(fed, campaign, **kwargs)
    assert message in error.value.message
    assert (SpotCheckDraw.objects.count(), Inspection.objects.count()) == (draws, inspections)
    assert AuditEntry.objects.count() == audit


def test_only_positions_of_units_that_reported_are_drawn_reproducibly_and_recorded(approved, fed, stations):
    version = shipped_version(approved.federation)
    with transaction.atomic():
        first = _draw(fed, approved, size=2, seed=20221028, version=version)
        picked = sorted(first.inspections.values_list("position_id", flat=True))
        transaction.set_rollback(True)
    draw = _draw(fed, approved, size=2, seed=20221028, version=version)
    assert sorted(draw.inspections.values_list("position_id", flat=True)) == picked
    assert draw.source == f"campaign:{approved.pk}" and draw.seed == 20221028
    assert draw.eligible == 4 and draw.picked == 2  # 中山区's four; 西岗区 has not reported
    zs = {p.pk for p in stations["zs"][:4]}
    for inspection in draw.inspections.all():
        assert inspection.kind == InspectionKind.SPOT_CHECK and inspection.state == InspectionState.PLANNED
        assert inspection.position_id in zs and inspection.version == version
    assert AuditEntry.objects.filter(object_type__icontains="spotcheckdraw", object_id=str(draw.pk)).exists()
    step = approved.steps.filter(kind=StepKind.SPOT_CHECKS).first()
    assert step is None or step.completed_on == timezone.localdate()
    # A share: half of the four, rounded up; the seed chosen by the system is recorded.
    share = _draw(fed, approved, rate="0.5")
    assert share.picked == 2 and share.rate is not None and share.seed is not None


def test_refusals_write_nothing(approved, fed, dalian, stations):
    _refused("超过符合条件的阵地数 4", fed, approved, size=5)
    _refused("请填写抽取数量或抽取比例", fed, approved)
    _refused("抽取比例须大于 0 且不超过 1", fed, approved, rate="1.5")
    _refused("请选择检查标准", fed, approved, size=1, version=None)
    before = CampaignFactory(federation=dalian["city"], state=CampaignState.NOTICE)
    _refused("活动审批通过后才能抽查", fed, before, size=1)
    nobody = CampaignFactory(federation=dalian["city"], state=CampaignState.APPROVED)
    _refused("还没有单位提交绩效自评报告", fed, nobody, size=1)


def test_the_campaign_page_draws_and_lists_the_checks(approved, fed, zs_admin, login, make_user, make_unit):
    client = login(fed.user)
    page = client.get(f"/staff/campaigns/{approved.pk}/").content.decode()
    assert 'id="spot-form"' in page and "中山区总工会" in page and "可抽查的命名阵地 4 个" in page
    version = shipped_version(approved.federation)
    answer = client.post(
        f"/staff/campaigns/{approved.pk}/spot-checks/",
        {"version": version.pk, "rate_percent": "50", "seed": "7", "ends_on": ""},
        follow=True,
    )
    page = answer.content.decode()
    assert "已从 4 个命名阵地中抽取 2 个进行抽查（随机种子 7）" in page
    draw = SpotCheckDraw.objects.get(source=f"campaign:{approved.pk}")
    for inspection in draw.inspections.all():
        assert f"/staff/inspections/{inspection.pk}/" in page and inspection.position.official_name in page
    answer = client.post(
        f"/staff/campaigns/{approved.pk}/spot-checks/", {"version": version.pk, "size": "9"}, follow=True
    )
    assert "超过符合条件的阵地数 4" in answer.content.decode()
    assert SpotCheckDraw.objects.count() == 1
    # A unit admin neither draws nor sees the federation's draws; another federation sees nothing.
    unit = login(zs_admin.user)
    assert unit.post(f"/staff/campaigns/{approved.pk}/spot-checks/", {"size": "1"}).status_code in (403, 404)
    assert 'id="spot-form"' not in unit.get(f"/staff/campaigns/{approved.pk}/").content.decode()
    shenyang = make_unit(UnitType.CITY_FEDERATION, name="沈阳市总工会", code="SY")
    other = login(make_user(Role.FEDERATION_ADMIN, shenyang))
    assert other.post(f"/staff/campaigns/{approved.pk}/spot-checks/", {"size": "1"}).status_code == 404
    assert SpotCheckDraw.objects.count() == 1
