"""The staff and public pages of a project campaign (issue 19 C4, decision 39), as the browser
journey (browser_tests/test_project_campaign.py) found them wanting: the campaigns page opens a
project selection (its subject and lowest score, no per-position grant), a project nomination's
form shows the project's facts (not a station's empty ones), the public notice and the approved
campaign's page speak of projects."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.campaigns import services
from yizhan.campaigns.choices import CampaignState, NominationState, StepKind
from yizhan.campaigns.models import Campaign
from yizhan.campaigns.subjects import Subject
from yizhan.campaigns.tests.factories import pdf_bytes
from yizhan.campaigns.tests.test_project_subject import YEAR, archived_project


@pytest.fixture
def projects(dalian):
    return {"zs": [archived_project(dalian["zs"], title=f"中山区项目{i}") for i in range(2)]}


@pytest.fixture
def published(fed, projects):
    """A published project campaign of Dalian (its quotas on 中山区's two projects)."""
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=fed,
        name=f"{YEAR}年度优秀社会组织服务项目推选",
        year=YEAR,
        honour_title=f"{YEAR} 年度市级优秀社会组织服务项目",
        total_quota=2,
        subject=Subject.PROJECT,
        min_score=60,
        deadlines={StepKind.NOMINATIONS: today + dt.timedelta(days=30)},
    )
    services.quotas_compute(actor=fed, campaign=campaign)
    services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.PUBLISHED)
    campaign.refresh_from_db()
    return campaign


pytestmark = pytest.mark.django_db


def _create(client, **extra):
    body = {
        "name": "2026 年度优秀项目推选",
        "year": "2026",
        "honour_title": "2026 年度市级优秀项目",
        "total_quota": "2",
        "grant_yuan": "5000",
        **extra,
    }
    return client.post("/staff/campaigns/new/", body)


def test_the_campaigns_page_opens_a_project_selection(fed, login):
    client = login(fed.user)
    html = client.get("/staff/campaigns/").content.decode()
    assert 'name="subject"' in html and 'value="project"' in html and "社会组织服务项目" in html
    assert 'name="min_score"' in html
    answer = _create(client, subject="project", min_score="60")
    assert answer.status_code == 302
    campaign = Campaign.objects.get(name="2026 年度优秀项目推选")
    assert answer.url == f"/staff/campaigns/{campaign.pk}/"
    # A project's subsidy follows its honour: no per-position grant is kept.
    assert campaign.subject == Subject.PROJECT and campaign.min_score == 60 and campaign.grant_fen == 0
    assert campaign.min_star_rating == ""
    page = client.get(answer.url).content.decode()
    assert "评分不低于 60 分" in page and "每个阵地补助" not in page


def test_a_position_campaign_is_still_the_default_and_bad_scores_are_refused(fed, login):
    client = login(fed.user)
    _create(client, min_score="60")  # ignored without the project subject
    campaign = Campaign.objects.get()
    assert campaign.subject == Subject.POSITION and campaign.min_score is None and campaign.grant_fen == 500_000
    answer = _create(client, name="另一个", subject="project", min_score="120")
    assert answer.status_code == 302 and answer.url == "/staff/campaigns/"
    assert "评分" in client.get(answer.url).content.decode()
    answer = _create(client, name="又一个", subject="centre")
    assert not Campaign.objects.filter(name__in=["另一个", "又一个"]).exists()


def test_a_project_nomination_shows_the_projects_facts(published, zs_admin, projects, login):
    project = projects["zs"][0]
    nomination = services.nomination_create(actor=zs_admin, campaign=published, project=project, statement="成效显著")
    html = login(zs_admin.user).get(f"/staff/campaigns/nominations/{nomination.pk}/").content.decode()
    organisation = project.selected_application.organisation
    assert organisation.name in html and organisation.registration_number in html
    assert 'id="nomination-score">82 分<' in html
    assert "48000" in html  # the agreement's amount in yuan
    assert "阵地编号" not in html and "建设类型" not in html and "开放时间" not in html


def _approved(campaign, fed, zs_admin, project, monkeypatch):
    nomination = services.nomination_create(actor=zs_admin, campaign=campaign, project=project, statement="好")
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
    return start


def test_the_notice_and_the_approved_page_speak_of_projects(published, fed, zs_admin, projects, login, monkeypatch):
    start = _approved(published, fed, zs_admin, projects["zs"][0], monkeypatch)
    public = login(fed.user).get(f"/notices/{published.pk}/").content.decode()
    assert "如对名单中的项目有异议" in public and "针对的项目（可不选）" in public
    main = public.split("<h1>", 1)[1].split("<footer", 1)[0]  # the site's head and footer name stations
    assert "站点" not in main
    after = start + dt.timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    services.campaign_transition(actor=fed, campaign=published, to_state=CampaignState.APPROVED)
    html = login(fed.user).get(f"/staff/campaigns/{published.pk}/").content.decode()
    honours = html.split('id="honours"', 1)[1].split("</section>", 1)[0]
    assert '<th scope="col">项目</th>' in honours and "阵地" not in honours
    assert 'id="spot-checks"' not in html  # the random checks draw honoured positions


def test_a_position_campaigns_pages_keep_their_wording(published, fed, login):
    Campaign.objects.filter(pk=published.pk).update(subject=Subject.POSITION, grant_fen=500_000)
    html = login(fed.user).get(f"/staff/campaigns/{published.pk}/").content.decode()
    assert "每个阵地补助" in html and "5000 元" in html


PROJECT_SCORES = {
    "study": 10,
    "activity_materials": 9,
    "certificate": 10,
    "signboard": 10,
    "union_approval": 10,
    "union_work": 5,
    "union_activities": 4,
    "project_documents": 10,
    "satisfaction": 10,
    "media": 8,
    "exchanges": 6,
}


def test_a_project_is_verified_on_the_excellent_project_standard(published, fed, zs_admin, projects, login):
    nomination = services.nomination_create(
        actor=zs_admin, campaign=published, project=projects["zs"][0], statement="好"
    )
    services.nomination_sealed_upload(actor=zs_admin, nomination=nomination, data=pdf_bytes())
    services.nomination_transition(actor=zs_admin, nomination=nomination, to_state=NominationState.SUBMITTED)
    member = services.review_member_register(
        actor=fed, campaign=published, unit=fed.unit, name="评议甲", job_title="部长", phone="13800000000"
    )
    member = services.review_member_confirm(actor=fed, member=member, group_role="leader")
    services.campaign_transition(actor=fed, campaign=published, to_state=CampaignState.REVIEWING)
    assignment = services.review_assign(actor=fed, nomination=nomination, member=member)
    client = login(fed.user)
    html = client.get(f"/staff/campaigns/assignments/{assignment.pk}/").content.decode()
    assert "登记证书（0–10）" in html and "开展工会工作的材料（0–5）" in html
    assert "有地图可查" not in html and "有统一的标识名称" not in html
    # A station's sheet is not a project's: its first missing item is named.
    station = {f"score_{k}": "9" for k in ("signage", "layout", "facilities", "functions", "rules", "map")}
    answer = client.post(
        f"/staff/campaigns/assignments/{assignment.pk}/record/", {**station, "result": "conforms"}, follow=True
    )
    assert "学习制度、学习记录" in answer.content.decode()
    assignment.refresh_from_db()
    assert assignment.total is None
    # Over an item's cap (开展工会工作的材料: 5) is refused with the cap.
    over = {f"score_{k}": str(v) for k, v in PROJECT_SCORES.items()} | {"score_union_work": "6"}
    answer = client.post(
        f"/staff/campaigns/assignments/{assignment.pk}/record/", {**over, "result": "conforms"}, follow=True
    )
    assert "“开展工会工作的材料”的评分须为 0 至 5 的整数" in answer.content.decode()
    assignment.refresh_from_db()
    assert assignment.total is None
    sheet = {f"score_{k}": str(v) for k, v in PROJECT_SCORES.items()}
    client.post(f"/staff/campaigns/assignments/{assignment.pk}/record/", {**sheet, "result": "conforms"})
    assignment.refresh_from_db()
    assert assignment.total == 92 and assignment.scores == PROJECT_SCORES
    # A position campaign keeps its ten conditions.
    from yizhan.campaigns.choices import SCORE_ITEMS
    from yizhan.campaigns.subjects import score_items

    assert score_items(Subject.POSITION) == SCORE_ITEMS
    assert sum(points for _key, _label, points in score_items(Subject.PROJECT)) == 100
