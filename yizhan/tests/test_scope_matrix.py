"""Every role × unit relation × channel × action on every scoped model (issue 2 "Data scope",
issue 5 "permission matrix"), generated from one declaration per model (its ScopeCase), with
guards so that a new model, or a new permitted action, cannot be left out of the matrix."""

import pytest
from django.apps import apps
from django.utils.module_loading import import_string

from yizhan.core.roles import PERMISSIONS, Role
from yizhan.orgs.testing.scope_matrix import PROBE_ACTIONS, RELATIONS, matrix_params, run_row

# A context adds its models to the matrix by listing its scope_cases module here.
CASE_MODULES = [
    "yizhan.orgs.tests.scope_cases",
    "yizhan.tests.scope_cases_core",
    "yizhan.positions.tests.scope_cases",
    "yizhan.ledger.tests.scope_cases",
    "yizhan.coverage.tests.scope_cases",
    "yizhan.publishing.tests.scope_cases",
    "yizhan.standards.tests.scope_cases",
    "yizhan.inspections.tests.scope_cases",
    "yizhan.grants.tests.scope_cases",
    "yizhan.campaigns.tests.scope_cases",
    "yizhan.projects.tests.scope_cases",
    "yizhan.centres.tests.scope_cases",
    "yizhan.targets.tests.scope_cases",
]
CASES = [case for module in CASE_MODULES for case in import_string(f"{module}.CASES")]

# The one exemption list: models of the project's apps that have no ScopeCase, and why. Anything
# a role reaches through a page, the API or the admin must have a case instead.
NOT_IN_MATRIX = {
    "centres.applicationstatechange": "an acceptance application's workflow history, written by its transitions "
    "(the centres.application case's 'operate' probes) and read with the application",
    "centres.checklistitem": "an application's checklist, written with it and through its self-check and review "
    "(the centres.application case's 'update' probe) and read with it; it shares the application's permissions",
    "centres.attachment": "an application's ledgers and photos, uploaded and read through the application (it "
    "shares its permissions and scope; centres/tests/test_http.py); no admin",
    "projects.projectstatechange": "a service project's workflow history, written by its transitions and read "
    "through it (the projects.serviceproject case's 'history' probe; it shares the project's permissions)",
    "core.audithead": "the audit chain's head row, moved by audit_record only; no page, API or admin shows it",
    "core.auditanchor": "written by the audit-purge command only; no page, API or admin shows it",
    "orgs.region": "administrative areas (GB/T 2260) are reference data, the same for every role and read "
    "by all staff; written only by the import-regions command",
    "orgs.passwordhistory": "password hashes kept for the history rule; no page, API or admin reaches them",
    "publishing.publishedposition": "what the public map shows, published to everyone through /api/v1/hsds "
    "(partners' keys narrow it to their subtree); no staff page, API or admin shows the rows",
    "publishing.publicationhead": "the publication's feed number, moved by publishing/publication.py only",
    "publishing.apikey": "a partner's key, issued, listed and revoked through its partner only (the "
    "publishing.partner case's detail and update probes); no admin",
    "publishing.mappoint": "a platform's points as last marked, read and written through the unit's map "
    "markings (the publishing.mapmarking case); no page, API or admin lists them",
    "publishing.apikeyusage": "a key's request counters, shown on its partner's page only (the partner case's "
    "detail probe); no admin",
    "standards.standardversion": "a standard's versions, read, drafted and published through their standard "
    "(the standards.standard case's detail, create and update probes); no admin",
    "standards.standarditem": "a version's items, read and edited through their standard's versions (the "
    "standards.standard case); no admin",
    "standards.assessmentanswer": "an assessment's answers, written with it and read through it (the "
    "standards.assessment case's detail probe); no admin",
    "standards.starratingrecord": "a station's rating history, written by the rating service and read through "
    "its position (the standards.assessment case's 'history' probe); it shares the assessment's permissions",
    "standards.servicefailure": "an inspection's finding that a station cannot provide normal service, written "
    "by service_failure_record for the position's scope (checked by get_for_actor; test_assessments) and read "
    "by ratings_review only; no page, API or admin shows the rows",
    "standards.ratingpolicyversion": "a federation's star-rating policy, written by the services only (no page, "
    "API or admin yet); it shares the standards.standard permissions, whose case probes them",
    "standards.answerphoto": "an answer's evidence photos, written with the assessment (assessment_record) and "
    "shown on its page only (the standards.assessment case's detail probe; standards/tests/test_pages.py); "
    "no API or admin",
    "inspections.inspectionassignment": "an inspection's assigned inspectors (the mutual-check grant), written "
    "with it and read through it (the inspections.inspection case's detail probe; the grant in "
    "inspections/tests/services/test_inspection.py); no admin",
    "inspections.inspectionfinding": "an inspection's findings, written through its 'update' probe and read "
    "through its detail; no admin",
    "inspections.inspectionstatechange": "an inspection's workflow history, written by its transitions and read "
    "through it (the inspections.inspection case's 'history' probe)",
    "inspections.rectificationevidence": "a rectification's photos, written by its 'operate' probe (submit) and "
    "read through its detail; no admin",
    "inspections.rectificationstatechange": "a rectification's workflow history, read through it (the "
    "inspections.rectification case's 'history' probe)",
    "positions.positionstatechange": "a position's lifecycle history, written by its transitions and read "
    "through the position (the positions.position case's 'history' probe)",
    "campaigns.campaignstep": "a campaign's dated steps, read with the campaign (its detail) and extended "
    "through the campaigns.campaign case's 'update' probe; they share its permissions",
    "campaigns.campaignstatechange": "a campaign's workflow history, written by its transitions (the "
    "campaigns.campaign case's 'operate' probe) and read with the campaign",
    "campaigns.nominationstatechange": "a nomination's workflow history, read through it (the "
    "campaigns.nomination case's 'history' probe)",
    "campaigns.reviewphoto": "a verification's photos, uploaded and read through the verification (it shares "
    "the campaigns.reviewassignment permissions and scope); no admin",
    "ledger.ledgermonth": "the daily ledger's monthly sums, derived state kept by ledger_day_save and read by "
    "ledger_totals only (the ledger.dailyledger case's channels); no page, API or admin shows the rows",
}

# Permitted actions that no channel offers, so no probe can try them, and why. Listed here rather
# than silently skipped: when a channel is added, its probe belongs in the case.
NO_CHANNEL: dict[tuple[str, str], str] = {
    ("grants.grant", "create"): "grants are awarded by the campaign's approval (campaigns.services calling "
    "grants.services.grant_award, tested in grants/tests/services/test_grant_award.py), not by a page or API "
    "of their own",
}


def _project_models() -> set[str]:
    return {m._meta.label_lower for m in apps.get_models() if m.__module__.startswith("yizhan.")}


def test_every_permissioned_model_is_in_the_matrix():
    assert set(PERMISSIONS) <= {case.model for case in CASES}


def test_every_project_model_has_a_case_or_a_reason():
    cased = {case.model for case in CASES}
    assert sorted(_project_models() - cased - set(NOT_IN_MATRIX)) == []
    # The exemptions name real models that really have no case.
    assert set(NOT_IN_MATRIX) <= _project_models()
    assert not cased & set(NOT_IN_MATRIX)
    assert len(cased) == len(CASES), "one case per model"


def test_every_permitted_action_is_probed():
    probed = {case.model: {PROBE_ACTIONS[action] for _, action in case.probes} for case in CASES}
    missing = [
        (model, action)
        for model, grants in PERMISSIONS.items()
        for action in sorted(set().union(*grants.values()))
        if action not in probed.get(model, set()) and (model, action) not in NO_CHANNEL
    ]
    assert missing == []
    # An exemption names an action that is permitted and really has no probe.
    for model, action in NO_CHANNEL:
        assert any(action in grant for grant in PERMISSIONS[model].values())
        assert action not in probed[model]


@pytest.mark.parametrize("case", CASES, ids=[case.model for case in CASES])
def test_each_case_is_well_formed(case):
    """Probe actions say what they exercise; expectations name real roles, probed actions and
    relations (a typo would otherwise expect nothing and pass as 'denied')."""
    assert {action for _, action in case.probes} <= set(PROBE_ACTIONS)
    assert {channel for channel, _ in case.probes} <= {"api", "page", "admin"}
    probed = {action for _, action in case.probes}
    for role, actions in case.expected.items():
        assert role in set(Role)
        assert set(actions) <= probed, (role, set(actions) - probed)
        for relations in actions.values():
            assert relations <= set(RELATIONS)


@pytest.fixture
def media_root(settings, tmp_path):
    """Photos uploaded by probes land in a temporary directory."""
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "role", "relation"), [p for c in CASES for p in matrix_params(c)])
def test_scope_row(case, role, relation, make_unit, media_root):
    run_row(case, role, relation, make_unit)
