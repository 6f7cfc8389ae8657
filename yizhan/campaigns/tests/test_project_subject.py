"""The campaign engine selecting social-organisation service projects (issue 19 C4, issue 17: one
engine, configured differently): eligibility refusals, quotas by Hamilton on eligible project
counts, nominations within quota (also under threads on PostgreSQL), review, notice, approval
with the city honour and its subsidy (pay once at the highest honour, top up), through the
services and the API, with denials across units and federations."""

import datetime as dt
import json
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from yizhan.campaigns import services
from yizhan.campaigns.choices import CampaignState, NominationState, StepKind
from yizhan.campaigns.models import Honour, Nomination, Quota
from yizhan.campaigns.subjects import Subject
from yizhan.campaigns.tests.factories import pdf_bytes
from yizhan.core.audit import audit_verify
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.projects.choices import HonourLevel, ProjectState
from yizhan.projects.models import ScoreSheet, SubsidyPayment
from yizhan.projects.tests.factories import ApplicationFactory, ServiceProjectFactory, SocialOrganisationFactory

YEAR = 2026


def refused(call, message_part, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    assert message_part in caught.value.message, caught.value.message
    return caught.value


def archived_project(unit, *, title=None, completed_on=dt.date(YEAR, 6, 30), total=82, organisation=None, sheet=True):
    """An archived project of `unit` run by a qualified organisation, with a confirmed sheet."""
    organisation = organisation or SocialOrganisationFactory(unit=unit)
    project = ServiceProjectFactory(
        unit=unit,
        state=ProjectState.ARCHIVED,
        completed_on=completed_on,
        satisfaction_rate=92,
        survey_respondents=120,
        agreement_amount_fen=4_800_000,
        **({"title": title} if title else {}),
    )
    application = ApplicationFactory(project=project, organisation=organisation, state="selected")
    project.selected_application = application
    project.save()
    if sheet:
        ScoreSheet.objects.create(
            project=project, nominated_on=dt.date(YEAR, 9, 1), total=total, points={}, confirmed_by="评审"
        )
    return project


@pytest.fixture
def projects(dalian):
    zs, xg, street = dalian["zs"], dalian["xg"], dalian["street"]
    return {
        "zs": [archived_project(zs, title=f"中山区项目{i}") for i in range(2)]
        + [archived_project(street, title="街道项目", completed_on=dt.date(YEAR - 1, 11, 2))],
        "xg": [archived_project(xg, title="西岗区项目")],
    }


@pytest.fixture
def ineligible(dalian):
    zs = dalian["zs"]
    expired = SocialOrganisationFactory(unit=zs, certificate_valid_to=dt.date(YEAR - 1, 1, 1))
    paid = archived_project(zs, title="已获市级补助的项目")
    SubsidyPayment.objects.create(
        project=paid, level=HonourLevel.CITY, amount_fen=1_000_000, paid_on=dt.date(YEAR - 1, 12, 1), recorded_by="x"
    )
    national = archived_project(zs, title="已获全国补助的项目")
    SubsidyPayment.objects.create(
        project=national, level=HonourLevel.NATIONAL, amount_fen=3_000_000, paid_on=dt.date(YEAR, 1, 5), recorded_by="x"
    )
    return {
        "running": ServiceProjectFactory(unit=zs, title="实施中的项目", state=ProjectState.AGREED),
        "old": archived_project(zs, title="三年前的项目", completed_on=dt.date(YEAR - 2, 12, 31)),
        "no_sheet": archived_project(zs, title="未评分的项目", sheet=False),
        "low": archived_project(zs, title="低分项目", total=59),
        "expired": archived_project(zs, title="证书过期的项目", organisation=expired),
        "paid": paid,
        "national": national,
    }


@pytest.fixture
def fed(dalian, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


@pytest.fixture
def zs_admin(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["zs"])


@pytest.fixture
def xg_admin(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["xg"])


def _deadlines():
    today = timezone.localdate()
    return {StepKind.NOMINATIONS: today + dt.timedelta(days=30), StepKind.NOTICE: today + dt.timedelta(days=60)}


@pytest.fixture
def campaign(fed, projects, ineligible):
    return services.campaign_create(
        actor=fed,
        name=f"{YEAR}年度优秀社会组织服务项目推选",
        year=YEAR,
        honour_title=f"{YEAR} 年度市级优秀社会组织服务项目",
        total_quota=3,
        subject=Subject.PROJECT,
        min_score=60,
        deadlines=_deadlines(),
    )


@pytest.fixture
def published(campaign, fed):
    quotas = services.quotas_compute(actor=fed, campaign=campaign)
    services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.PUBLISHED)
    campaign.refresh_from_db()
    campaign.computed = {q.unit.code: q for q in quotas}
    return campaign


pytestmark = pytest.mark.django_db


def test_project_campaign_is_created_without_star_rules_and_refuses_a_bad_subject(campaign, fed):
    assert campaign.subject == Subject.PROJECT and campaign.min_star_rating == "" and campaign.min_score == 60
    refused(
        services.campaign_create,
        "推树对象无效",
        actor=fed,
        name="x",
        year=YEAR,
        honour_title="x",
        total_quota=1,
        subject="centre-of-the-universe",
    )
    refused(
        services.campaign_create,
        "最低评分须为 0 至 100 的整数",
        actor=fed,
        name="x",
        year=YEAR,
        honour_title="x",
        total_quota=1,
        subject=Subject.PROJECT,
        min_score=101,
    )


def test_quotas_by_hamilton_on_eligible_project_counts(published):
    """中山区 3 eligible projects (one of its street union's), 西岗区 1; the seven ineligible ones
    of 中山区 weigh nothing: 3 places → exact 2.25 and 0.75 → 2 and 1."""
    zs, xg = published.computed["DL-ZS"], published.computed["DL-XG"]
    assert (zs.operating_count, zs.weight, zs.exact_share, zs.quota) == (3, 3, "2.2500", 2)
    assert (xg.operating_count, xg.weight, xg.exact_share, xg.quota) == (1, 1, "0.7500", 1)
    assert sum(q.quota for q in Quota.objects.filter(campaign=published)) == 3


def test_no_eligible_project_refuses_the_quota_table(fed, dalian):
    campaign = services.campaign_create(
        actor=fed, name="空", year=2010, honour_title="x", total_quota=2, subject=Subject.PROJECT
    )
    refused(services.quotas_compute, "各单位都没有符合条件的社会组织服务项目", actor=fed, campaign=campaign)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("running", "尚未完成结项评估并归档"),
        ("old", f"只有 {YEAR - 1} 年或 {YEAR} 年完成的项目可以推荐"),
        ("no_sheet", "还没有经评审确认的优秀项目评分表"),
        ("low", "评分 59 分，须达到 60 分才能推荐"),
        ("expired", "资格不符：登记证书已于"),
        ("paid", "已获市级优秀项目补助"),
        ("national", "已按更高荣誉足额补助（已发 30000.00 元）"),
    ],
)
def test_ineligible_projects_are_refused_with_the_rule(published, zs_admin, ineligible, key, message):
    refused(
        services.nomination_create,
        message,
        actor=zs_admin,
        campaign=published,
        project=ineligible[key],
        statement="推荐",
    )
    assert not Nomination.objects.filter(campaign=published).exists()


def test_over_quota_wrong_subject_and_twice(published, zs_admin, projects, dalian, fed):
    first, second, street = projects["zs"]
    services.nomination_create(actor=zs_admin, campaign=published, project=first, statement="服务成效显著")
    refused(
        services.nomination_create,
        "已在本活动中被推荐",
        actor=zs_admin,
        campaign=published,
        project=first,
        statement="again",
    )
    services.nomination_create(actor=zs_admin, campaign=published, project=street, statement="街道项目")
    refused(
        services.nomination_create,
        "中山区总工会的推荐名额为 2 个，已推荐 2 个，不能再推荐",
        actor=zs_admin,
        campaign=published,
        project=second,
        statement="第三个",
    )
    positions = services.campaign_create(actor=fed, name="站点", year=YEAR, honour_title="x", total_quota=1)
    refused(
        services.nomination_create,
        "本活动推荐的是服务阵地，不能推荐社会组织服务项目",
        actor=zs_admin,
        campaign=positions,
        project=second,
        statement="x",
    )
    refused(
        services.nomination_create, "请选择推荐的社会组织服务项目", actor=zs_admin, campaign=published, statement="x"
    )


def test_scope_denials_across_units_and_federations(published, xg_admin, projects, make_actor, make_unit):
    with pytest.raises(NotFoundError):  # 西岗区 cannot nominate 中山区's project
        services.nomination_create(actor=xg_admin, campaign=published, project=projects["zs"][0], statement="x")
    qingdao = make_unit(UnitType.CITY_FEDERATION, name="青岛市总工会", code="QD")
    shinan = make_unit(UnitType.DISTRICT, qingdao, name="市南区总工会", code="QD-SN")
    qd_fed = make_actor(Role.FEDERATION_ADMIN, qingdao)
    qd_unit = make_actor(Role.UNIT_ADMIN, shinan)
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        services.nomination_create(actor=qd_unit, campaign=published, project=projects["zs"][0], statement="x")
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        services.quotas_compute(actor=qd_fed, campaign=published)
    # A Qingdao project in a Dalian campaign is out of the campaign's federation (no quota there).
    qd_project = archived_project(shinan, title="青岛项目")
    refused(
        services.nomination_create,
        "在本活动中没有推荐名额",
        actor=qd_fed,
        campaign=published,
        project=qd_project,
        statement="x",
        unit=shinan,
    )


def _through_review(campaign, fed, zs_admin, xg_admin, projects):
    chosen = [
        services.nomination_create(actor=zs_admin, campaign=campaign, project=projects["zs"][0], statement="成效显著"),
        services.nomination_create(actor=xg_admin, campaign=campaign, project=projects["xg"][0], statement="职工满意"),
    ]
    for actor, n in zip((zs_admin, xg_admin), chosen, strict=True):
        services.nomination_sealed_upload(actor=actor, nomination=n, data=pdf_bytes())
        services.nomination_transition(actor=actor, nomination=n, to_state=NominationState.SUBMITTED)
    services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.REVIEWING)
    meeting = services.meeting_record(actor=fed, campaign=campaign, held_on=timezone.localdate())
    services.nomination_transition(
        actor=fed, nomination=chosen[0], to_state=NominationState.RECOMMENDED, meeting=meeting
    )
    services.nomination_transition(
        actor=fed, nomination=chosen[1], to_state=NominationState.REJECTED, meeting=meeting, reason="服务对象覆盖面小"
    )
    start = timezone.localdate()
    services.campaign_transition(
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.NOTICE,
        notice_starts_on=start,
        notice_ends_on=start + dt.timedelta(days=6),
    )
    return chosen


def test_end_to_end_approval_gives_the_city_honour_and_its_subsidy(
    published, fed, zs_admin, xg_admin, projects, monkeypatch
):
    chosen = _through_review(published, fed, zs_admin, xg_admin, projects)
    after = timezone.localdate() + dt.timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    campaign = services.campaign_transition(actor=fed, campaign=published, to_state=CampaignState.APPROVED)
    assert campaign.state == CampaignState.APPROVED
    chosen[0].refresh_from_db()
    chosen[1].refresh_from_db()
    assert (chosen[0].state, chosen[1].state) == (NominationState.SELECTED, NominationState.REJECTED)
    honour = Honour.objects.get(campaign=campaign)
    assert honour.project == projects["zs"][0] and honour.position is None
    assert honour.title == f"{YEAR} 年度市级优秀社会组织服务项目"
    payment = SubsidyPayment.objects.get(project=projects["zs"][0])
    assert (payment.level, payment.amount_fen, payment.source) == (
        HonourLevel.CITY,
        1_000_000,
        f"campaign:{campaign.pk}",
    )
    assert not SubsidyPayment.objects.filter(project=projects["xg"][0]).exists()
    assert chosen[0].form["organisation"] and chosen[0].form["score"] == 82
    # The provincial honour recorded afterwards tops up 10,000 (pay once at the highest, top up).
    from yizhan.projects.services import subsidy_pay

    top_up = subsidy_pay(actor=fed, project=projects["zs"][0], level=HonourLevel.PROVINCIAL, paid_on=after)
    assert top_up.amount_fen == 1_000_000
    # The plaque of a project's honour is tracked like a position's.
    services.plaque_issue(actor=fed, honour=honour, plaque_number="QD-2026-001")
    assert audit_verify().ok


def test_approval_refuses_a_city_subsidy_paid_meanwhile_and_writes_nothing(
    published, fed, zs_admin, xg_admin, projects, monkeypatch
):
    _through_review(published, fed, zs_admin, xg_admin, projects)
    SubsidyPayment.objects.create(
        project=projects["zs"][0], level=HonourLevel.CITY, amount_fen=1_000_000, paid_on=dt.date(YEAR, 1, 1)
    )
    after = timezone.localdate() + dt.timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    refused(
        services.campaign_transition,
        "不能重复补助",
        actor=fed,
        campaign=published,
        to_state=CampaignState.APPROVED,
    )
    published.refresh_from_db()
    assert published.state == CampaignState.NOTICE
    assert not Honour.objects.filter(campaign=published).exists()
    assert SubsidyPayment.objects.filter(project=projects["zs"][0]).count() == 1


def test_the_subject_check_constraint_holds(published, projects, dalian):
    from django.db import IntegrityError, transaction

    from yizhan.positions.tests.factories import PositionFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.create(
            campaign=published,
            unit=dalian["zs"],
            project=projects["zs"][0],
            position=PositionFactory(unit=dalian["zs"]),
            statement="两者",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.create(campaign=published, unit=dalian["zs"], statement="都没有")


# --- the API ----------------------------------------------------------------------------------

BASE = "/api/v1/campaigns"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_api_project_campaign_end_to_end_with_denials(login, fed, zs_admin, xg_admin, projects, ineligible):
    api_fed, api_zs, api_xg = login(fed.user), login(zs_admin.user), login(xg_admin.user)
    answer = post(
        api_fed,
        BASE,
        {
            "name": "优秀项目推选",
            "year": YEAR,
            "honour_title": "市级优秀项目",
            "total_quota": 3,
            "subject": "project",
            "min_score": 60,
            "deadlines": {"nominations": (timezone.localdate() + dt.timedelta(days=10)).isoformat()},
        },
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["subject"], body["min_score"], body["min_star_rating"]) == ("project", 60, "")
    cid = body["id"]
    assert post(api_fed, f"{BASE}/{cid}/quotas/compute").status_code == 200
    assert post(api_fed, f"{BASE}/{cid}/transition", {"to_state": "published"}).status_code == 200
    url = f"{BASE}/{cid}/nominations"
    answer = post(api_zs, url, {"project": projects["zs"][0].pk, "statement": "成效显著"})
    assert answer.status_code == 201, answer.content
    row = answer.json()
    assert row["project"] == projects["zs"][0].pk and row["position"] is None
    assert row["position_name"] == "中山区项目0" and row["score"] == 82 and row["organisation"]
    answer = post(api_zs, url, {"project": ineligible["low"].pk, "statement": "x"})
    assert answer.status_code == 400 and "须达到 60 分" in answer.json()["detail"]
    answer = post(api_xg, url, {"project": projects["zs"][1].pk, "statement": "x"})
    assert answer.status_code == 404  # another unit's project does not exist for 西岗区
    answer = post(api_zs, url, {"statement": "x"})
    assert answer.status_code == 400 and "请选择推荐的社会组织服务项目" in answer.json()["detail"]
    listed = api_xg.get(url).json()
    assert [r["project"] for r in listed] == []  # 西岗区 sees only its own nominations
    assert [r["project"] for r in api_fed.get(url).json()] == [projects["zs"][0].pk]


THREADS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_exactly_the_quota_of_projects_succeeds_when_admins_nominate_at_once(dalian, make_actor, fed):
    """中山区 has 4 eligible projects and a quota of 2 (of 3 places, 西岗区 1 of its 1): four
    admins nominating at once, exactly two succeed."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and several writing connections need PostgreSQL")
    zs_projects = [archived_project(dalian["zs"], title=f"并发项目{i}") for i in range(THREADS)]
    archived_project(dalian["xg"], title="西岗区项目")
    campaign = services.campaign_create(
        actor=fed, name="并发", year=YEAR, honour_title="x", total_quota=3, subject=Subject.PROJECT
    )
    services.quotas_compute(actor=fed, campaign=campaign)
    services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.PUBLISHED)
    assert Quota.objects.get(campaign=campaign, unit=dalian["zs"]).quota == 2
    actors = [make_actor(Role.UNIT_ADMIN, dalian["zs"]) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []

    def nominate(index: int) -> None:
        try:
            barrier.wait()
            outcomes.append(
                services.nomination_create(
                    actor=actors[index], campaign=campaign, project=zs_projects[index], statement="同时推荐"
                )
            )
        except BaseException as error:  # noqa: BLE001 - compared below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=nominate, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [o for o in outcomes if isinstance(o, Nomination)]
    refused_ = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(saved) == 2 and len(refused_) == THREADS - 2, outcomes
    assert all("中山区总工会的推荐名额为 2 个，已推荐 2 个" in e.message for e in refused_)
    assert Nomination.objects.filter(campaign=campaign).count() == 2
    assert audit_verify().ok


# --- the pages --------------------------------------------------------------------------------------


def test_pages_show_project_nominations_and_nominate_through_the_form(
    published, fed, zs_admin, xg_admin, projects, login, monkeypatch
):
    zs_page = login(zs_admin.user)
    html = zs_page.get(f"/staff/campaigns/{published.pk}/").content.decode()
    assert 'name="project"' in html and "中山区项目0" in html and "街道项目" in html
    assert "已获市级补助的项目" not in html and "西岗区项目" not in html  # ineligible; another unit's
    assert "社会组织服务项目：2025 年或 2026 年完成并归档" in html and "评分不低于 60 分" in html
    answer = zs_page.post(
        f"/staff/campaigns/{published.pk}/nominations/", {"project": projects["zs"][0].pk, "statement": "成效显著"}
    )
    assert answer.status_code == 302
    nomination = Nomination.objects.get(campaign=published)
    assert nomination.project == projects["zs"][0] and nomination.unit.code == "DL-ZS"
    answer = login(xg_admin.user).post(
        f"/staff/campaigns/{published.pk}/nominations/", {"project": projects["zs"][1].pk, "statement": "x"}
    )
    assert answer.status_code == 404
    fed_page = login(fed.user)
    html = fed_page.get(f"/staff/campaigns/{published.pk}/").content.decode()
    organisation = projects["zs"][0].selected_application.organisation.name
    assert "中山区项目0" in html and organisation in html and ">82<" in html
    assert "符合条件的项目" in html
    assert fed_page.get(f"/staff/campaigns/nominations/{nomination.pk}/").status_code == 200
    # Through the review to the public notice, which lists the project and its organisation.
    chosen = _through_review_from(published, fed, xg_admin, projects, nomination, zs_admin)
    public = fed_page.get(f"/notices/{published.pk}/").content.decode()
    assert "中山区项目0" in public and organisation in public
    after = timezone.localdate() + dt.timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    services.campaign_transition(actor=fed, campaign=published, to_state=CampaignState.APPROVED)
    html = fed_page.get(f"/staff/campaigns/{published.pk}/").content.decode()
    assert f"/staff/projects/{chosen.project_id}/" in html
    project_page = fed_page.get(f"/staff/projects/{chosen.project_id}/").content.decode()
    assert published.honour_title in project_page and "推树活动审批" in project_page


def _through_review_from(campaign, fed, xg_admin, projects, nomination, zs_admin):
    services.nomination_sealed_upload(actor=zs_admin, nomination=nomination, data=pdf_bytes())
    services.nomination_transition(actor=zs_admin, nomination=nomination, to_state=NominationState.SUBMITTED)
    services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.REVIEWING)
    meeting = services.meeting_record(actor=fed, campaign=campaign, held_on=timezone.localdate())
    services.nomination_transition(
        actor=fed, nomination=nomination, to_state=NominationState.RECOMMENDED, meeting=meeting
    )
    start = timezone.localdate()
    services.campaign_transition(
        actor=fed,
        campaign=campaign,
        to_state=CampaignState.NOTICE,
        notice_starts_on=start,
        notice_ends_on=start + dt.timedelta(days=6),
    )
    nomination.refresh_from_db()
    return nomination


def test_annexes_of_a_project_campaign_name_the_projects(published, fed, zs_admin, projects, login):
    import io

    from openpyxl import load_workbook

    nomination = services.nomination_create(
        actor=zs_admin, campaign=published, project=projects["zs"][0], statement="成效显著"
    )
    client = login(fed.user)

    def rows(url):
        answer = client.get(url)
        assert answer.status_code == 200, url
        return [list(r) for r in load_workbook(io.BytesIO(answer.content)).worksheets[0].iter_rows(values_only=True)]

    annex1 = rows(f"/staff/campaigns/{published.pk}/annex1.xlsx")
    assert any(f"{YEAR}年工会联系引导社会组织服务职工优秀项目名额分配表" in str(c) for r in annex1 for c in r)
    # Annex 1 of a project campaign weighs the eligible projects: no station columns.
    assert ["序号", "单位", "符合条件的项目数", "分配名额"] in annex1
    assert not any(c in ("运营站点数", "五星站点数") for r in annex1 for c in r)
    annex3 = rows(f"/staff/campaigns/nominations/{nomination.pk}/annex3.xlsx")
    cells = [str(c) for r in annex3 for c in r if c is not None]
    assert "项目名称" in cells and "中山区项目0" in cells and "评分表总分" in cells and "82" in cells
