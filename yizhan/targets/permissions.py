"""What each role may do with targets and reported figures (spec §1, §8).

A federation admin sets targets for any unit of its subtree, its own included. A unit admin reads
the targets of its unit and the units below it and sets targets for the units below it only (its
own unit's targets are set from above): the rule is in services._check_target_unit, the role table
here gives both the actions. Both report figures for their subtree (enterprises covered)."""

from yizhan.core.roles import Action, Role, register_permissions

MANAGE = frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.DELETE})
REPORT = frozenset({Action.VIEW, Action.CREATE})

PERMISSIONS = {
    "targets.target": {Role.FEDERATION_ADMIN: MANAGE, Role.UNIT_ADMIN: MANAGE},
    "targets.reportedfigure": {Role.FEDERATION_ADMIN: REPORT, Role.UNIT_ADMIN: REPORT},
}

register_permissions(PERMISSIONS)
