"""Scope-matrix declarations (see yizhan/orgs/testing/scope_matrix.py) of social organisations and
their service projects. Unions (federation and unit admins) register organisations, publish and
move projects, check applications, and read reports in their subtree; the federation admins alone
score projects and pay subsidies. A social-organisation account reaches, at its own unit only, the
organisations it is an account of (every target organisation here is linked to the actor's
account), the published projects, its applications and reports."""

from __future__ import annotations

from yizhan.core.roles import Role
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World, page_status
from yizhan.projects.choices import ApplicationState, ProjectState
from yizhan.projects.models import (
    Application,
    PerformanceReport,
    ProjectStateChange,
    ScoreSheet,
    ServiceProject,
    SocialOrganisation,
    SubsidyPayment,
)
from yizhan.projects.tests.factories import (
    ApplicationFactory,
    PerformanceReportFactory,
    ServiceProjectFactory,
    SocialOrganisationFactory,
)

JSON = "application/json"
OWN_AND_BELOW = frozenset({"own", "child"})
OWN = frozenset({"own"})


def _ids(r) -> set[int]:
    if r.status_code != 200:
        return set()
    body = r.json()
    items = body["items"] if isinstance(body, dict) else body
    return {item["id"] for item in items}


def _organisation(world: World, relation: str, **fields) -> SocialOrganisation:
    code = world.fresh(f"SO-{relation}-")
    return SocialOrganisationFactory(
        unit=world.units[relation], name=f"矩阵社会组织{code}", accounts=[world.user], **fields
    )


def _project(world: World, relation: str, state=ProjectState.PUBLISHED) -> ServiceProject:
    return ServiceProjectFactory(unit=world.units[relation], title=f"矩阵项目{world.fresh(relation)}", state=state)


# --- social organisations -------------------------------------------------------------------------


def _org_target(world, relation):
    return _organisation(world, relation)


def _org_api_list(world, org, relation):
    r = world.client.get("/api/v1/projects/organisations", {"limit": 500})
    return Outcome(org.pk in _ids(r), r.status_code)


def _org_api_detail(world, org, relation):
    r = world.client.get(f"/api/v1/projects/organisations/{org.pk}")
    return Outcome(r.status_code == 200 and r.json()["name"] == org.name, r.status_code)


def _org_changed(org) -> bool:
    return SocialOrganisation.objects.filter(pk=org.pk, contact_phone="13700000000").exists()


def _org_api_update(world, org, relation):
    r = world.client.patch(
        f"/api/v1/projects/organisations/{org.pk}", {"contact_phone": "13700000000"}, content_type=JSON
    )
    return Outcome(r.status_code == 200 and _org_changed(org), r.status_code)


def _org_api_create(world, org, relation):
    name = f"矩阵新组织{org.pk}"
    r = world.client.post("/api/v1/projects/organisations", {"unit_id": org.unit_id, "name": name}, content_type=JSON)
    return Outcome(r.status_code == 201 and SocialOrganisation.objects.filter(name=name).exists(), r.status_code)


def _org_page_list(world, org, relation):
    r = world.client.get("/staff/projects/organisations/")
    return Outcome(r.status_code == 200 and org.name in r.content.decode(), r.status_code)


def _org_page_detail(world, org, relation):
    r = world.client.get(f"/staff/projects/organisations/{org.pk}/")
    return Outcome(r.status_code == 200 and org.name in r.content.decode(), r.status_code)


def _org_page_update(world, org, relation):
    data = {
        "name": org.name,
        "registration_number": org.registration_number,
        "registered_on": "2018-05-10",
        "certificate_valid_from": "2018-05-10",
        "certificate_valid_to": "2030-05-09",
        "contact_name": "王敏",
        "contact_phone": "13700000000",
    }
    r = world.client.post(f"/staff/projects/organisations/{org.pk}/", data)
    return Outcome(r.status_code == 302 and _org_changed(org), r.status_code)


ADMIN_ORG = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "update": OWN_AND_BELOW, "create": OWN_AND_BELOW}

ORGANISATION_CASE = ScopeCase(
    model="projects.socialorganisation",
    make_target=_org_target,
    probes={
        ("api", "list"): _org_api_list,
        ("api", "detail"): _org_api_detail,
        ("api", "update"): _org_api_update,
        ("api", "create"): _org_api_create,
        ("page", "list"): _org_page_list,
        ("page", "detail"): _org_page_detail,
        ("page", "update"): _org_page_update,
    },
    expected={
        Role.FEDERATION_ADMIN: ADMIN_ORG,
        Role.UNIT_ADMIN: ADMIN_ORG,
        Role.SOCIAL_ORG: {"list": OWN, "detail": OWN, "update": OWN},
    },
)


# --- service projects -----------------------------------------------------------------------------


def _project_target(world, relation):
    project = _project(world, relation)
    ProjectStateChange.objects.create(
        project=project, from_state=ProjectState.NEEDS, to_state=ProjectState.PUBLISHED, actor_name="matrix"
    )
    return project


def _p_api_list(world, project, relation):
    r = world.client.get("/api/v1/projects", {"limit": 500})
    return Outcome(project.pk in _ids(r), r.status_code)


def _p_api_detail(world, project, relation):
    r = world.client.get(f"/api/v1/projects/{project.pk}")
    return Outcome(r.status_code == 200 and r.json()["title"] == project.title, r.status_code)


def _p_api_history(world, project, relation):
    r = world.client.get(f"/api/v1/projects/{project.pk}/history")
    return Outcome(r.status_code == 200 and len(r.json()) == 1, r.status_code)


def _p_api_create(world, project, relation):
    title = f"矩阵新项目{project.pk}"
    body = {"unit_id": project.unit_id, "title": title, "category": "legal", "budget": "100"}
    r = world.client.post("/api/v1/projects", body, content_type=JSON)
    return Outcome(r.status_code == 201 and ServiceProject.objects.filter(title=title).exists(), r.status_code)


def _p_api_update(world, project, relation):
    r = world.client.patch(f"/api/v1/projects/{project.pk}", {"budget": "123"}, content_type=JSON)
    changed = ServiceProject.objects.filter(pk=project.pk, budget_fen=12300).exists()
    return Outcome(r.status_code == 200 and changed, r.status_code)


def _withdrawn(project) -> bool:
    return ServiceProject.objects.filter(pk=project.pk, state=ProjectState.NEEDS).exists()


def _p_api_operate(world, project, relation):
    body = {"to_state": "needs", "reason": "矩阵撤回"}
    r = world.client.post(f"/api/v1/projects/{project.pk}/transition", body, content_type=JSON)
    return Outcome(r.status_code == 200 and _withdrawn(project), r.status_code)


def _p_page_list(world, project, relation):
    r = world.client.get("/staff/projects/")
    return Outcome(r.status_code == 200 and project.title in r.content.decode(), r.status_code)


def _p_page_detail(world, project, relation):
    r = world.client.get(f"/staff/projects/{project.pk}/")
    return Outcome(r.status_code == 200 and project.title in r.content.decode(), r.status_code)


def _p_page_operate(world, project, relation):
    r = world.client.post(f"/staff/projects/{project.pk}/transition/", {"to_state": "needs", "reason": "矩阵撤回"})
    return Outcome(r.status_code == 302 and _withdrawn(project), r.status_code)


def _p_page_create(world, project, relation):
    title = f"矩阵新项目{project.pk}"
    data = {"unit": project.unit_id, "title": title, "category": "legal", "budget": "100"}
    r = world.client.post("/staff/projects/new/", data)
    created = r.status_code == 302 and ServiceProject.objects.filter(title=title).exists()
    return Outcome(created, page_status(r, OUT_OF_SCOPE_MESSAGE))


ADMIN_PROJECT = dict.fromkeys(("list", "detail", "history", "create", "update", "operate"), OWN_AND_BELOW)

PROJECT_CASE = ScopeCase(
    model="projects.serviceproject",
    make_target=_project_target,
    probes={
        ("api", "list"): _p_api_list,
        ("api", "detail"): _p_api_detail,
        ("api", "history"): _p_api_history,
        ("api", "create"): _p_api_create,
        ("api", "update"): _p_api_update,
        ("api", "operate"): _p_api_operate,
        ("page", "list"): _p_page_list,
        ("page", "detail"): _p_page_detail,
        ("page", "create"): _p_page_create,
        ("page", "operate"): _p_page_operate,
    },
    expected={
        Role.FEDERATION_ADMIN: ADMIN_PROJECT,
        Role.UNIT_ADMIN: ADMIN_PROJECT,
        Role.SOCIAL_ORG: {"list": OWN, "detail": OWN, "history": OWN},
    },
)


# --- applications ---------------------------------------------------------------------------------


def _application_target(world, relation):
    project = _project(world, relation)
    return ApplicationFactory(project=project, organisation=_organisation(world, relation))


def _a_api_list(world, application, relation):
    r = world.client.get(f"/api/v1/projects/{application.project_id}/applications")
    return Outcome(application.pk in _ids(r), r.status_code)


def _a_page_detail(world, application, relation):
    r = world.client.get(f"/staff/projects/{application.project_id}/")
    found = r.status_code == 200 and 'id="applications"' in r.content.decode()
    return Outcome(found and application.organisation.name in r.content.decode(), r.status_code)


def _fresh_project(world, application):
    project = ServiceProjectFactory(unit=application.project.unit, state=ProjectState.PUBLISHED)
    return project


def _applied(project) -> bool:
    return Application.objects.filter(project=project).exists()


def _a_api_create(world, application, relation):
    project = _fresh_project(world, application)
    body = {"organisation_id": application.organisation_id, "proposal": "矩阵方案", "amount": "10"}
    r = world.client.post(f"/api/v1/projects/{project.pk}/applications", body, content_type=JSON)
    return Outcome(r.status_code == 201 and _applied(project), r.status_code)


def _a_page_create(world, application, relation):
    project = _fresh_project(world, application)
    body = {"organisation": application.organisation_id, "proposal": "矩阵方案", "amount": "10"}
    r = world.client.post(f"/staff/projects/{project.pk}/apply/", body)
    return Outcome(r.status_code == 302 and _applied(project), r.status_code)


def _checked(application) -> bool:
    return Application.objects.filter(pk=application.pk, state=ApplicationState.QUALIFIED).exists()


def _a_api_update(world, application, relation):
    ServiceProject.objects.filter(pk=application.project_id).update(state=ProjectState.CHECKING)
    r = world.client.post(f"/api/v1/projects/applications/{application.pk}/check", {}, content_type=JSON)
    return Outcome(r.status_code == 200 and _checked(application), r.status_code)


def _a_page_update(world, application, relation):
    ServiceProject.objects.filter(pk=application.project_id).update(state=ProjectState.CHECKING)
    r = world.client.post(f"/staff/projects/applications/{application.pk}/check/")
    return Outcome(r.status_code == 302 and _checked(application), r.status_code)


ADMIN_CHECKS = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "update": OWN_AND_BELOW}

APPLICATION_CASE = ScopeCase(
    model="projects.application",
    make_target=_application_target,
    probes={
        ("api", "list"): _a_api_list,
        ("api", "create"): _a_api_create,
        ("api", "update"): _a_api_update,
        ("page", "detail"): _a_page_detail,
        ("page", "create"): _a_page_create,
        ("page", "update"): _a_page_update,
    },
    expected={
        Role.FEDERATION_ADMIN: ADMIN_CHECKS,
        Role.UNIT_ADMIN: ADMIN_CHECKS,
        Role.SOCIAL_ORG: {"list": OWN, "detail": OWN, "create": OWN},
    },
)


# --- performance reports --------------------------------------------------------------------------


def _report_target(world, relation):
    project = _project(world, relation, state=ProjectState.AGREED)
    organisation = _organisation(world, relation)
    application = ApplicationFactory(project=project, organisation=organisation, state=ApplicationState.SELECTED)
    ServiceProject.objects.filter(pk=project.pk).update(selected_application=application)
    project.refresh_from_db()
    return PerformanceReportFactory(project=project, organisation=organisation, content=f"矩阵报告{project.pk}")


def _r_api_list(world, report, relation):
    r = world.client.get(f"/api/v1/projects/{report.project_id}/reports")
    return Outcome(report.pk in _ids(r), r.status_code)


def _r_page_detail(world, report, relation):
    r = world.client.get(f"/staff/projects/{report.project_id}/")
    return Outcome(r.status_code == 200 and report.content in r.content.decode(), r.status_code)


def _reported(report) -> bool:
    return PerformanceReport.objects.filter(project_id=report.project_id, content="矩阵新报告").exists()


def _r_api_create(world, report, relation):
    body = {"reported_on": "2024-01-31", "content": "矩阵新报告"}
    r = world.client.post(f"/api/v1/projects/{report.project_id}/reports", body, content_type=JSON)
    return Outcome(r.status_code == 201 and _reported(report), r.status_code)


def _r_page_create(world, report, relation):
    body = {"reported_on": "2024-01-31", "content": "矩阵新报告", "workers_served": "3"}
    r = world.client.post(f"/staff/projects/{report.project_id}/reports/", body)
    return Outcome(r.status_code == 302 and _reported(report), r.status_code)


REPORT_CASE = ScopeCase(
    model="projects.performancereport",
    make_target=_report_target,
    probes={
        ("api", "list"): _r_api_list,
        ("api", "create"): _r_api_create,
        ("page", "detail"): _r_page_detail,
        ("page", "create"): _r_page_create,
    },
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW},
        Role.SOCIAL_ORG: {"list": OWN, "detail": OWN, "create": OWN},
    },
)


# --- score sheets and subsidies -------------------------------------------------------------------


def _archived(world, relation) -> ServiceProject:
    project = _project(world, relation, state=ProjectState.ARCHIVED)
    ServiceProject.objects.filter(pk=project.pk).update(satisfaction_rate=85, completed_on="2024-01-01")
    project.refresh_from_db()
    return project


def _sheet_target(world, relation):
    project = _archived(world, relation)
    return ScoreSheet.objects.create(
        project=project, nominated_on="2024-06-01", points={"study": 10}, total=17, confirmed_by="matrix"
    )


def _s_api_detail(world, sheet, relation):
    r = world.client.get(f"/api/v1/projects/{sheet.project_id}/score-sheet")
    return Outcome(r.status_code == 200 and (r.json() or {}).get("total") == 17, r.status_code)


def _s_page_detail(world, sheet, relation):
    r = world.client.get(f"/staff/projects/{sheet.project_id}/")
    return Outcome(r.status_code == 200 and "总分 17 分" in r.content.decode(), r.status_code)


def _rescored(sheet) -> bool:
    return ScoreSheet.objects.filter(pk=sheet.pk, total=18).exists()  # study 10 + satisfaction 8


def _s_api_create(world, sheet, relation):
    body = {"nominated_on": "2024-06-01", "study": True}
    r = world.client.post(f"/api/v1/projects/{sheet.project_id}/score-sheet", body, content_type=JSON)
    return Outcome(r.status_code == 200 and _rescored(sheet), r.status_code)


def _s_page_create(world, sheet, relation):
    r = world.client.post(f"/staff/projects/{sheet.project_id}/score/", {"nominated_on": "2024-06-01", "study": "on"})
    return Outcome(r.status_code == 302 and _rescored(sheet), r.status_code)


FEDERATION_WRITES = {"detail": OWN_AND_BELOW, "create": OWN_AND_BELOW}

SHEET_CASE = ScopeCase(
    model="projects.scoresheet",
    make_target=_sheet_target,
    probes={
        ("api", "detail"): _s_api_detail,
        ("api", "create"): _s_api_create,
        ("page", "detail"): _s_page_detail,
        ("page", "create"): _s_page_create,
    },
    expected={Role.FEDERATION_ADMIN: FEDERATION_WRITES, Role.UNIT_ADMIN: {"detail": OWN_AND_BELOW}},
)


def _subsidy_target(world, relation):
    project = _archived(world, relation)
    return SubsidyPayment.objects.create(
        project=project, level="city", amount_fen=1_000_000, paid_on="2024-07-01", recorded_by="matrix"
    )


def _pay_api_list(world, payment, relation):
    r = world.client.get(f"/api/v1/projects/{payment.project_id}/subsidies")
    return Outcome(payment.pk in _ids(r), r.status_code)


def _pay_page_detail(world, payment, relation):
    r = world.client.get(f"/staff/projects/{payment.project_id}/")
    return Outcome(r.status_code == 200 and 'id="subsidies"' in r.content.decode(), r.status_code)


def _topped_up(payment) -> bool:
    return SubsidyPayment.objects.filter(project_id=payment.project_id, level="provincial").exists()


def _pay_api_create(world, payment, relation):
    body = {"level": "provincial", "paid_on": "2024-08-01"}
    r = world.client.post(f"/api/v1/projects/{payment.project_id}/subsidies", body, content_type=JSON)
    return Outcome(r.status_code == 201 and _topped_up(payment), r.status_code)


def _pay_page_create(world, payment, relation):
    r = world.client.post(
        f"/staff/projects/{payment.project_id}/subsidies/", {"level": "provincial", "paid_on": "2024-08-01"}
    )
    return Outcome(r.status_code == 302 and _topped_up(payment), r.status_code)


SUBSIDY_CASE = ScopeCase(
    model="projects.subsidypayment",
    make_target=_subsidy_target,
    probes={
        ("api", "list"): _pay_api_list,
        ("api", "create"): _pay_api_create,
        ("page", "detail"): _pay_page_detail,
        ("page", "create"): _pay_page_create,
    },
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "create": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW},
    },
)

CASES = [ORGANISATION_CASE, PROJECT_CASE, APPLICATION_CASE, REPORT_CASE, SHEET_CASE, SUBSIDY_CASE]
