"""What each role may do with union units and role grants (spec §1), registered at start-up."""

from yizhan.core.roles import READ, VIEW, Action, Role, register_permissions

# Least privilege: only actions some page, API call or command takes (units have no lifecycle).
UNIT_ADMIN = frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.DELETE, Action.EXPORT})

PERMISSIONS = {
    # Union units: admins manage their subtree; everyone else on staff may look.
    "orgs.unit": {
        Role.FEDERATION_ADMIN: UNIT_ADMIN,
        Role.UNIT_ADMIN: UNIT_ADMIN,
        Role.STATION_MANAGER: VIEW,
        Role.REVIEWER: VIEW,
        Role.AUDITOR: READ,
        Role.SECURITY_ADMIN: READ,
        Role.SYSTEM_ADMIN: READ,
    },
    # Accounts and role grants are the security admin's alone (三员分立).
    "orgs.membership": {
        Role.SECURITY_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.DELETE}),
        Role.AUDITOR: VIEW,
    },
}

register_permissions(PERMISSIONS)
