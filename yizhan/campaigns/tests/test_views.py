"""Staff and public pages of campaigns through the test client: each role's part, refusals shown
as messages, scope answered 404."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yizhan.campaigns import services
from yizhan.campaigns.choices import CampaignState, NominationState
from yizhan.campaigns.models import Nomination, Objection, ReviewAssignment
from yizhan.campaigns.tests.factories import ReviewMemberFactory, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def test_federation_runs_the_campaign_pages(login, fed, campaign, dalian):
    client = login(fed.user)
    assert "推树活动" in client.get("/staff/campaigns/").content.decode()
    page = client.get(f"/staff/campaigns/{campaign.pk}/").content.decode()
    assert "按站点数计算名额" in page
    client.post(f"/staff/campaigns/{campaign.pk}/quotas/compute/")
    page = client.get(f"/staff/campaigns/{campaign.pk}/").content.decode()
    assert "中山区总工会" in page and "<strong>6</strong> / 6" in page
    answer = client.post(f"/staff/campaigns/{campaign.pk}/transition/", {"to_state": "published"}, follow=True)
    assert "已变为“名额已下达”" in answer.content.decode()
    answer = client.post(
        "/staff/campaigns/new/", {"name": "", "year": "2023", "honour_title": "x", "total_quota": "3"}, follow=True
    )
    assert "请填写活动名称" in answer.content.decode()


def test_unit_admin_nominates_uploads_and_submits(login, zs_admin, xg_admin, published, stations):
    client = login(zs_admin.user)
    page = client.get(f"/staff/campaigns/{published.pk}/").content.decode()
    assert "本单位名额 4 个，已推荐 0 个" in page and stations["zs"][0].official_name in page
    assert stations["zs_four"][0].official_name not in page  # only eligible positions are offered
    answer = client.post(
        f"/staff/campaigns/{published.pk}/nominations/",
        {"position": stations["zs"][0].pk, "statement": "服务突出"},
        follow=True,
    )
    nomination = Nomination.objects.get()
    assert answer.redirect_chain[-1][0] == f"/staff/campaigns/nominations/{nomination.pk}/"
    answer = client.post(
        f"/staff/campaigns/nominations/{nomination.pk}/sealed/",
        {"file": SimpleUploadedFile("x.pdf", png_bytes())},
        follow=True,
    )
    assert "上传的文件不是 PDF" in answer.content.decode()
    client.post(
        f"/staff/campaigns/nominations/{nomination.pk}/sealed/", {"file": SimpleUploadedFile("x.pdf", pdf_bytes())}
    )
    assert client.get(f"/staff/campaigns/nominations/{nomination.pk}/sealed.pdf").status_code == 200
    answer = client.post(
        f"/staff/campaigns/nominations/{nomination.pk}/transition/", {"to_state": "submitted"}, follow=True
    )
    assert "已变为“已报送”" in answer.content.decode()
    other = login(xg_admin.user)
    assert other.get(f"/staff/campaigns/nominations/{nomination.pk}/").status_code == 404
    assert other.get(f"/staff/campaigns/nominations/{nomination.pk}/sealed.pdf").status_code == 404


def test_reviewer_sees_and_scores_only_assigned(login, fed, zs_admin, published, stations, dalian, reviewer):
    n1 = services.nomination_create(actor=zs_admin, campaign=published, position=stations["zs"][0], statement="好")
    n2 = services.nomination_create(actor=zs_admin, campaign=published, position=stations["zs"][1], statement="好")
    for n in (n1, n2):
        services.nomination_sealed_upload(actor=zs_admin, nomination=n, data=pdf_bytes())
        services.nomination_transition(actor=zs_admin, nomination=n, to_state=NominationState.SUBMITTED)
    member = ReviewMemberFactory(campaign=published, unit=dalian["xg"], account=reviewer.user)
    services.campaign_transition(actor=fed, campaign=published, to_state=CampaignState.REVIEWING)
    assignment = services.review_assign(actor=fed, nomination=n1, member=member)
    client = login(reviewer.user)
    page = client.get("/staff/campaigns/assignments/").content.decode()
    assert stations["zs"][0].official_name in page and stations["zs"][1].official_name not in page
    assert client.get(f"/staff/campaigns/nominations/{n2.pk}/").status_code == 404
    form = {
        f"score_{k}": "8"
        for k in (
            "signage",
            "layout",
            "facilities",
            "functions",
            "rules",
            "map",
            "role",
            "opinion",
            "innovation",
            "features",
        )
    }
    answer = client.post(f"/staff/campaigns/assignments/{assignment.pk}/record/", {**form, "result": ""}, follow=True)
    assert "请选择核查结论" in answer.content.decode()
    client.post(f"/staff/campaigns/assignments/{assignment.pk}/record/", {**form, "result": "conforms"})
    assert ReviewAssignment.objects.get().total == 80
    client.post(
        f"/staff/campaigns/assignments/{assignment.pk}/photos/", {"image": SimpleUploadedFile("p.png", png_bytes())}
    )
    assert ReviewAssignment.objects.get().photos.count() == 1


def test_public_notice_page_and_objection(client, fed, zs_admin, published, stations):
    n = services.nomination_create(actor=zs_admin, campaign=published, position=stations["zs"][0], statement="好")
    services.nomination_sealed_upload(actor=zs_admin, nomination=n, data=pdf_bytes())
    services.nomination_transition(actor=zs_admin, nomination=n, to_state=NominationState.SUBMITTED)
    services.campaign_transition(actor=fed, campaign=published, to_state=CampaignState.REVIEWING)
    meeting = services.meeting_record(actor=fed, campaign=published, held_on=timezone.localdate())
    services.nomination_transition(actor=fed, nomination=n, to_state=NominationState.RECOMMENDED, meeting=meeting)
    assert client.get(f"/notices/{published.pk}/").status_code == 404
    today = timezone.localdate()
    services.campaign_transition(
        actor=fed,
        campaign=published,
        to_state=CampaignState.NOTICE,
        notice_starts_on=today,
        notice_ends_on=today + dt.timedelta(days=6),
    )
    page = client.get(f"/notices/{published.pk}/").content.decode()
    assert "共 7 天" in page and stations["zs"][0].official_name in page
    assert published.name in client.get("/notices/").content.decode()
    pdf = client.get(f"/notices/{published.pk}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    answer = client.post(f"/notices/{published.pk}/", {"text": "", "nomination": n.pk})
    assert answer.status_code == 400 and "请填写异议内容" in answer.content.decode()
    answer = client.post(
        f"/notices/{published.pk}/", {"text": "经常不开门", "nomination": n.pk, "contact": "13900000000"}
    )
    assert "异议已收到" in answer.content.decode()
    assert Objection.objects.get().nomination == n


def test_the_honour_shows_on_the_public_page_and_the_record(client, login, fed, stations, campaign):
    from yizhan.campaigns.models import Honour

    station = stations["zs"][0]
    Honour.objects.create(
        campaign=campaign,
        position=station,
        title="2022 年度最美工会户外劳动者服务站点",
        awarded_on=timezone.localdate(),
    )
    assert "2022 年度最美工会户外劳动者服务站点" in client.get(f"/p/{station.code}/").content.decode()
    assert (
        "2022 年度最美工会户外劳动者服务站点" in login(fed.user).get(f"/staff/positions/{station.pk}/").content.decode()
    )


def test_annex_downloads(login, client, fed, zs_admin, published, stations):
    n = services.nomination_create(actor=zs_admin, campaign=published, position=stations["zs"][0], statement="好")
    federation, unit = login(fed.user), login(zs_admin.user)
    for url in (f"/staff/campaigns/{published.pk}/annex1.xlsx", f"/staff/campaigns/{published.pk}/annex2.docx"):
        answer = federation.get(url)
        assert answer.status_code == 200 and answer.content[:2] == b"PK", url
        assert unit.get(url).status_code == 403
    answer = unit.get(f"/staff/campaigns/{published.pk}/annex4.docx")
    assert answer.status_code == 200 and answer.content[:2] == b"PK"
    answer = federation.get(f"/staff/campaigns/{published.pk}/annex4.xlsx?unit={n.unit_id}")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    assert unit.get(f"/staff/campaigns/nominations/{n.pk}/annex3.docx").content[:2] == b"PK"
    assert unit.get(f"/staff/campaigns/nominations/{n.pk}/annex3.pdf").status_code == 404
    assert client.get(f"/notices/{published.pk}/notice.pdf").status_code == 404  # no notice yet
