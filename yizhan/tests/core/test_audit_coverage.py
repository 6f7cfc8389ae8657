"""The audit chain covers every business write (issue 5 §3): every model of every installed app is
either an AuditedModel whose save and delete go through the audit, or listed here with the reason
it is not; every export writes an EXPORT entry; role changes and reveals are recorded."""

import inspect

import pytest
from django.apps import apps

from yizhan.core.audit import AuditedModel, audit_verify
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.ledger.tests import conftest as ledger_fixtures
from yizhan.orgs import services as org_services
from yizhan.orgs.models import Membership
from yizhan.orgs.tests.factories import UserFactory
from yizhan.positions.exports import EXPORT_FORMATS

# The one allow-list: models that are not AuditedModel, and why.
NOT_AUDITED = {
    "core.auditentry": "the audit chain itself (append-only)",
    "core.audithead": "the chain head, moved with every entry",
    "core.auditanchor": "written only by audit-purge, which records itself as an entry naming the anchor",
    "core.job": "a background job's own record (state, progress, result); what a job changes is audited in "
    "its starter's name (decisions.md §22)",
    "django_tasks_database.dbtaskresult": "the job queue's task rows (django-tasks database backend)",
    "django_rq.dashboard": "django-rq's admin placeholder (no table; the RQ dashboard is not served)",
    "admin.logentry": "Django admin is read-only: nothing is ever written",
    "auth.permission": "Django framework metadata (roles are memberships, decision 4)",
    "auth.group": "unused (roles are memberships, decision 4)",
    "contenttypes.contenttype": "Django framework metadata",
    "sessions.session": "session store; logins and logouts are recorded by core.signals",
    "orgs.region": "reference data written only by import-regions, which records an IMPORT entry per area",
    "orgs.passwordhistory": "password hashes; password changes are recorded by orgs.accounts.events",
    "positions.positionstatechange": "the lifecycle history, written with the position's audited UPDATE",
    "ledger.feedbackstatuschange": "the handling history, written with the feedback's audited UPDATE",
    "ledger.dailyledgerrevision": "a day's earlier figures, written with the corrected day's audited UPDATE",
    "ledger.ledgermonth": "derived state: a position's month of the daily ledger summed from its audited days",
    "ledger.problemreportstatechange": "the handling history, written with the report's audited UPDATE",
    "inspections.inspectionstatechange": "the inspection's workflow history, written with its audited UPDATE",
    "inspections.rectificationstatechange": "the rectification's workflow history, written with its audited UPDATE",
    "campaigns.campaignstatechange": "a campaign's workflow history, written with its audited UPDATE",
    "campaigns.nominationstatechange": "a nomination's workflow history, written with its audited UPDATE",
    "projects.projectstatechange": "a service project's workflow history, written with its audited UPDATE",
    "centres.applicationstatechange": "a centre acceptance application's workflow history, written with its "
    "audited UPDATE",
    "publishing.publishedposition": "derived from the audited position writes: a position as published to "
    "partners, rewritten by publishing/publication.py from the change feed",
    "publishing.publicationhead": "the publication's feed number and change-feed mark (derived state)",
    "publishing.mappoint": "a platform's points as last marked, written with the audited map marking",
    "publishing.apikeyusage": "request counters of a partner's key; every keyed request writes its own audit "
    "entry (publishing/keys.py)",
    "otp_totp.totpdevice": "second-factor secrets; enrolment and reset are recorded by orgs.accounts.events",
    "otp_static.staticdevice": "recovery codes; their use and reset are recorded by orgs.accounts.events",
    "otp_static.statictoken": "recovery codes; their use and reset are recorded by orgs.accounts.events",
    "axes.accessattempt": "lockout counters; failed logins and lockouts are recorded by orgs.accounts.events",
    "axes.accessattemptexpiration": "lockout counters' expiry",
    "axes.accessfailurelog": "lockout counters; failed logins are recorded by core.signals",
    "axes.accesslog": "login log of django-axes; logins are recorded by core.signals",
}

dalian_map = ledger_fixtures.dalian_map
make_position = ledger_fixtures.make_position
station = ledger_fixtures.station
zs_admin = ledger_fixtures.zs_admin


def _first_definer(model, name: str) -> type:
    return next(klass for klass in inspect.getmro(model) if name in vars(klass))


def test_every_model_is_audited_or_listed_with_a_reason():
    unlisted = [
        model._meta.label_lower
        for model in apps.get_models()
        if not issubclass(model, AuditedModel) and model._meta.label_lower not in NOT_AUDITED
    ]
    assert unlisted == []
    audited_but_listed = [m._meta.label_lower for m in apps.get_models() if issubclass(m, AuditedModel)]
    assert not set(audited_but_listed) & set(NOT_AUDITED)


@pytest.mark.parametrize(
    "model", [m for m in apps.get_models() if issubclass(m, AuditedModel)], ids=lambda m: m._meta.label_lower
)
def test_no_audited_model_bypasses_the_audit_on_save_or_delete(model):
    """Whatever class first defines save()/delete() for the model is AuditedModel or one of its
    subclasses (which then extend it), never a base placed before it in the MRO."""
    for name in ("save", "delete"):
        assert issubclass(_first_definer(model, name), AuditedModel), (model, name)


def _entries(**lookup) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**lookup).order_by("seq"))


@pytest.mark.parametrize("format_key", sorted(EXPORT_FORMATS))
def test_every_position_export_format_writes_an_entry(station, zs_admin, login, format_key):
    client = login(zs_admin.user)
    r = client.get("/staff/positions/export/", {"format": format_key})
    assert r.status_code == 200
    (entry,) = _entries(action=AuditAction.EXPORT, object_type="positions.position")
    assert entry.after["format"] == format_key and entry.after["count"] == 1
    assert entry.actor_id == zs_admin.user.pk and entry.unit_path == zs_admin.unit.path
    r = client.get("/api/v1/positions/export", {"format": format_key})
    assert r.status_code == 200
    assert len(_entries(action=AuditAction.EXPORT, object_type="positions.position")) == 2


def test_the_unit_export_writes_an_entry(dalian_map, zs_admin, login):
    r = login(zs_admin.user).get("/staff/units/export.xlsx")
    assert r.status_code == 200
    (entry,) = _entries(action=AuditAction.EXPORT, object_type="orgs.unit")
    assert entry.actor_id == zs_admin.user.pk


def test_role_grants_and_revocations_write_entries(dalian_map, make_actor):
    security = make_actor(Role.SECURITY_ADMIN, dalian_map["city"])
    user = UserFactory(username="li")
    membership = org_services.membership_grant(
        actor=security, user=user, unit=dalian_map["zs"], role=Role.STATION_MANAGER
    )
    (grant,) = _entries(action=AuditAction.CREATE, object_type="orgs.membership", object_id=str(membership.pk))
    assert grant.after["role"] == Role.STATION_MANAGER and grant.after["user_id"] == user.pk
    org_services.membership_revoke(actor=security, membership=membership)
    (revoke,) = _entries(action=AuditAction.DELETE, object_type="orgs.membership", object_id=str(membership.pk))
    assert revoke.before["role"] == Role.STATION_MANAGER
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert audit_verify().ok
