"""Staff pages of grants: the balances and grants in scope, a grant's uses and the use form (with
evidence, refused beyond the balance), disbursement, the reports' form, submission and PDF."""

import io

import pytest
from PIL import Image

from yizhan.grants.choices import GrantState, ReportState
from yizhan.grants.models import GrantEvidence, GrantUse, SelfEvaluation
from yizhan.grants.tests.factories import COMPLETE_REPORT, GrantFactory, GrantUseFactory, SelfEvaluationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(login, fed, zs, xg):
    return {"fed": login(fed.user), "zs": login(zs.user), "xg": login(xg.user)}


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "invoice.png"
    return buffer


def test_list_shows_balances_per_unit_in_scope(clients, grant, dalian):
    GrantFactory(position__unit=dalian["xg"], amount_fen=300_000, spent_fen=12_345)
    html = clients["fed"].get("/staff/grants/").content.decode()
    assert "中山区总工会" in html and "西岗区总工会" in html and "2876.55" in html and "5000.00" in html
    own = clients["zs"].get("/staff/grants/").content.decode()
    assert "西岗区总工会" not in own and "5000.00" in own
    assert clients["zs"].get(f"/staff/grants/?unit={dalian['xg'].pk}").status_code == 404
    assert "---------" not in html


def test_record_a_use_with_evidence(clients, grant):
    url = f"/staff/grants/{grant.pk}/"
    form = {
        "amount": "1200.5",
        "purpose": "upgrade",
        "used_on": "2022-09-01",
        "description": "更换空调",
        "evidence": _photo(),
    }
    response = clients["zs"].post(url, form)
    assert response.status_code == 302
    use = GrantUse.objects.get()
    assert use.amount_fen == 120_050 and GrantEvidence.objects.filter(use=use).count() == 1
    html = clients["zs"].get(url).content.decode()
    assert "3799.50" in html and "已登记使用 1200.5 元" in html


def test_a_use_beyond_the_balance_is_refused_on_the_page(clients, grant):
    url = f"/staff/grants/{grant.pk}/"
    form = {"amount": "5000.01", "purpose": "operation", "used_on": "2022-09-01", "description": "日常运营"}
    html = clients["zs"].post(url, form).content.decode()
    assert "使用金额 5000.01 元超出余额：该资金剩余 5000.00 元" in html
    assert not GrantUse.objects.exists()


def test_bad_evidence_writes_nothing(clients, grant):
    bad = io.BytesIO(b"plain text")
    bad.name = "a.txt"
    form = {"amount": "10", "purpose": "operation", "used_on": "2022-09-01", "description": "x", "evidence": bad}
    html = clients["zs"].post(f"/staff/grants/{grant.pk}/", form).content.decode()
    assert "凭证应为照片（JPEG、PNG、WebP）或 PDF 文件" in html
    assert not GrantUse.objects.exists()


def test_other_unit_and_federation_cannot_record(clients, grant):
    form = {"amount": "10", "purpose": "operation", "used_on": "2022-09-01", "description": "x"}
    assert clients["xg"].get(f"/staff/grants/{grant.pk}/").status_code == 404
    assert clients["xg"].post(f"/staff/grants/{grant.pk}/", form).status_code == 404
    assert clients["fed"].post(f"/staff/grants/{grant.pk}/", form).status_code == 403
    fed_page = clients["fed"].get(f"/staff/grants/{grant.pk}/").content.decode()
    assert "登记使用" not in fed_page


def test_disburse_page(clients, zs_station):
    awarded = GrantFactory(position=zs_station, state=GrantState.AWARDED, disbursed_on=None)
    page = clients["fed"].get(f"/staff/grants/{awarded.pk}/").content.decode()
    assert 'type="date" name="disbursed_on"' in page
    assert (
        clients["zs"].post(f"/staff/grants/{awarded.pk}/disburse/", {"disbursed_on": "2022-08-20"}).status_code == 403
    )
    response = clients["fed"].post(f"/staff/grants/{awarded.pk}/disburse/", {"disbursed_on": "2022-08-20"})
    assert response.status_code == 302
    awarded.refresh_from_db()
    assert awarded.state == GrantState.DISBURSED


def test_evidence_added_later(clients, grant):
    use = GrantUseFactory(grant=grant)
    assert clients["xg"].post(f"/staff/grants/uses/{use.pk}/evidence/", {"file": _photo()}).status_code == 404
    response = clients["zs"].post(f"/staff/grants/uses/{use.pk}/evidence/", {"file": _photo(), "caption": "发票"})
    assert response.status_code == 302
    evidence = GrantEvidence.objects.get()
    assert clients["fed"].get(f"/staff/grants/evidence/{evidence.pk}/")["Content-Type"] == "image/jpeg"


def test_report_form_submit_and_pdf(clients, dalian, grant):
    report = SelfEvaluationFactory(unit=dalian["zs"])
    url = f"/staff/grants/reports/{report.pk}/"
    page = clients["zs"].get(url).content.decode()
    assert "提交前还需填写：绩效目标、目标完成情况" in page and "已逾期" in page
    refused = clients["zs"].post(f"{url}submit/", follow=True).content.decode()
    assert (
        "报告不完整，不能提交。请填写：绩效目标、目标完成情况、资金使用情况、产出与效益、自评得分、存在的问题、整改措施"
        in refused
    )
    assert clients["zs"].post(url, {**COMPLETE_REPORT, "rectification": ""}).status_code == 302
    refused = clients["zs"].post(f"{url}submit/", follow=True).content.decode()
    assert "报告不完整，不能提交。请填写：整改措施" in refused
    clients["zs"].post(url, COMPLETE_REPORT)
    clients["zs"].post(f"{url}submit/")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert clients["xg"].get(url).status_code == 404
    assert clients["fed"].post(url, COMPLETE_REPORT).status_code == 403
    pdf = clients["fed"].get(f"{url}pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_report_list_and_request(clients, grant):
    assert clients["zs"].post("/staff/grants/reports/", {"source": "campaign:1"}).status_code == 403
    form = {"source": "campaign:1", "title": "绩效自评报告", "due_on": "2022-10-28"}
    assert clients["fed"].post("/staff/grants/reports/", form).status_code == 302
    html = clients["zs"].get("/staff/grants/reports/?state=draft&overdue=1").content.decode()
    assert "中山区总工会" in html and "已逾期" in html
    none = clients["fed"].post("/staff/grants/reports/", {**form, "source": "campaign:9"}).content.decode()
    assert "campaign:9" in none and SelfEvaluation.objects.count() == 1  # not among the choices
    page = clients["fed"].get("/staff/grants/reports/").content.decode()
    assert '<option value="campaign:1">2022 年度最美工会户外劳动者服务站点 补助资金（campaign:1）</option>' in page
    assert "---------" not in page


def test_list_filtered_by_source(clients, grant, dalian):
    GrantFactory(position__unit=dalian["zs"], source="campaign:2", title="另一来源", amount_fen=100)
    html = clients["zs"].get("/staff/grants/", {"source": "campaign:2"}).content.decode()
    assert '<option value="campaign:2" selected>另一来源（campaign:2）</option>' in html
    assert "共 1 笔" in html and "0.00" in html
