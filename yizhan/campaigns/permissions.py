"""What each role may do in nomination campaigns (spec §1, §7), registered at start-up.

The federation runs a campaign (create; update: its steps and its quota table; operate: its
moves); a unit admin reads it, registers review-group members and nominates its positions
(create, update its drafts; operate: submit, withdraw, and the unit's submission of the summary);
a reviewer reads the campaign and what is assigned to them, declares conflicts and records the
verification (update). The public lodges objections through `services.objection_submit` (no
account). Only actions a page or the API offers are granted (the scope matrix probes each)."""

from yizhan.core.roles import Action, Role, register_permissions

PERMISSIONS = {
    "campaigns.campaign": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.OPERATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW}),
        Role.REVIEWER: frozenset({Action.VIEW}),
    },
    # Annex 1: computed with the campaign (its update), adjusted by the federation (update); each
    # unit reads its own row.
    "campaigns.quota": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.UPDATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW}),
    },
    # Annex 2: units register their members before the deadline (create); the federation confirms
    # the group (update); a member declares their conflicts of interest (update, their own row).
    "campaigns.reviewmember": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
        Role.REVIEWER: frozenset({Action.VIEW, Action.UPDATE}),
    },
    "campaigns.reviewmeeting": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
    },
    # Annexes 3 and 4: a unit nominates (create), edits its draft (update), submits and withdraws
    # (operate); the federation decides (operate) and may enter a unit's nomination received on
    # paper (create); a reviewer reads the ones assigned to them.
    "campaigns.nomination": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.OPERATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.OPERATE}),
        Role.REVIEWER: frozenset({Action.VIEW}),
    },
    # On-site verification: assigned by the federation (create); recorded by the member it is
    # assigned to (update), or by the federation from a paper sheet.
    "campaigns.reviewassignment": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
        Role.REVIEWER: frozenset({Action.VIEW, Action.UPDATE}),
    },
    # Objections carry a contact (personal data): only the federation that answers them reads them.
    "campaigns.objection": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.UPDATE}),
    },
    # Honours are public (the station page); staff read them with the campaign, and the federation
    # records the plaque as issued (update).
    "campaigns.honour": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.UPDATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW}),
    },
}

register_permissions(PERMISSIONS)
