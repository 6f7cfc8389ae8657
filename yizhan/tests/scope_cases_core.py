"""Scope-matrix declarations of the kernel's models: the audit log (auditors read entries of their
own unit and below, on the log page, in the API, the admin and the signed export of a date range —
a page; no API) and background jobs (a job started by someone else at the unit: the admins whose
reach covers it see it, cancel it and run it again; every other role sees only its own jobs)."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

from django.utils import timezone

from yizhan.core.audit import audit_record
from yizhan.core.audit_export import ENTRIES_JSONL
from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.registry import JobKind, job_kind, register_job_kind
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Action, Role
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World
from yizhan.orgs.tests.factories import MembershipFactory


def _entry_target(world: World, relation: str) -> AuditEntry:
    unit = world.units[relation]
    return audit_record(
        action=AuditAction.UPDATE,
        object_type="matrix.probe",
        object_repr=f"matrix-marker-{relation}",
        unit_path=unit.path,
        unit_name=unit.name,
    )


def _api_list(world, entry, relation):
    r = world.client.get("/api/v1/audit", {"limit": 500})
    seqs = {item["seq"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(entry.seq in seqs, r.status_code)


def _page_list(world, entry, relation):
    r = world.client.get("/staff/audit/", {"object_type": "matrix.probe"})
    return Outcome(r.status_code == 200 and entry.object_repr in r.content.decode(), r.status_code)


def _admin_list(world, entry, relation):
    r = world.client.get("/admin/core/auditentry/", {"object_type": "matrix.probe"})
    return Outcome(r.status_code == 200 and entry.object_repr in r.content.decode(), r.status_code)


def _page_export(world, entry, relation):
    today = timezone.localdate().isoformat()
    r = world.client.get("/staff/audit/export/", {"since": today, "until": today})
    if r.status_code != 200:
        return Outcome(False, r.status_code)
    with zipfile.ZipFile(BytesIO(b"".join(r.streaming_content))) as archive:
        seqs = {json.loads(line)["seq"] for line in archive.read(ENTRIES_JSONL).decode().splitlines()}
    return Outcome(entry.seq in seqs, r.status_code)


AUDIT_CASE = ScopeCase(
    model="core.auditentry",
    make_target=_entry_target,
    probes={
        ("api", "list"): _api_list,
        ("page", "list"): _page_list,
        ("page", "export"): _page_export,
        ("admin", "list"): _admin_list,
    },
    expected={Role.AUDITOR: {"list": frozenset({"own", "child"}), "export": frozenset({"own", "child"})}},
)

# A kind any role may start, so that running the job again is refused by scope alone.
MATRIX_KIND = "matrix.job"
if job_kind(MATRIX_KIND) is None:
    register_job_kind(JobKind(MATRIX_KIND, "矩阵任务", lambda job, progress: None, (Action.CREATE, "core.job")))


def _job_target(world: World, relation: str) -> Job:
    """A running job started at that unit by a station manager of it (not the actor)."""
    unit = world.units[relation]
    membership = MembershipFactory(
        user__username=world.fresh(f"job-starter-{relation}-"), unit=unit, role=Role.STATION_MANAGER
    )
    starter = membership.user
    return Job.objects.create(
        kind=MATRIX_KIND,
        owner=starter,
        owner_name=starter.username,
        membership_id=membership.pk,
        unit_path=unit.path,
        unit_name=unit.name,
        state=JobState.RUNNING,
        message=f"matrix-job-{relation}",
    )


def _job_api_list(world, job, relation):
    r = world.client.get("/api/v1/jobs", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(job.pk in ids, r.status_code)


def _job_page_list(world, job, relation):
    r = world.client.get("/staff/jobs/")
    return Outcome(r.status_code == 200 and f'data-job-row="{job.pk}"' in r.content.decode(), r.status_code)


def _job_api_detail(world, job, relation):
    r = world.client.get(f"/api/v1/jobs/{job.pk}")
    return Outcome(r.status_code == 200 and r.json()["message"] == job.message, r.status_code)


def _job_page_detail(world, job, relation):
    r = world.client.get(f"/staff/jobs/{job.pk}/")
    return Outcome(r.status_code == 200 and f"#{job.pk}" in r.content.decode(), r.status_code)


def _cancel_requested(job) -> bool:
    return Job.objects.values_list("cancel_requested", flat=True).get(pk=job.pk)


def _job_api_cancel(world, job, relation):
    r = world.client.post(f"/api/v1/jobs/{job.pk}/cancel")
    return Outcome(r.status_code == 200 and _cancel_requested(job), r.status_code)


def _job_page_cancel(world, job, relation):
    r = world.client.post(f"/staff/jobs/{job.pk}/cancel/")
    return Outcome(r.status_code == 302 and _cancel_requested(job), r.status_code)


def _failed(job) -> None:
    Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, error="matrix")


def _job_api_rerun(world, job, relation):
    _failed(job)
    r = world.client.post(f"/api/v1/jobs/{job.pk}/rerun")
    return Outcome(r.status_code == 201 and Job.objects.filter(rerun_of=job).exists(), r.status_code)


def _job_page_rerun(world, job, relation):
    _failed(job)
    r = world.client.post(f"/staff/jobs/{job.pk}/rerun/")
    return Outcome(r.status_code == 302 and Job.objects.filter(rerun_of=job).exists(), r.status_code)


ADMINS_OWN_AND_BELOW = {action: frozenset({"own", "child"}) for action in ("list", "detail", "operate", "create")}

JOB_CASE = ScopeCase(
    model="core.job",
    make_target=_job_target,
    probes={
        ("api", "list"): _job_api_list,
        ("page", "list"): _job_page_list,
        ("api", "detail"): _job_api_detail,
        ("page", "detail"): _job_page_detail,
        ("api", "operate"): _job_api_cancel,
        ("page", "operate"): _job_page_cancel,
        ("api", "create"): _job_api_rerun,
        ("page", "create"): _job_page_rerun,
    },
    expected={Role.FEDERATION_ADMIN: ADMINS_OWN_AND_BELOW, Role.UNIT_ADMIN: ADMINS_OWN_AND_BELOW},
)

CASES = [AUDIT_CASE, JOB_CASE]
