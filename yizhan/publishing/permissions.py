"""What each role may do with partners and their keys (issue 20 §3) and with map-platform
markings (§4), registered at start-up.

The federation admin registers partners within its federation, edits them, issues and revokes
their keys (an update of the partner); the auditor reads them. Keys and their usage are the
partner's records (`scope_permissions_from`). Nothing is deleted: a revoked key stays, with the
audit entries of its accesses."""

from yizhan.core.roles import VIEW, Action, Role, register_permissions

PERMISSIONS = {
    "publishing.partner": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
        Role.AUDITOR: VIEW,
    },
    # Marking on map platforms: the admins of a unit export its difference and record the upload.
    "publishing.mapmarking": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.EXPORT}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.EXPORT}),
        Role.AUDITOR: VIEW,
    },
}

register_permissions(PERMISSIONS)
