"""The staff pages through the test client: every step of the lifecycle from the browser's forms,
refusals shown as messages with nothing written, and the social organisation's own view."""

import datetime as dt
import io

import pytest
from PIL import Image

from yizhan.projects.choices import ApplicationState, ProjectState
from yizhan.projects.models import Application, ServiceProject, SocialOrganisation, SubsidyPayment
from yizhan.projects.tests.factories import ApplicationFactory, PerformanceReportFactory, ServiceProjectFactory

pytestmark = pytest.mark.django_db


def test_lifecycle_through_the_pages(login, zs, fed, ngo, organisation, dalian, monkeypatch):
    admin, federation, own = login(zs.user), login(fed.user), login(ngo.user)
    r = admin.post(
        "/staff/projects/new/",
        {
            "unit": dalian["zs"].pk,
            "title": "快递小哥心理关怀",
            "category": "psychological",
            "needs": "压力大",
            "requirements": "每月两次辅导",
            "budget": "50000",
        },
    )
    project = ServiceProject.objects.get(title="快递小哥心理关怀")
    assert r.status_code == 302 and project.budget_fen == 5_000_000
    base = f"/staff/projects/{project.pk}/"
    assert own.get(base).status_code == 404  # a draft is not the organisation's to see
    admin.post(base + "transition/", {"to_state": "published"})
    page = own.get(base).content.decode()
    assert 'id="apply-form"' in page
    own.post(base + "apply/", {"organisation": organisation.pk, "proposal": "专业社工", "amount": "48000.50"})
    application = Application.objects.get(project=project)
    assert application.amount_fen == 4_800_050
    admin.post(base + "transition/", {"to_state": "checking"})
    admin.post(f"/staff/projects/applications/{application.pk}/check/")
    application.refresh_from_db()
    assert application.state == ApplicationState.QUALIFIED
    r = admin.post(base + "select/", {"application": application.pk, "reason": "唯一合格"})
    assert "项目已变为" in admin.get(base).content.decode()
    admin.post(
        base + "agreement/",
        {
            "signed_on": "2024-06-01",
            "starts_on": "2024-06-01",
            "ends_on": "2024-12-31",
            "amount": "48000",
            "deliverables": "12 次辅导",
        },
    )
    project.refresh_from_db()
    assert project.state == ProjectState.AGREED
    assert 'id="report-form"' in own.get(base).content.decode()
    own.post(base + "reports/", {"reported_on": "2024-06-30", "content": "开展 2 次", "workers_served": "40"})
    admin.post(base + "transition/", {"to_state": "evaluating"})
    admin.post(base + "archive/", {"completed_on": "2024-12-31", "satisfaction_rate": "88", "respondents": "50"})
    project.refresh_from_db()
    assert project.state == ProjectState.ARCHIVED
    r = federation.post(
        base + "score/", {"nominated_on": "2025-03-01", "study": "on", "documents": "2", "media_national": "1"}
    )
    html = federation.get(base).content.decode()
    assert "评分已确认：31 分" in html  # 10 + 10 (documents) + 8 (88 %) + 3
    federation.post(base + "score/", {"nominated_on": "2025-03-01", "adjust_union_work": "6"})
    assert "“开展工会工作的材料”最高 5 分，填写的 6 分超出上限" in federation.get(base).content.decode()
    federation.post(base + "subsidies/", {"level": "city", "paid_on": "2025-04-01"})
    federation.post(base + "subsidies/", {"level": "city", "paid_on": "2025-04-02"})
    assert "不能重复补助" in federation.get(base).content.decode()
    assert SubsidyPayment.objects.count() == 1


def test_selecting_an_unqualified_organisation_is_refused_on_the_page(login, zs, dalian):
    project = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.CHECKING)
    application = ApplicationFactory(
        project=project,
        organisation__certificate_valid_to=dt.date(2020, 1, 1),
        state=ApplicationState.NOT_QUALIFIED,
    )
    client = login(zs.user)
    client.post(f"/staff/projects/{project.pk}/select/", {"application": application.pk, "reason": "x"})
    html = client.get(f"/staff/projects/{project.pk}/").content.decode()
    assert "只有资格审查合格的社会组织才能被确定为承接方" in html and "登记证书已于 2020-01-01 过期" in html
    project.refresh_from_db()
    assert project.state == ProjectState.CHECKING


def test_other_district_gets_404(login, xg, dalian, organisation):
    project = ServiceProjectFactory(unit=dalian["zs"])
    client = login(xg.user)
    assert client.get(f"/staff/projects/{project.pk}/").status_code == 404
    assert client.get(f"/staff/projects/organisations/{organisation.pk}/").status_code == 404
    assert client.post(f"/staff/projects/{project.pk}/transition/", {"to_state": "published"}).status_code == 404


def test_social_org_edits_only_its_contacts_and_uploads_a_signboard(login, ngo, organisation, other_organisation):
    client = login(ngo.user)
    assert client.get(f"/staff/projects/organisations/{other_organisation.pk}/").status_code == 404
    listing = client.get("/staff/projects/organisations/").content.decode()
    assert organisation.name in listing and other_organisation.name not in listing
    url = f"/staff/projects/organisations/{organisation.pk}/"
    client.post(
        url, {"contact_name": "李娜", "contact_phone": "13900000000", "name": "改名", "registered_on": "2024-01-01"}
    )
    organisation.refresh_from_db()
    assert organisation.contact_name == "李娜" and organisation.name != "改名"
    assert organisation.registered_on == dt.date(2018, 5, 10)
    picture = io.BytesIO()
    image = Image.new("RGB", (40, 30), (200, 20, 20))
    exif = Image.Exif()
    exif[0x010F] = "Camera"
    image.save(picture, format="JPEG", exif=exif)
    picture.seek(0)
    picture.name = "sign.jpg"
    client.post(url, {"signboard": picture})
    organisation.refresh_from_db()
    with Image.open(organisation.signboard_photo) as stored:
        assert stored.format == "JPEG" and not stored.getexif()
    client.post(url, {"signboard": io.BytesIO(b"not an image")})
    assert "文件不是照片" in client.get(url).content.decode()


def test_organisation_page_shows_qualification_reason(login, zs, dalian):
    client = login(zs.user)
    client.post(
        "/staff/projects/organisations/new/",
        {
            "name": "崂山区新成立社工站",
            "registration_number": "52370212mj1234567k",
            "registered_on": "2099-01-01",
            "certificate_valid_from": "2099-01-01",
            "certificate_valid_to": "2104-01-01",
        },
    )
    organisation = SocialOrganisation.objects.get(name="崂山区新成立社工站")
    assert organisation.registration_number == "52370212MJ1234567K"
    html = client.get(f"/staff/projects/organisations/{organisation.pk}/").content.decode()
    assert "不具备承接资格" in html and "晚于审查日期" in html


def test_project_list_for_each_role(login, zs, ngo, dalian):
    ServiceProjectFactory(unit=dalian["zs"], title="草稿项目")
    ServiceProjectFactory(unit=dalian["zs"], title="已发布项目", state=ProjectState.PUBLISHED)
    admin = login(zs.user).get("/staff/projects/").content.decode()
    own = login(ngo.user).get("/staff/projects/").content.decode()
    assert "草稿项目" in admin and "已发布项目" in admin
    assert "草稿项目" not in own and "已发布项目" in own
    assert login(zs.user).get("/staff/projects/new/").status_code == 200


def test_reports_page_section(login, zs, dalian):
    report = PerformanceReportFactory(project__unit=dalian["zs"])
    html = login(zs.user).get(f"/staff/projects/{report.project_id}/").content.decode()
    assert report.content in html


def test_dashboard_figures_equal_the_rows_their_links_open(login, zs, ngo, organisation, dalian):
    import re

    from yizhan.core.dashboard import dashboard_for

    ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.CHECKING)
    ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.EVALUATING)
    ServiceProjectFactory(unit=dalian["xg"], state=ProjectState.CHECKING)
    mine = ApplicationFactory(
        project=ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.AGREED), organisation=organisation
    )
    ServiceProject.objects.filter(pk=mine.project_id).update(selected_application=mine)
    other = ApplicationFactory(project=ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.AGREED))
    ServiceProject.objects.filter(pk=other.project_id).update(selected_application=other)
    expected = {zs: [1, 1], ngo: [1]}
    for actor, counts in expected.items():
        (panel,) = [p for p in dashboard_for(actor=actor).panels if p.name == "projects"]
        assert [f.count for f in panel.figures] == counts
        client = login(actor.user)
        for figure in panel.figures:
            html = client.get(figure.url).content.decode()
            body = re.search(r'<table class="data" id="projects">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
            assert body.count("<tr>") == figure.count, figure.url
