"""What each role may do with ledgers and public feedback (spec §1, §6), registered at start-up."""

from yizhan.core.roles import Action, Role, register_permissions

PERMISSIONS = {
    # Public feedback (spec §6) carries personal data (an optional phone, spec §11): only the roles
    # that handle and reply to it read it — the position's unit (station manager) and the admins
    # above. The public submits through ledger.services.feedback_submit; update is handling it and
    # revealing the phone to reply (the position's own unit only: the handling unit).
    # A submitter's request for a copy of their data (export) or its deletion (delete: the phone,
    # address key and text anonymised) is answered by the admins (ledger.services.feedback_subject_*).
    # Staff type in what came by suggestion box, register or questionnaire (create), and hide
    # abusive text (update: moderation, kept for the audit).
    "ledger.feedback": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.EXPORT, Action.DELETE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.EXPORT, Action.DELETE}),
        Role.STATION_MANAGER: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
    },
    # The daily ledger (spec §1: the station manager keeps their position's ledger; the admins above
    # read it, enter or correct a day for a position without a manager, and upload xlsx files).
    # Days are corrected, never deleted (a correction keeps the earlier figures).
    "ledger.dailyledger": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
        Role.STATION_MANAGER: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
    },
    # Problem reports (spec §2, issue 15 §4) come from the public; the position's station manager
    # and the admins above read and settle them (update), on site or not.
    "ledger.problemreport": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.UPDATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.UPDATE}),
        Role.STATION_MANAGER: frozenset({Action.VIEW, Action.UPDATE}),
    },
    # Activities held at a position or by a unit (spec §6): the unit's station manager and admins
    # register them (with photos) and correct them; everyone above reads them in their roll-ups.
    "ledger.activity": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
        Role.STATION_MANAGER: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE}),
    },
}

register_permissions(PERMISSIONS)
