"""What each role may do in the service-centre acceptance (spec §1, §8)."""

from yizhan.core.roles import Action, Role, register_permissions

PERMISSIONS = {
    # The federation opens the yearly round; every unit inside it reads it.
    "centres.acceptanceround": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW}),
    },
    # Units self-check and file (update, operate); the federation's working group reviews and grades
    # (the moves only it may take are limited by role in choices.ACCEPTANCE_FLOW).
    "centres.application": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.OPERATE, Action.EXPORT}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.OPERATE, Action.EXPORT}),
    },
    "centres.modelcentre": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
    },
}

register_permissions(PERMISSIONS)
