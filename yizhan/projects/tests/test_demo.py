"""The Qingdao demo: every lifecycle state, the organisations' verdicts, idempotence, and the two
federations blind to each other."""

import pytest

from yizhan.orgs.models import Unit, User
from yizhan.orgs.selectors import actor_for_user
from yizhan.projects import demo
from yizhan.projects.choices import ProjectState
from yizhan.projects.models import Application, ServiceProject, SocialOrganisation, SubsidyPayment

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(demo):
    """The whole demo, Dalian's and Qingdao's, from the real loaders' first run in this process
    (core.testing.demo); the projects' loader runs again below."""
    return demo


def test_every_state_and_idempotent(loaded):
    states = set(ServiceProject.objects.filter(unit__code__startswith="QD").values_list("state", flat=True))
    assert states == set(ProjectState.values)
    counts = (ServiceProject.objects.count(), Application.objects.count(), SocialOrganisation.objects.count())
    demo.load()
    assert counts == (ServiceProject.objects.count(), Application.objects.count(), SocialOrganisation.objects.count())
    archived = ServiceProject.objects.get(state=ProjectState.ARCHIVED, title="工会户外劳动者驿站暖心服务")
    assert archived.score_sheet.total == 60 + 10 + 10 + 4 + 3
    assert sorted(SubsidyPayment.objects.filter(project=archived).values_list("amount_fen", flat=True)) == [
        1_000_000,
        1_000_000,
    ]
    # The two 2025 projects of the yearly selection (campaigns.project_demo, after this loader;
    # loading it again changes nothing): archived and scored; the one selected holds the city
    # honour and its subsidy, paid by the campaign's approval.
    from yizhan.campaigns import project_demo

    project_demo.load()
    selection = ServiceProject.objects.filter(title__in=[row[0] for row in demo.SELECTION_PROJECTS])
    assert {p.state for p in selection} == {ProjectState.ARCHIVED} and selection.count() == 2
    assert all(p.score_sheet.total >= 60 for p in selection)
    campaign_paid = SubsidyPayment.objects.filter(project__in=selection)
    assert [(s.level, s.amount_fen, s.source.startswith("campaign:")) for s in campaign_paid] == [
        ("city", 1_000_000, True)
    ]
    assert campaign_paid.get().project.honours.get().title == "2026 年度青岛市工会服务职工优秀项目"
    from yizhan.campaigns.models import Campaign

    campaign = Campaign.objects.get(honours__project__in=selection)
    assert (campaign.subject, campaign.state, campaign.federation.code) == ("project", "approved", "QD")
    assert sorted(campaign.nominations.values_list("state", flat=True)) == ["rejected", "selected"]
    checking = ServiceProject.objects.get(state=ProjectState.CHECKING)
    reasons = {a.organisation.name: a.qualification_reason for a in checking.applications.all()}
    assert "登记证书已于 2023-03-19 过期" in reasons["青岛市阳光法律援助服务社"]
    assert "成立未满 2 年" in reasons["青岛市新蕾青少年托管服务中心"]


def test_qingdao_and_dalian_cannot_see_each_other(loaded, login):
    dalian = actor_for_user(User.objects.get(username="fed_admin"))
    qingdao = actor_for_user(User.objects.get(username="qd_admin"))
    assert not ServiceProject.objects.restrict(dalian).exists()
    assert not SocialOrganisation.objects.restrict(dalian).exists()
    assert ServiceProject.objects.restrict(qingdao).count() == 7 + len(demo.SELECTION_PROJECTS)
    assert not Unit.objects.restrict(qingdao).filter(code__startswith="DL").exists()
    assert not Unit.objects.restrict(dalian).filter(code__startswith="QD").exists()
    project = ServiceProject.objects.first()
    client = login(User.objects.get(username="fed_admin"))
    assert client.get(f"/staff/projects/{project.pk}/").status_code == 404
    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 404
    assert client.get("/api/v1/projects").json()["items"] == []


def test_the_organisation_account_sees_its_own_only(loaded, login):
    client = login(User.objects.get(username="qd_ngo"))
    items = client.get("/api/v1/projects/organisations").json()["items"]
    assert [o["name"] for o in items] == ["青岛市市北区暖心社会工作服务中心"]
    titles = {p["title"] for p in client.get("/api/v1/projects", {"limit": 100}).json()["items"]}
    assert "2026 年户外劳动者子女暑期爱心托管" not in titles  # the draft (needs analysis)
    assert len(titles) == 6 + len(demo.SELECTION_PROJECTS)
    assert client.get("/staff/projects/").status_code == 200
