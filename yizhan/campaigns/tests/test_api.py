"""/api/v1/campaigns: every endpoint through the test client, with denials across units."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yizhan.campaigns.choices import CampaignState, NominationState
from yizhan.campaigns.models import Nomination, Quota
from yizhan.campaigns.tests.factories import ReviewMemberFactory, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

BASE = "/api/v1/campaigns"
SCORES = {
    "signage": 9,
    "layout": 8,
    "facilities": 10,
    "functions": 9,
    "rules": 8,
    "map": 10,
    "role": 9,
    "opinion": 9,
    "innovation": 7,
    "features": 8,
}


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def clients(login, fed, zs_admin, xg_admin, reviewer):
    return {
        "fed": login(fed.user),
        "zs": login(zs_admin.user),
        "xg": login(xg_admin.user),
        "reviewer": login(reviewer.user),
    }


def test_create_compute_adjust_publish(clients, dalian, stations):
    fed = clients["fed"]
    answer = post(
        fed,
        BASE,
        {
            "name": "2022年推树",
            "year": 2022,
            "honour_title": "2022 年度最美工会户外劳动者服务站点",
            "total_quota": 6,
            "grant_fen": 500000,
            "deadlines": {"nominations": "2099-01-01"},
        },
    )
    assert answer.status_code == 201, answer.content
    cid = answer.json()["id"]
    assert (
        post(clients["zs"], BASE, {"name": "x", "year": 2022, "honour_title": "t", "total_quota": 1}).status_code == 403
    )
    quotas = post(fed, f"{BASE}/{cid}/quotas/compute").json()
    assert {q["unit_code"]: q["quota"] for q in quotas} == {"DL-ZS": 4, "DL-XG": 2}
    zs_quota = next(q for q in quotas if q["unit_code"] == "DL-ZS")
    # A unit admin reads only its own row, and may not adjust it.
    assert [q["unit_code"] for q in clients["zs"].get(f"{BASE}/{cid}/quotas").json()] == ["DL-ZS"]
    assert (
        post(clients["zs"], f"{BASE}/quotas/{zs_quota['id']}/adjust", {"quota": 5, "reason": "多"}).status_code == 403
    )
    xg_quota = next(q for q in quotas if q["unit_code"] == "DL-XG")
    assert (
        post(clients["zs"], f"{BASE}/quotas/{xg_quota['id']}/adjust", {"quota": 5, "reason": "多"}).status_code == 404
    )
    answer = post(fed, f"{BASE}/quotas/{zs_quota['id']}/adjust", {"quota": 3, "reason": ""})
    assert answer.status_code == 400 and answer.json()["field"] == "reason"
    post(fed, f"{BASE}/quotas/{zs_quota['id']}/adjust", {"quota": 3, "reason": "调剂"})
    answer = post(fed, f"{BASE}/{cid}/transition", {"to_state": "published"})
    assert answer.status_code == 400 and "不一致" in answer.json()["detail"]
    post(fed, f"{BASE}/quotas/{zs_quota['id']}/adjust", {"quota": 4, "reason": "恢复"})
    answer = post(fed, f"{BASE}/{cid}/transition", {"to_state": "published"})
    assert answer.json()["state"] == "published"
    assert post(clients["zs"], f"{BASE}/{cid}/transition", {"to_state": "reviewing"}).status_code == 403
    assert [h["to_state"] for h in fed.get(f"{BASE}/{cid}/history").json()] == ["published"]


def test_nominate_upload_submit_and_scope(clients, published, stations):
    cid = published.pk
    zs, xg = clients["zs"], clients["xg"]
    answer = post(zs, f"{BASE}/{cid}/nominations", {"position": stations["zs"][0].pk, "statement": "服务好"})
    assert answer.status_code == 201, answer.content
    nid = answer.json()["id"]
    assert answer.json()["form"]["official_name"] == stations["zs"][0].official_name
    # Another district cannot nominate, read or move it.
    assert (
        post(xg, f"{BASE}/{cid}/nominations", {"position": stations["zs"][1].pk, "statement": "x"}).status_code == 404
    )
    assert xg.get(f"{BASE}/nominations/{nid}").status_code == 404
    assert post(xg, f"{BASE}/nominations/{nid}/transition", {"to_state": "submitted"}).status_code == 404
    assert xg.get(f"{BASE}/{cid}/nominations").json() == []
    answer = post(zs, f"{BASE}/{cid}/nominations", {"position": stations["zs_four"][0].pk, "statement": "x"})
    assert answer.status_code == 400 and "须达到五星" in answer.json()["detail"]
    bad = SimpleUploadedFile("a.pdf", png_bytes(), content_type="application/pdf")
    answer = zs.post(f"{BASE}/nominations/{nid}/sealed", {"file": bad})
    assert answer.status_code == 400 and "不是 PDF" in answer.json()["detail"]
    good = SimpleUploadedFile("a.pdf", pdf_bytes(), content_type="application/pdf")
    assert zs.post(f"{BASE}/nominations/{nid}/sealed", {"file": good}).json()["sealed"] is True
    assert post(zs, f"{BASE}/nominations/{nid}/transition", {"to_state": "submitted"}).json()["state"] == "submitted"
    assert [h["to_state"] for h in zs.get(f"{BASE}/nominations/{nid}/history").json()] == ["submitted"]
    quota = Quota.objects.get(campaign=published, unit__code="DL-ZS")
    summary = SimpleUploadedFile("s.pdf", pdf_bytes("summary"), content_type="application/pdf")
    assert xg.post(f"{BASE}/quotas/{quota.pk}/submit", {"file": summary}).status_code == 404
    summary.seek(0)
    assert zs.post(f"{BASE}/quotas/{quota.pk}/submit", {"file": summary}).json()["submitted_on"]
    detail = clients["fed"].get(f"{BASE}/{cid}").json()
    assert {s["kind"] for s in detail["steps"]} >= {"nominations", "review_group"}


def test_members_review_and_reviewer_scope(clients, published, stations, dalian, reviewer, zs_admin):
    cid = published.pk
    answer = post(
        clients["zs"],
        f"{BASE}/{cid}/members",
        {"unit": "DL-ZS", "name": "王明", "job_title": "副主席", "phone": "13904110001"},
    )
    assert answer.status_code == 201, answer.content
    assert (
        post(
            clients["zs"],
            f"{BASE}/{cid}/members",
            {"unit": "DL-XG", "name": "王明", "job_title": "副主席", "phone": "13904110001"},
        ).status_code
        == 404
    )
    mid = answer.json()["id"]
    assert post(clients["zs"], f"{BASE}/members/{mid}/confirm", {"group_role": "leader"}).status_code == 403
    assert post(clients["fed"], f"{BASE}/members/{mid}/confirm", {"group_role": "leader"}).json()["confirmed"]
    member = ReviewMemberFactory(campaign=published, unit=dalian["xg"], account=reviewer.user)
    from yizhan.campaigns import services

    n1 = services.nomination_create(actor=zs_admin, campaign=published, position=stations["zs"][0], statement="好")
    n2 = services.nomination_create(actor=zs_admin, campaign=published, position=stations["zs"][1], statement="好")
    for n in (n1, n2):
        services.nomination_sealed_upload(actor=zs_admin, nomination=n, data=pdf_bytes())
        services.nomination_transition(actor=zs_admin, nomination=n, to_state=NominationState.SUBMITTED)
    post(clients["fed"], f"{BASE}/{cid}/transition", {"to_state": "reviewing"})
    answer = post(clients["fed"], f"{BASE}/nominations/{n1.pk}/assignments", {"member": mid})
    assert answer.status_code == 400 and "不能核查本单位推荐的阵地" in answer.json()["detail"]
    answer = post(clients["fed"], f"{BASE}/nominations/{n1.pk}/assignments", {"member": member.pk})
    assert answer.status_code == 201
    aid = answer.json()["id"]
    reviewer_client = clients["reviewer"]
    assert [a["id"] for a in reviewer_client.get(f"{BASE}/assignments").json()] == [aid]
    assert reviewer_client.get(f"{BASE}/nominations/{n1.pk}").status_code == 200
    assert reviewer_client.get(f"{BASE}/nominations/{n2.pk}").status_code == 404
    assert clients["zs"].get(f"{BASE}/assignments").json() == []
    answer = post(reviewer_client, f"{BASE}/assignments/{aid}/record", {"scores": SCORES, "result": "conforms"})
    assert answer.json()["total"] == 87
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    assert (
        reviewer_client.post(f"{BASE}/assignments/{aid}/photos", {"image": photo, "caption": "门口"}).status_code == 201
    )
    # Unit admins do not see verifications at all.
    assert (
        post(clients["zs"], f"{BASE}/assignments/{aid}/record", {"scores": SCORES, "result": "conforms"}).status_code
        == 404
    )
    meeting = post(clients["fed"], f"{BASE}/{cid}/meetings", {"held_on": timezone.localdate().isoformat()}).json()
    answer = post(
        clients["fed"], f"{BASE}/nominations/{n1.pk}/transition", {"to_state": "recommended", "meeting": meeting["id"]}
    )
    assert answer.json()["state"] == "recommended"
    answer = post(
        clients["fed"],
        f"{BASE}/nominations/{n2.pk}/transition",
        {"to_state": "rejected", "meeting": meeting["id"], "reason": "设施不全"},
    )
    assert answer.json()["decision_reason"] == "设施不全"


def test_public_notice_and_objection(client, clients, published, stations, zs_admin, fed, monkeypatch):
    from yizhan.campaigns import services

    n = services.nomination_create(actor=zs_admin, campaign=published, position=stations["zs"][0], statement="好")
    services.nomination_sealed_upload(actor=zs_admin, nomination=n, data=pdf_bytes())
    services.nomination_transition(actor=zs_admin, nomination=n, to_state=NominationState.SUBMITTED)
    services.campaign_transition(actor=fed, campaign=published, to_state=CampaignState.REVIEWING)
    meeting = services.meeting_record(actor=fed, campaign=published, held_on=timezone.localdate())
    services.nomination_transition(actor=fed, nomination=n, to_state=NominationState.RECOMMENDED, meeting=meeting)
    assert client.get(f"{BASE}/{published.pk}/notice").status_code == 404
    today = timezone.localdate()
    answer = post(
        clients["fed"],
        f"{BASE}/{published.pk}/transition",
        {
            "to_state": "notice",
            "notice_starts_on": today.isoformat(),
            "notice_ends_on": (today + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert answer.status_code == 400 and "公示期不得少于 7 天" in answer.json()["detail"]
    post(
        clients["fed"],
        f"{BASE}/{published.pk}/transition",
        {
            "to_state": "notice",
            "notice_starts_on": today.isoformat(),
            "notice_ends_on": (today + dt.timedelta(days=6)).isoformat(),
        },
    )
    notice = client.get(f"{BASE}/{published.pk}/notice").json()
    assert notice["open"] and [r["nomination"] for r in notice["rows"]] == [n.pk]
    answer = post(client, f"{BASE}/{published.pk}/objections", {"text": "不开门", "nomination": n.pk})
    assert answer.status_code == 201
    answer = post(client, f"{BASE}/{published.pk}/objections", {"text": "又不开门", "nomination": n.pk})
    assert answer.status_code == 429 and answer["Retry-After"]
    objections = clients["fed"].get(f"{BASE}/{published.pk}/objections").json()
    assert clients["zs"].get(f"{BASE}/{published.pk}/objections").json() == []
    oid = objections[0]["id"]
    assert (
        post(clients["zs"], f"{BASE}/objections/{oid}/resolve", {"outcome": "dismissed", "answer": "x"}).status_code
        == 404
    )
    after = today + dt.timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    answer = post(clients["fed"], f"{BASE}/{published.pk}/transition", {"to_state": "approved"})
    assert answer.status_code == 400 and "未处理完毕" in answer.json()["detail"]
    post(clients["fed"], f"{BASE}/objections/{oid}/resolve", {"outcome": "dismissed", "answer": "经核实按时开放"})
    assert (
        post(clients["fed"], f"{BASE}/{published.pk}/transition", {"to_state": "approved"}).json()["state"]
        == "approved"
    )
    assert Nomination.objects.get(pk=n.pk).state == NominationState.SELECTED
    honours = clients["zs"].get(f"{BASE}/{published.pk}/honours").json()
    assert [h["title"] for h in honours] == ["2022 年度最美工会户外劳动者服务站点"]
    assert post(clients["zs"], f"{BASE}/honours/{honours[0]['id']}/plaque", {"plaque_number": "1"}).status_code == 403
    answer = post(clients["fed"], f"{BASE}/honours/{honours[0]['id']}/plaque", {"plaque_number": "DL2022-01"})
    assert answer.json()["plaque_issued_on"] == after.isoformat()


def test_step_extend(clients, published):
    step = published.steps.get(kind="nominations")
    new = (step.deadline + dt.timedelta(days=5)).isoformat()
    assert post(clients["zs"], f"{BASE}/steps/{step.pk}/extend", {"deadline": new, "reason": "x"}).status_code == 403
    answer = post(clients["fed"], f"{BASE}/steps/{step.pk}/extend", {"deadline": new, "reason": "疫情"})
    assert answer.json()["extension_reason"] == "疫情"
