"""Scope-matrix declarations of standards (see yizhan/orgs/testing/scope_matrix.py).

A standard is probed by the staff API: list, detail, a draft of its next version (create) and the
publication of a draft (update). Versions and items are read and written through their standard
only (test_scope_matrix.NOT_IN_MATRIX). An assessment is probed by the staff API (list, detail,
recording one) and its position's rating history; its answers are read through it."""

from __future__ import annotations

from datetime import date

from yizhan.core.roles import Role
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory
from yizhan.standards.choices import VersionState
from yizhan.standards.models import Assessment, Standard, StandardVersion, StarRatingRecord
from yizhan.standards.services import _draft_create, _publish
from yizhan.standards.tests.factories import StandardFactory, StandardItemFactory, StandardVersionFactory

OWN_AND_BELOW = frozenset({"own", "child"})


def _standard(world: World, relation: str) -> Standard:
    standard = StandardFactory(unit=world.units[relation], code=world.fresh("matrix-"))
    version = StandardVersionFactory(standard=standard, number=1)
    StandardItemFactory(version=version)
    _publish(version)
    return standard


def _api_list(world, standard, relation):
    r = world.client.get("/api/v1/standards")
    return Outcome(r.status_code == 200 and standard.pk in [s["id"] for s in r.json()], r.status_code)


def _api_detail(world, standard, relation):
    r = world.client.get(f"/api/v1/standards/{standard.pk}")
    return Outcome(r.status_code == 200 and r.json()["id"] == standard.pk, r.status_code)


def _api_draft(world, standard, relation):
    r = world.client.post(f"/api/v1/standards/{standard.pk}/drafts", {}, content_type="application/json")
    drafted = standard.versions.filter(state=VersionState.DRAFT).exists()
    return Outcome(r.status_code == 201 and drafted, r.status_code)


def _api_publish(world, standard, relation):
    draft = _draft_create(standard)
    r = world.client.post(f"/api/v1/standards/versions/{draft.pk}/publish")
    published = StandardVersion.objects.get(pk=draft.pk).state == VersionState.PUBLISHED
    return Outcome(r.status_code == 200 and published, r.status_code)


ADMIN = dict.fromkeys(("list", "detail", "create", "update"), OWN_AND_BELOW)

CASES = [
    ScopeCase(
        model="standards.standard",
        make_target=_standard,
        probes={
            ("api", "list"): _api_list,
            ("api", "detail"): _api_detail,
            ("api", "create"): _api_draft,
            ("api", "update"): _api_publish,
        },
        expected={
            Role.FEDERATION_ADMIN: ADMIN,
            Role.UNIT_ADMIN: {},
            Role.STATION_MANAGER: {},
            Role.REVIEWER: {},
            Role.SOCIAL_ORG: {},
            Role.AUDITOR: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW},
            Role.SECURITY_ADMIN: {},
            Role.SYSTEM_ADMIN: {},
        },
    )
]


# ------------------------------------------------------------------ assessments


def _assessment(world: World, relation: str) -> Assessment:
    # The standard belongs to the top of the world, so every position below may be assessed by it.
    standard = StandardFactory(unit=world.units["parent"], code=world.fresh("matrix-assess-"))
    version = StandardVersionFactory(standard=standard, number=1)
    StandardItemFactory(version=version, key="fixed_space")
    _publish(version)
    position = PositionFactory(unit=world.units[relation], state=PositionState.OPERATING)
    assessment = Assessment(
        position=position, version=version, assessed_on=date(2026, 6, 1), applicable=1, met=1, compliance=1
    )
    assessment.save()
    StarRatingRecord(
        position=position,
        period=2026,
        assessment=assessment,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 5, 31),
        inputs={},
        lines=["矩阵"],
        total=0,
        verdict="矩阵",
    ).save()
    return assessment


def _api_assessment_list(world, assessment, relation):
    r = world.client.get("/api/v1/assessments")
    return Outcome(r.status_code == 200 and assessment.pk in [a["id"] for a in r.json()], r.status_code)


def _api_assessment_detail(world, assessment, relation):
    r = world.client.get(f"/api/v1/assessments/{assessment.pk}")
    return Outcome(r.status_code == 200 and r.json()["id"] == assessment.pk, r.status_code)


def _api_rating_history(world, assessment, relation):
    r = world.client.get(f"/api/v1/assessments/positions/{assessment.position_id}/ratings")
    return Outcome(r.status_code == 200 and [x["assessment"] for x in r.json()] == [assessment.pk], r.status_code)


def _api_assessment_create(world, assessment, relation):
    payload = {
        "position": assessment.position_id,
        "version": assessment.version_id,
        "assessed_on": "2026-06-02",
        "answers": {"fixed_space": True},
    }
    r = world.client.post("/api/v1/assessments", payload, content_type="application/json")
    created = Assessment.objects.filter(position_id=assessment.position_id).count() == 2
    return Outcome(r.status_code == 201 and created, r.status_code)


ASSESSORS = dict.fromkeys(("list", "detail", "history", "create"), OWN_AND_BELOW)

CASES.append(
    ScopeCase(
        model="standards.assessment",
        make_target=_assessment,
        probes={
            ("api", "list"): _api_assessment_list,
            ("api", "detail"): _api_assessment_detail,
            ("api", "history"): _api_rating_history,
            ("api", "create"): _api_assessment_create,
        },
        expected={
            Role.FEDERATION_ADMIN: ASSESSORS,
            Role.UNIT_ADMIN: ASSESSORS,
            Role.STATION_MANAGER: {},
            Role.REVIEWER: {},
            Role.SOCIAL_ORG: {},
            Role.AUDITOR: {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "history": OWN_AND_BELOW},
            Role.SECURITY_ADMIN: {},
            Role.SYSTEM_ADMIN: {},
        },
    )
)
