"""What each role may do with service positions (spec §1, §2), registered at start-up."""

from yizhan.core.roles import READ, VIEW, Action, Role, register_permissions

PERMISSIONS = {
    # Positions are never deleted (delisting keeps them); station managers run their unit's ones.
    "positions.position": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.EXPORT, Action.OPERATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.EXPORT, Action.OPERATE}),
        Role.STATION_MANAGER: frozenset({Action.VIEW, Action.OPERATE}),
        Role.REVIEWER: VIEW,
        Role.AUDITOR: READ,
        Role.SECURITY_ADMIN: VIEW,
        Role.SYSTEM_ADMIN: VIEW,
    },
}

register_permissions(PERMISSIONS)
