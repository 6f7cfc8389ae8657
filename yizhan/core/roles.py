"""Roles of spec §1 and what each may do, declared once.

`PERMISSIONS` maps a model label to the actions each role may take on records of that model; each
app declares its own models' rows in its `permissions.py` and registers them at start-up.
Where a role may act is its *reach* (`ROLE_REACH`): the subtree of the unit it is attached to,
or that unit alone. Scoping (`yizhan.core.scoping`) combines both; nothing else decides access.
A model missing from `PERMISSIONS` is closed to everyone.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FEDERATION_ADMIN = "federation_admin", _("总工会管理员")
    UNIT_ADMIN = "unit_admin", _("单位管理员")
    STATION_MANAGER = "station_manager", _("站长")
    REVIEWER = "reviewer", _("评议小组成员")
    SOCIAL_ORG = "social_org", _("社会组织")
    AUDITOR = "auditor", _("审计管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


# 三员分立: the separated system roles hold no power over business data.
SEPARATED_ROLES = frozenset({Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN})
# Roles that may only be held at a federation unit (city or provincial federation).
FEDERATION_ONLY_ROLES = frozenset({Role.FEDERATION_ADMIN})


class Action(models.TextChoices):
    VIEW = "view", _("查看")
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    EXPORT = "export", _("导出")
    OPERATE = "operate", _("变更运营状态")


class Reach(models.TextChoices):
    SUBTREE = "subtree", _("本单位及下级")
    OWN_UNIT = "own_unit", _("仅本单位")


ROLE_REACH = {
    Role.FEDERATION_ADMIN: Reach.SUBTREE,
    Role.UNIT_ADMIN: Reach.SUBTREE,
    Role.STATION_MANAGER: Reach.OWN_UNIT,
    Role.REVIEWER: Reach.OWN_UNIT,
    Role.SOCIAL_ORG: Reach.OWN_UNIT,
    Role.AUDITOR: Reach.SUBTREE,
    Role.SECURITY_ADMIN: Reach.SUBTREE,
    Role.SYSTEM_ADMIN: Reach.SUBTREE,
}

READ = frozenset({Action.VIEW, Action.EXPORT})
VIEW = frozenset({Action.VIEW})

# model label → role → actions. Filled at start-up: each app registers the models it owns
# (`register_permissions`, called from its AppConfig.ready()); the kernel knows no domain model.
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {}

PERMISSIONS_TWICE = "permissions of {label} are declared twice"
UNKNOWN_ROLE = "permissions of {label} name an unknown role {role!r}"
UNKNOWN_ACTION = "permissions of {label} name an unknown action {action!r}"


def register_permissions(table: dict[str, dict[str, frozenset[str]]]) -> None:
    """Declare what each role may do with the models of one app (model label → role → actions).
    A model is declared once, by the app that owns it; unknown roles or actions are refused at
    start-up rather than silently granting nothing."""
    for label, grants in table.items():
        declared = {role: frozenset(actions) for role, actions in grants.items()}
        if PERMISSIONS.get(label) == declared:
            continue  # the same declaration again: AppConfig.ready() may run twice (Django's docs)
        if label in PERMISSIONS:
            raise ValueError(PERMISSIONS_TWICE.format(label=label))
        for role, actions in grants.items():
            if role not in Role.values:
                raise ValueError(UNKNOWN_ROLE.format(label=label, role=role))
            for action in actions:
                if action not in Action.values:
                    raise ValueError(UNKNOWN_ACTION.format(label=label, action=action))
        PERMISSIONS[label] = {role: frozenset(actions) for role, actions in grants.items()}


# Background jobs (core/jobs): every role may start the kinds its role allows (each kind names
# the permission it needs besides), follow them, cancel them (operate) and run a failed one again
# (create). Which jobs a role sees is `Job.scope_q`: its own, and for the admins their reach's.
JOB_ACTIONS = frozenset({Action.VIEW, Action.CREATE, Action.OPERATE})

# The kernel's own models: the audit log is read by auditors only; nobody writes it except the
# application itself. Jobs: see JOB_ACTIONS.
CORE_PERMISSIONS = {
    "core.auditentry": {
        Role.AUDITOR: READ,
    },
    "core.job": dict.fromkeys(Role, JOB_ACTIONS),
}


def allowed(role: str, action: str, model_label: str) -> bool:
    """Whether `role` may take `action` on records of `model_label` (before scope is applied)."""
    return action in PERMISSIONS.get(model_label, {}).get(role, frozenset())
