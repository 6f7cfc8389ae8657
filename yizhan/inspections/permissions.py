"""What each role may do with inspections (issue 16 §4), registered at start-up.

Inspections and spot-check draws are planned (create), worked on (update: the findings) and moved
along their workflow (operate) by the federation admin and the unit admins of the inspecting unit
and above; the auditor reads them. Rectifications are opened (create) by the admins above the
position and moved (operate) by its owner — the station manager of the position's unit, the
admins above — and by the inspecting unit (accept, send back: admins only, in the workflow's
table). Assignments, findings, evidence and histories are their record's (`scope_permissions_from`).
Nothing is deleted."""

from yizhan.core.roles import VIEW, Action, Role, register_permissions

ADMIN = frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.OPERATE})

PERMISSIONS = {
    "inspections.inspection": {
        Role.FEDERATION_ADMIN: ADMIN,
        Role.UNIT_ADMIN: ADMIN,
        Role.AUDITOR: VIEW,
    },
    "inspections.spotcheckdraw": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
        Role.AUDITOR: VIEW,
    },
    "inspections.rectification": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.OPERATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.OPERATE}),
        Role.STATION_MANAGER: frozenset({Action.VIEW, Action.OPERATE}),
        Role.AUDITOR: VIEW,
    },
}

register_permissions(PERMISSIONS)
