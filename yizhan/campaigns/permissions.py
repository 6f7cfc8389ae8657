"""What each role may do in nomination campaigns (spec §1, §7), registered at start-up.

The federation runs a campaign (operate: its steps and moves); a unit admin reads it, registers
review-group members and nominates its positions (operate: submit, withdraw); a reviewer reads
the campaign and what is assigned to them and records the verification (update). The public lodges
objections through `services.objection_submit` (no account)."""

from yizhan.core.roles import Action, Role, register_permissions

PERMISSIONS = {
    "campaigns.campaign": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.EXPORT, Action.OPERATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.EXPORT}),
        Role.REVIEWER: frozenset({Action.VIEW}),
    },
    # Annex 1: computed, adjusted (update) and published by the federation; each unit reads its row
    # and submits its sealed summary on it (update by the unit: `services.nominations_submit`).
    "campaigns.quota": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.EXPORT}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.UPDATE, Action.EXPORT}),
    },
    # Annex 2: units register their members (create, update before the deadline); the federation
    # confirms the group (update) and removes a registration (delete).
    "campaigns.reviewmember": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.DELETE, Action.EXPORT}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.DELETE, Action.EXPORT}),
        Role.REVIEWER: frozenset({Action.VIEW, Action.UPDATE}),
    },
    "campaigns.reviewmeeting": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
    },
    # Annexes 3 and 4: a unit nominates (create), edits its draft (update), submits and withdraws
    # (operate); the federation decides (operate); a reviewer reads the ones assigned to them.
    "campaigns.nomination": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.UPDATE, Action.EXPORT, Action.OPERATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.EXPORT, Action.OPERATE}),
        Role.REVIEWER: frozenset({Action.VIEW}),
    },
    # On-site verification: assigned by the federation (create, delete); recorded by the member it
    # is assigned to (update), or by the federation from a paper sheet.
    "campaigns.reviewassignment": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.DELETE}),
        Role.REVIEWER: frozenset({Action.VIEW, Action.UPDATE}),
    },
    # Objections carry a contact (personal data): only the federation that answers them reads them.
    "campaigns.objection": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.UPDATE}),
    },
    "campaigns.honour": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.UPDATE, Action.EXPORT}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.EXPORT}),
        Role.STATION_MANAGER: frozenset({Action.VIEW}),
    },
}

register_permissions(PERMISSIONS)
