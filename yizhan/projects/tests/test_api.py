"""/api/v1/projects: every endpoint, its refusals as JSON, and denials across units (404)."""

import pytest

from yizhan.projects.choices import ApplicationState, ProjectState
from yizhan.projects.models import Application, ServiceProject, SubsidyPayment
from yizhan.projects.tests.factories import ApplicationFactory, ServiceProjectFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_the_lifecycle_through_the_api(login, zs, fed, ngo, organisation, dalian):
    admin, federation, own = login(zs.user), login(fed.user), login(ngo.user)
    r = admin.post(
        "/api/v1/projects",
        {
            "unit_id": dalian["zs"].pk,
            "title": "环卫职工法律服务",
            "category": "legal",
            "needs": "欠薪咨询多",
            "requirements": "每周一次法律咨询",
            "budget": "30000.00",
        },
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    project_id = r.json()["id"]
    assert r.json()["budget_fen"] == 3_000_000 and r.json()["budget_yuan"] == "30000.00"
    base = f"/api/v1/projects/{project_id}"
    assert admin.post(base + "/transition", {"to_state": "published"}, content_type=JSON).status_code == 200
    assert admin.patch(base, {"budget": "31000"}, content_type=JSON).json()["budget_fen"] == 3_100_000
    r = own.post(
        base + "/applications",
        {"organisation_id": organisation.pk, "proposal": "律师驻点", "amount": "29000"},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    application_id = r.json()["id"]
    assert admin.post(base + "/transition", {"to_state": "checking"}, content_type=JSON).status_code == 200
    r = admin.post(f"/api/v1/projects/applications/{application_id}/check", {}, content_type=JSON)
    assert r.json()["state"] == ApplicationState.QUALIFIED
    r = admin.post(base + "/select", {"application_id": application_id, "reason": "律所资质好"}, content_type=JSON)
    assert r.json()["state"] == ProjectState.SELECTED and r.json()["selection_reason"] == "律所资质好"
    r = admin.post(
        base + "/agreement",
        {
            "signed_on": "2024-01-05",
            "starts_on": "2024-01-05",
            "ends_on": "2024-06-30",
            "amount": "29000",
            "deliverables": "24 次",
        },
        content_type=JSON,
    )
    assert r.json()["agreement_amount_fen"] == 2_900_000
    r = own.post(base + "/reports", {"reported_on": "2024-03-31", "content": "咨询 60 人次"}, content_type=JSON)
    assert r.status_code == 201
    assert len(admin.get(base + "/reports").json()) == 1
    admin.post(base + "/transition", {"to_state": "evaluating"}, content_type=JSON)
    r = admin.post(
        base + "/archive",
        {"completed_on": "2024-06-30", "satisfaction_rate": "95", "respondents": 60},
        content_type=JSON,
    )
    assert r.json()["state"] == ProjectState.ARCHIVED
    assert [h["to_state"] for h in admin.get(base + "/history").json()][-1] == "archived"
    r = federation.post(base + "/score-sheet", {"nominated_on": "2024-09-01", "documents": 2}, content_type=JSON)
    assert r.json()["total"] == 20 and r.json()["points"]["satisfaction"] == 10
    r = federation.post(
        base + "/score-sheet", {"nominated_on": "2024-09-01", "adjustments": {"satisfaction": 11}}, content_type=JSON
    )
    assert r.status_code == 400 and r.json()["field"] == "satisfaction"
    assert federation.get(base + "/score-sheet").json()["total"] == 20
    r = federation.post(base + "/subsidies", {"level": "national", "paid_on": "2024-10-01"}, content_type=JSON)
    assert r.json()["amount_yuan"] == "30000.00"
    r = federation.post(base + "/subsidies", {"level": "city", "paid_on": "2024-10-02"}, content_type=JSON)
    assert r.status_code == 400 and "不再补助" in r.json()["detail"]
    assert SubsidyPayment.objects.count() == 1
    assert len(federation.get(base + "/subsidies").json()) == 1


def test_organisations_api_and_qualification(login, zs, ngo, organisation, other_organisation, dalian):
    admin, own = login(zs.user), login(ngo.user)
    r = admin.post(
        "/api/v1/projects/organisations",
        {
            "unit_id": dalian["zs"].pk,
            "name": "市南区阳光社工",
            "registration_number": "X1",
            "registered_on": "2023-01-01",
            "certificate_valid_from": "2023-01-01",
            "certificate_valid_to": "2023-12-31",
        },
        content_type=JSON,
    )
    assert r.status_code == 201
    created = r.json()["id"]
    r = admin.get(f"/api/v1/projects/organisations/{created}/qualification", {"on": "2024-06-01"})
    assert r.json()["qualified"] is False
    assert r.json()["reasons"] == [
        "成立未满 2 年：2023-01-01 登记，2025-01-01 起才满 2 年",
        "登记证书已于 2023-12-31 过期",
    ]
    ids = {o["id"] for o in own.get("/api/v1/projects/organisations").json()["items"]}
    assert ids == {organisation.pk}
    assert own.get(f"/api/v1/projects/organisations/{other_organisation.pk}").status_code == 404
    r = own.patch(
        f"/api/v1/projects/organisations/{organisation.pk}",
        {"contact_phone": "13911112222", "name": "x"},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["contact_phone"] == "13911112222" and r.json()["name"] == organisation.name
    r = admin.post(
        "/api/v1/projects/organisations",
        {"unit_id": dalian["zs"].pk, "name": "重复", "registration_number": organisation.registration_number},
        content_type=JSON,
    )
    assert r.status_code == 400 and r.json()["field"] == "registration_number"


def test_denials_across_units(login, xg, ngo, dalian):
    project = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.PUBLISHED)
    application = ApplicationFactory(project=project)
    other = login(xg.user)
    base = f"/api/v1/projects/{project.pk}"
    assert other.get(base).status_code == 404
    assert other.post(base + "/transition", {"to_state": "checking"}, content_type=JSON).status_code == 404
    assert other.get(base + "/applications").status_code == 404
    assert other.post(f"/api/v1/projects/applications/{application.pk}/check", {}, content_type=JSON).status_code == 404
    assert other.get(f"/api/v1/projects/organisations/{application.organisation_id}").status_code == 404
    assert project.pk not in {p["id"] for p in other.get("/api/v1/projects").json()["items"]}
    # the social organisation may not move a project, nor see another organisation's application
    own = login(ngo.user)
    assert own.post(base + "/transition", {"to_state": "checking"}, content_type=JSON).status_code == 403
    assert own.get(base + "/applications").json() == []
    assert own.post(f"/api/v1/projects/applications/{application.pk}/check", {}, content_type=JSON).status_code == 404


def test_bad_input_answers_json(login, zs, dalian):
    admin = login(zs.user)
    r = admin.post(
        "/api/v1/projects", {"unit_id": dalian["zs"].pk, "title": "x", "category": "nope"}, content_type=JSON
    )
    assert r.status_code in (400, 422)
    project = ServiceProjectFactory(unit=dalian["zs"], state=ProjectState.CHECKING)
    r = admin.post(f"/api/v1/projects/{project.pk}/transition", {"to_state": "archived"}, content_type=JSON)
    assert r.status_code == 400 and r.json()["field"] == "to_state"
    assert ServiceProject.objects.get(pk=project.pk).state == ProjectState.CHECKING
    assert not Application.objects.exists()
