"""Scope-matrix declaration for the audit log: auditors read entries of their own unit and below,
on the log page, in the API, the admin and the signed export of a date range (a page; no API)."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

from django.utils import timezone

from yizhan.core.audit import audit_record
from yizhan.core.audit_export import ENTRIES_JSONL
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World


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

CASES = [AUDIT_CASE]
