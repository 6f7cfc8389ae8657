"""What each role may do with social organisations and their service projects (spec §1, §9)."""

from yizhan.core.roles import Action, Role, register_permissions

ADMIN_ALL = frozenset({Action.VIEW, Action.CREATE, Action.UPDATE})

PERMISSIONS = {
    # The union that contacts an organisation registers and edits it; the organisation's own account
    # reads and edits its profile (scope: its own organisations only, models.SocialOrganisation.scope_q).
    "projects.socialorganisation": {
        Role.FEDERATION_ADMIN: ADMIN_ALL,
        Role.UNIT_ADMIN: ADMIN_ALL,
        Role.SOCIAL_ORG: frozenset({Action.VIEW, Action.UPDATE}),
    },
    # Unions publish projects and move them (operate); organisations read the published ones.
    "projects.serviceproject": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.OPERATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.OPERATE}),
        Role.SOCIAL_ORG: frozenset({Action.VIEW}),
    },
    # Organisations apply (create); the union checks qualification (update).
    "projects.application": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.UPDATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.UPDATE}),
        Role.SOCIAL_ORG: frozenset({Action.VIEW, Action.CREATE}),
    },
    "projects.performancereport": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW}),
        Role.SOCIAL_ORG: frozenset({Action.VIEW, Action.CREATE}),
    },
    # The city federation scores excellent projects and pays their subsidies (source 004 三(三)).
    "projects.scoresheet": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW}),
    },
    "projects.subsidypayment": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW}),
    },
}

register_permissions(PERMISSIONS)
