"""Roles of spec §1 and what each may do, declared once.

`PERMISSIONS` maps a model label to the actions each role may take on records of that model.
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

_READ = frozenset({Action.VIEW, Action.EXPORT})
_VIEW = frozenset({Action.VIEW})
# Least privilege: only actions some page, API call or command takes (units have no lifecycle).
_UNIT_ADMIN = frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.DELETE, Action.EXPORT})

PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    # Union units: admins manage their subtree; everyone else on staff may look.
    "orgs.unit": {
        Role.FEDERATION_ADMIN: _UNIT_ADMIN,
        Role.UNIT_ADMIN: _UNIT_ADMIN,
        Role.STATION_MANAGER: _VIEW,
        Role.REVIEWER: _VIEW,
        Role.AUDITOR: _READ,
        Role.SECURITY_ADMIN: _READ,
        Role.SYSTEM_ADMIN: _READ,
    },
    # Accounts and role grants are the security admin's alone (三员分立).
    "orgs.membership": {
        Role.SECURITY_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.DELETE}),
        Role.AUDITOR: _VIEW,
    },
    # Positions are never deleted (delisting keeps them); station managers run their unit's ones.
    "positions.position": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.EXPORT, Action.OPERATE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.CREATE, Action.UPDATE, Action.EXPORT, Action.OPERATE}),
        Role.STATION_MANAGER: frozenset({Action.VIEW, Action.OPERATE}),
        Role.REVIEWER: _VIEW,
        Role.AUDITOR: _READ,
        Role.SECURITY_ADMIN: _VIEW,
        Role.SYSTEM_ADMIN: _VIEW,
    },
    # Public feedback (spec §6) carries personal data (an optional phone, spec §11): only the roles
    # that handle and reply to it read it — the position's unit (station manager) and the admins
    # above. Nobody on staff creates it (the public submits through
    # ledger.services.feedback_submit); update is handling it and revealing the phone to reply.
    # A submitter's request for a copy of their data (export) or its deletion (delete: the phone,
    # address key and text anonymised) is answered by the admins (ledger.services.feedback_subject_*).
    "ledger.feedback": {
        Role.FEDERATION_ADMIN: frozenset({Action.VIEW, Action.UPDATE, Action.EXPORT, Action.DELETE}),
        Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.UPDATE, Action.EXPORT, Action.DELETE}),
        Role.STATION_MANAGER: frozenset({Action.VIEW, Action.UPDATE}),
    },
    # The audit log is read by auditors only; nobody writes it except the application itself.
    "core.auditentry": {
        Role.AUDITOR: _READ,
    },
}


def allowed(role: str, action: str, model_label: str) -> bool:
    """Whether `role` may take `action` on records of `model_label` (before scope is applied)."""
    return action in PERMISSIONS.get(model_label, {}).get(role, frozenset())
