"""What each role may do with grants and self-evaluation reports (spec §1, §7), registered at start-up."""

from yizhan.core.roles import Action, Role, register_permissions

PERMISSIONS = {
    # The federation awards (create: grant_award, called by the campaign's approval) and records the
    # disbursement to the managing unit (update); the managing unit and those above read them.
    "grants.grant": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW}),
    },
    # Uses are recorded by the managing unit (source 000 §五: 各区市县总工会和基层工会管理并使用);
    # the federation supervises them (read only).
    "grants.grantuse": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE}),
    },
    # The federation asks for the reports with a due date (create); each unit writes and submits its own
    # (update); both print the PDF (export).
    "grants.selfevaluation": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.EXPORT}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.UPDATE, Action.EXPORT}),
    },
}

register_permissions(PERMISSIONS)
