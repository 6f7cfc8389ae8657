"""What each role may do with standards (issue 16 §1), registered at start-up.

The federation admin keeps its federation's standards: reads them, opens a draft of the next
version (create) and edits and publishes it (update). The auditor reads them. Versions and items
are the standard's records (`scope_permissions_from`). Nothing is deleted.

Assessments of positions are recorded (create) and read by the federation admin and the unit
admins above the position (a district admin cannot assess another district's positions); the
auditor reads them. Answers and star-rating records are the assessment's records; a rating is
made (create) by the same roles through the rating service."""

from yizhan.core.roles import VIEW, Action, Role, register_permissions

PERMISSIONS = {
    "standards.standard": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
        Role.AUDITOR: VIEW,
    },
    "standards.assessment": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
        Role.AUDITOR: VIEW,
    },
}

register_permissions(PERMISSIONS)
