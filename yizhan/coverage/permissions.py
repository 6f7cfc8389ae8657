"""What each role may do with coverage and siting records (issue 18), registered at start-up.

The admins of a unit work on its demand, candidates, street networks and runs; auditors read them.
Nothing is deleted here yet: a run keeps the inputs it was computed from (PROTECT)."""

from yizhan.core.roles import VIEW, Action, Role, register_permissions

ADMIN_WORK = frozenset({Action.VIEW, Action.CREATE})
ADMIN_RESULTS = frozenset({Action.VIEW, Action.CREATE, Action.EXPORT})

PERMISSIONS = {
    "coverage.demandset": {Role.FEDERATION_ADMIN: ADMIN_WORK, Role.UNIT_ADMIN: ADMIN_WORK, Role.AUDITOR: VIEW},
    "coverage.candidateset": {Role.FEDERATION_ADMIN: ADMIN_WORK, Role.UNIT_ADMIN: ADMIN_WORK, Role.AUDITOR: VIEW},
    "coverage.networkfile": {Role.FEDERATION_ADMIN: ADMIN_WORK, Role.UNIT_ADMIN: ADMIN_WORK, Role.AUDITOR: VIEW},
    "coverage.coveragerun": {Role.FEDERATION_ADMIN: ADMIN_RESULTS, Role.UNIT_ADMIN: ADMIN_RESULTS, Role.AUDITOR: VIEW},
    # Update: turning a siting result into planned positions records them on the run.
    "coverage.sitingrun": {
        Role.FEDERATION_ADMIN: ADMIN_RESULTS | {Action.UPDATE},
        Role.UNIT_ADMIN: ADMIN_RESULTS | {Action.UPDATE},
        Role.AUDITOR: VIEW,
    },
}

register_permissions(PERMISSIONS)
