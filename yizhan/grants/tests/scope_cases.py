"""Scope-matrix declarations (see yizhan/orgs/testing/scope_matrix.py) of grants, their uses and
evidence, and the self-evaluation reports. A grant is read by its managing unit and those above;
the federation records its disbursement (update). Uses and evidence are recorded by the managing
unit (and the admins above it, who hold the unit-admin role there), read by the federation. Reports
are asked for by the federation (create), written by the unit (update), printed by both (export).
Grants are awarded by the campaigns' approval (grant_award), which has no channel of its own.
The read-only admin lists grants, uses and reports; evidence files only through their use."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from yizhan.core.roles import Role
from yizhan.grants.choices import GrantState
from yizhan.grants.forms import ReportRequestForm
from yizhan.grants.models import Grant, GrantEvidence, GrantUse, SelfEvaluation
from yizhan.grants.services import NO_GRANTS_FOR_SOURCE
from yizhan.grants.tests.factories import GrantFactory, GrantUseFactory, SelfEvaluationFactory
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World, page_status

OWN_AND_BELOW = frozenset({"own", "child"})
NOBODY = {
    Role.STATION_MANAGER: {},
    Role.REVIEWER: {},
    Role.SOCIAL_ORG: {},
    Role.AUDITOR: {},
    Role.SECURITY_ADMIN: {},
    Role.SYSTEM_ADMIN: {},
}


def _grant(world: World, relation: str, **fields) -> Grant:
    code = world.fresh(f"G-{relation}-")
    return GrantFactory(
        position__code=code,
        position__official_name=f"工会户外劳动者服务站点·资金{code}",
        position__unit=world.units[relation],
        title=f"矩阵资金{code}",
        **fields,
    )


# --- grants ---------------------------------------------------------------------------------------


def _grant_target(world: World, relation: str) -> Grant:
    return _grant(world, relation, state=GrantState.AWARDED, disbursed_on=None)


def _api_list(world, grant, relation):
    r = world.client.get("/api/v1/grants", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(grant.pk in ids, r.status_code)


def _api_detail(world, grant, relation):
    r = world.client.get(f"/api/v1/grants/{grant.pk}")
    return Outcome(r.status_code == 200 and r.json()["title"] == grant.title, r.status_code)


def _page_list(world, grant, relation):
    r = world.client.get("/staff/grants/")
    return Outcome(r.status_code == 200 and grant.position.official_name in r.content.decode(), r.status_code)


def _page_detail(world, grant, relation):
    r = world.client.get(f"/staff/grants/{grant.pk}/")
    return Outcome(r.status_code == 200 and grant.title in r.content.decode(), r.status_code)


def _admin_list(world, grant, relation):
    r = world.client.get("/admin/grants/grant/")
    return Outcome(
        r.status_code == 200 and f"/admin/grants/grant/{grant.pk}/change/" in r.content.decode(), r.status_code
    )


def _disbursed(grant: Grant) -> bool:
    return Grant.objects.filter(pk=grant.pk, state=GrantState.DISBURSED).exists()


def _api_disburse(world, grant, relation):
    r = world.client.post(
        f"/api/v1/grants/{grant.pk}/disburse", {"disbursed_on": "2022-08-20"}, content_type="application/json"
    )
    return Outcome(r.status_code == 200 and _disbursed(grant), r.status_code)


def _page_disburse(world, grant, relation):
    r = world.client.post(f"/staff/grants/{grant.pk}/disburse/", {"disbursed_on": "2022-08-20"})
    return Outcome(r.status_code == 302 and _disbursed(grant), r.status_code)


GRANT_CASE = ScopeCase(
    model="grants.grant",
    make_target=_grant_target,
    probes={
        ("api", "list"): _api_list,
        ("api", "detail"): _api_detail,
        ("api", "update"): _api_disburse,
        ("page", "list"): _page_list,
        ("page", "detail"): _page_detail,
        ("page", "update"): _page_disburse,
        ("admin", "list"): _admin_list,
    },
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "update": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW},
        **NOBODY,
    },
)


# --- uses -----------------------------------------------------------------------------------------

USE = {"purpose": "operation", "used_on": "2022-09-01"}


def _use_target(world: World, relation: str) -> GrantUse:
    grant = _grant(world, relation)
    return GrantUseFactory(grant=grant, description=f"矩阵使用{grant.position.code}")


def _api_uses(world, use, relation):
    r = world.client.get(f"/api/v1/grants/{use.grant_id}/uses")
    return Outcome(r.status_code == 200 and use.pk in {u["id"] for u in r.json()}, r.status_code)


def _page_uses(world, use, relation):
    r = world.client.get(f"/staff/grants/{use.grant_id}/")
    return Outcome(r.status_code == 200 and use.description in r.content.decode(), r.status_code)


def _admin_uses(world, use, relation):
    r = world.client.get("/admin/grants/grantuse/")
    return Outcome(
        r.status_code == 200 and f"/admin/grants/grantuse/{use.pk}/change/" in r.content.decode(), r.status_code
    )


def _recorded(use: GrantUse, marker: str) -> bool:
    return GrantUse.objects.filter(grant_id=use.grant_id, description=marker).exists()


def _api_use_create(world, use, relation):
    marker = f"矩阵新增{use.pk}"
    body = {**USE, "amount": "10", "description": marker}
    r = world.client.post(f"/api/v1/grants/{use.grant_id}/uses", body, content_type="application/json")
    return Outcome(r.status_code == 201 and _recorded(use, marker), r.status_code)


def _page_use_create(world, use, relation):
    marker = f"矩阵新增{use.pk}"
    r = world.client.post(f"/staff/grants/{use.grant_id}/", {**USE, "amount": "10", "description": marker})
    return Outcome(r.status_code == 302 and _recorded(use, marker), r.status_code)


UNIT_WRITES = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "create": OWN_AND_BELOW}
FEDERATION_READS = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW}

USE_CASE = ScopeCase(
    model="grants.grantuse",
    make_target=_use_target,
    probes={
        ("api", "list"): _api_uses,
        ("api", "create"): _api_use_create,
        ("page", "detail"): _page_uses,
        ("page", "create"): _page_use_create,
        ("admin", "list"): _admin_uses,
    },
    expected={Role.FEDERATION_ADMIN: FEDERATION_READS, Role.UNIT_ADMIN: UNIT_WRITES, **NOBODY},
)


# --- evidence -------------------------------------------------------------------------------------


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return buffer.getvalue()


def _evidence_target(world: World, relation: str) -> GrantEvidence:
    use = _use_target(world, relation)
    evidence = GrantEvidence(use=use, kind="pdf", caption=f"矩阵凭证{use.pk}", uploaded_by="matrix")
    evidence.file.save(f"matrix-{use.pk}.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"), save=False)
    evidence.save()
    return evidence


def _api_evidence(world, evidence, relation):
    r = world.client.get(f"/api/v1/grants/uses/{evidence.use_id}/evidence")
    return Outcome(r.status_code == 200 and evidence.pk in {e["id"] for e in r.json()}, r.status_code)


def _page_evidence(world, evidence, relation):
    r = world.client.get(f"/staff/grants/evidence/{evidence.pk}/")
    return Outcome(r.status_code == 200 and r["Content-Type"] == "application/pdf", r.status_code)


def _added(evidence: GrantEvidence) -> bool:
    return GrantEvidence.objects.filter(use_id=evidence.use_id, kind="photo").exists()


def _api_evidence_add(world, evidence, relation):
    upload = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    r = world.client.post(f"/api/v1/grants/uses/{evidence.use_id}/evidence", {"file": upload})
    return Outcome(r.status_code == 201 and _added(evidence), r.status_code)


def _page_evidence_add(world, evidence, relation):
    upload = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    r = world.client.post(f"/staff/grants/uses/{evidence.use_id}/evidence/", {"file": upload})
    return Outcome(r.status_code == 302 and _added(evidence), r.status_code)


EVIDENCE_CASE = ScopeCase(
    model="grants.grantevidence",
    make_target=_evidence_target,
    probes={
        ("api", "list"): _api_evidence,
        ("api", "create"): _api_evidence_add,
        ("page", "detail"): _page_evidence,
        ("page", "create"): _page_evidence_add,
    },
    expected={Role.FEDERATION_ADMIN: FEDERATION_READS, Role.UNIT_ADMIN: UNIT_WRITES, **NOBODY},
)


# --- self-evaluation reports ----------------------------------------------------------------------


def _report_target(world: World, relation: str) -> SelfEvaluation:
    return SelfEvaluationFactory(unit=world.units[relation], title=f"矩阵报告{world.fresh(relation)}")


def _api_reports(world, report, relation):
    r = world.client.get("/api/v1/grants/reports", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(report.pk in ids, r.status_code)


def _api_report(world, report, relation):
    r = world.client.get(f"/api/v1/grants/reports/{report.pk}")
    return Outcome(r.status_code == 200 and r.json()["title"] == report.title, r.status_code)


def _page_reports(world, report, relation):
    r = world.client.get("/staff/grants/reports/")
    return Outcome(r.status_code == 200 and f"/staff/grants/reports/{report.pk}/" in r.content.decode(), r.status_code)


def _page_report(world, report, relation):
    r = world.client.get(f"/staff/grants/reports/{report.pk}/")
    return Outcome(r.status_code == 200 and report.title in r.content.decode(), r.status_code)


def _admin_reports(world, report, relation):
    r = world.client.get("/admin/grants/selfevaluation/")
    link = f"/admin/grants/selfevaluation/{report.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


def _written(report: SelfEvaluation) -> bool:
    return SelfEvaluation.objects.filter(pk=report.pk, targets=f"矩阵目标{report.pk}").exists()


def _api_report_update(world, report, relation):
    body = {"targets": f"矩阵目标{report.pk}"}
    r = world.client.patch(f"/api/v1/grants/reports/{report.pk}", body, content_type="application/json")
    return Outcome(r.status_code == 200 and _written(report), r.status_code)


def _page_report_update(world, report, relation):
    r = world.client.post(f"/staff/grants/reports/{report.pk}/", {"targets": f"矩阵目标{report.pk}"})
    return Outcome(r.status_code == 302 and _written(report), r.status_code)


def _api_pdf(world, report, relation):
    r = world.client.get(f"/api/v1/grants/reports/{report.pk}/pdf")
    return Outcome(r.status_code == 200 and r.content.startswith(b"%PDF-"), r.status_code)


def _page_pdf(world, report, relation):
    r = world.client.get(f"/staff/grants/reports/{report.pk}/pdf/")
    return Outcome(r.status_code == 200 and r.content.startswith(b"%PDF-"), r.status_code)


def _requested(report: SelfEvaluation, source: str) -> bool:
    return SelfEvaluation.objects.filter(unit_id=report.unit_id, source=source).exists()


def _request_body(report: SelfEvaluation) -> dict:
    # A grant of a source of its own at the report's unit: asking for that source reaches that unit.
    source = f"matrix:{report.pk}"
    GrantFactory(position__unit=report.unit, position__code=f"GR-{report.pk}", source=source)
    return {"source": source, "title": "矩阵布置", "due_on": "2022-10-28"}


def _api_request(world, report, relation):
    body = _request_body(report)
    r = world.client.post("/api/v1/grants/reports", body, content_type="application/json")
    return Outcome(r.status_code == 201 and _requested(report, body["source"]), r.status_code)


def _page_request(world, report, relation):
    body = _request_body(report)
    r = world.client.post("/staff/grants/reports/", body)
    # A source outside the scope is not among the form's choices: its "not a valid choice" is the
    # page's "not found".
    invalid = ReportRequestForm.base_fields["source"].error_messages["invalid_choice"] % {"value": body["source"]}
    return Outcome(
        r.status_code == 302 and _requested(report, body["source"]), page_status(r, NO_GRANTS_FOR_SOURCE, invalid)
    )


READS = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "export": OWN_AND_BELOW}

REPORT_CASE = ScopeCase(
    model="grants.selfevaluation",
    make_target=_report_target,
    probes={
        ("api", "list"): _api_reports,
        ("api", "detail"): _api_report,
        ("api", "update"): _api_report_update,
        ("api", "export"): _api_pdf,
        ("api", "create"): _api_request,
        ("page", "list"): _page_reports,
        ("page", "detail"): _page_report,
        ("page", "update"): _page_report_update,
        ("page", "export"): _page_pdf,
        ("page", "create"): _page_request,
        ("admin", "list"): _admin_reports,
    },
    expected={
        Role.FEDERATION_ADMIN: {**READS, "create": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {**READS, "update": OWN_AND_BELOW},
        **NOBODY,
    },
)

CASES = [GRANT_CASE, USE_CASE, EVIDENCE_CASE, REPORT_CASE]
