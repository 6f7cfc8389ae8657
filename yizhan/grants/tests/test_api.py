"""/api/v1/grants: every endpoint, with the refusals and the denials across units (a district admin
cannot see or spend another district's grants: 404; the federation reads but does not spend: 403)."""

import io

import pytest
from PIL import Image

from yizhan.grants.choices import GrantState, ReportState
from yizhan.grants.models import GrantUse, SelfEvaluation
from yizhan.grants.tests.factories import COMPLETE_REPORT, GrantFactory, SelfEvaluationFactory

pytestmark = pytest.mark.django_db
USE = {"amount": "1200.50", "purpose": "upgrade", "used_on": "2022-09-01", "description": "更换空调"}


@pytest.fixture
def clients(login, fed, zs, xg):
    return {"fed": login(fed.user), "zs": login(zs.user), "xg": login(xg.user)}


def test_list_and_balances_follow_the_scope(clients, grant, dalian):
    GrantFactory(position__unit=dalian["xg"], amount_fen=300_000)
    assert clients["fed"].get("/api/v1/grants").json()["count"] == 2
    items = clients["zs"].get("/api/v1/grants").json()["items"]
    assert [(i["id"], i["amount_yuan"], i["balance_fen"]) for i in items] == [(grant.pk, "5000.00", 500_000)]
    balances = clients["fed"].get("/api/v1/grants/balances").json()
    assert [(b["unit_name"], b["balance_fen"]) for b in balances] == [
        ("中山区总工会", 500_000),
        ("西岗区总工会", 300_000),
    ]
    assert clients["xg"].get(f"/api/v1/grants/{grant.pk}").status_code == 404
    assert clients["zs"].get(f"/api/v1/grants/{grant.pk}").json()["state"] == GrantState.DISBURSED


def test_record_a_use_and_refusals(clients, grant):
    response = clients["zs"].post(f"/api/v1/grants/{grant.pk}/uses", USE, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["amount_fen"] == 120_050
    over = clients["zs"].post(
        f"/api/v1/grants/{grant.pk}/uses", {**USE, "amount": "3800"}, content_type="application/json"
    )
    assert over.status_code == 400
    assert over.json() == {"detail": "使用金额 3800.00 元超出余额：该资金剩余 3799.50 元", "field": "amount"}
    bad = clients["zs"].post(
        f"/api/v1/grants/{grant.pk}/uses", {**USE, "amount": "1.234"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "amount"
    assert (
        clients["xg"].post(f"/api/v1/grants/{grant.pk}/uses", USE, content_type="application/json").status_code == 404
    )
    assert (
        clients["fed"].post(f"/api/v1/grants/{grant.pk}/uses", USE, content_type="application/json").status_code == 403
    )
    assert GrantUse.objects.count() == 1
    uses = clients["fed"].get(f"/api/v1/grants/{grant.pk}/uses").json()
    assert [u["amount_yuan"] for u in uses] == ["1200.50"]
    assert clients["xg"].get(f"/api/v1/grants/{grant.pk}/uses").status_code == 404


def test_evidence_upload_and_read(clients, grant):
    use = clients["zs"].post(f"/api/v1/grants/{grant.pk}/uses", USE, content_type="application/json").json()
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "a.png"
    response = clients["zs"].post(f"/api/v1/grants/uses/{use['id']}/evidence", {"file": buffer, "caption": "发票"})
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "photo"
    text = io.BytesIO(b"hello")
    text.name = "a.txt"
    refused = clients["zs"].post(f"/api/v1/grants/uses/{use['id']}/evidence", {"file": text})
    assert refused.status_code == 400 and refused.json()["detail"] == "凭证应为照片（JPEG、PNG、WebP）或 PDF 文件"
    listed = clients["fed"].get(f"/api/v1/grants/uses/{use['id']}/evidence").json()
    assert len(listed) == 1
    assert clients["fed"].get(listed[0]["url"]).status_code == 200
    assert clients["xg"].get(listed[0]["url"]).status_code == 404
    assert clients["xg"].get(f"/api/v1/grants/uses/{use['id']}/evidence").status_code == 404


def test_disburse_by_the_federation_only(clients, zs_station):
    awarded = GrantFactory(position=zs_station, state=GrantState.AWARDED, disbursed_on=None)
    body = {"disbursed_on": "2022-08-20", "reference": "DL-1"}
    assert (
        clients["zs"].post(f"/api/v1/grants/{awarded.pk}/disburse", body, content_type="application/json").status_code
        == 403
    )
    done = clients["fed"].post(f"/api/v1/grants/{awarded.pk}/disburse", body, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "disbursed"
    again = clients["fed"].post(f"/api/v1/grants/{awarded.pk}/disburse", body, content_type="application/json")
    assert again.status_code == 400 and again.json()["detail"] == "该资金已于 2022-08-20 拨付，不能重复拨付"


def test_reports_request_fill_submit_pdf(clients, grant):
    body = {"source": "campaign:1", "title": "绩效自评报告", "due_on": "2022-10-28"}
    assert clients["zs"].post("/api/v1/grants/reports", body, content_type="application/json").status_code == 403
    created = clients["fed"].post("/api/v1/grants/reports", body, content_type="application/json")
    assert created.status_code == 201
    report_id = created.json()[0]["id"]
    refused = clients["zs"].post(f"/api/v1/grants/reports/{report_id}/submit")
    assert refused.status_code == 400
    assert refused.json()["missing"] == [
        "targets",
        "target_completion",
        "funds_use",
        "outputs",
        "score",
        "problems",
        "rectification",
    ]
    assert refused.json()["detail"].startswith("报告不完整，不能提交。请填写：绩效目标、")
    assert (
        clients["xg"].patch(f"/api/v1/grants/reports/{report_id}", {}, content_type="application/json").status_code
        == 404
    )
    assert (
        clients["fed"]
        .patch(f"/api/v1/grants/reports/{report_id}", {"targets": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    saved = clients["zs"].patch(f"/api/v1/grants/reports/{report_id}", COMPLETE_REPORT, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["score"] == 92
    done = clients["zs"].post(f"/api/v1/grants/reports/{report_id}/submit")
    assert done.status_code == 200 and done.json()["state"] == ReportState.SUBMITTED
    assert done.json()["awarded_fen"] == 500_000
    pdf = clients["fed"].get(f"/api/v1/grants/reports/{report_id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert clients["xg"].get(f"/api/v1/grants/reports/{report_id}/pdf").status_code == 404
    listed = clients["fed"].get("/api/v1/grants/reports", {"state": "submitted"}).json()
    assert listed["count"] == 1


def test_overdue_filter(clients, dalian):
    SelfEvaluationFactory(unit=dalian["zs"])  # due 2022-10-28: long past
    SelfEvaluationFactory(unit=dalian["xg"], state=ReportState.SUBMITTED)
    assert clients["fed"].get("/api/v1/grants/reports", {"overdue": True}).json()["count"] == 1
    assert clients["xg"].get("/api/v1/grants/reports", {"overdue": True}).json()["count"] == 0
    assert SelfEvaluation.objects.count() == 2
