"""The inventory of personal information in Yizhan (PIPL; spec §11): every field that holds it,
declared once, with its kind, its mask, the roles that see it in full, where it may be revealed,
what the audit chain keeps of it, and how long it is kept. Fields that look personal by name but
are not (places, organisations, a position's public contact phone) are declared in
`NOT_PERSONAL` with the reason. Each app declares the fields of its own models in its
`personal_data.py` (registered at start-up by its AppConfig); `core/tests/test_personal_data.py`
walks every model of every installed app and fails on a field that looks personal and is declared in neither list.

Views, exports and the API mask through `shown()` (or a field's `mask`) so that the rule for a
field lives here and nowhere else. Staff views mask by default; a role named in `revealed_to`
sees the full values through `personal_data_reveal()`, which writes an audit entry (spec §11).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.masking import looks_masked, mask_ip, mask_name
from yizhan.core.models import AuditAction
from yizhan.core.roles import Role
from yizhan.core.scoping import Actor


class Kind(models.TextChoices):
    PERSON_NAME = "person_name", _("姓名")
    PHONE = "phone", _("电话号码")
    EMAIL = "email", _("电子邮箱")
    ACCOUNT = "account", _("账号名")
    IP_ADDRESS = "ip_address", _("IP 地址")
    DEVICE = "device", _("设备与浏览器信息")
    FREE_TEXT = "free_text", _("自由填写的文字")
    PSEUDONYM = "pseudonym", _("假名化标识")


ALL_STAFF = frozenset(Role)
ADMINS = frozenset({Role.FEDERATION_ADMIN, Role.UNIT_ADMIN})
AUDITORS = frozenset({Role.AUDITOR})
NOBODY: frozenset[str] = frozenset()

AUDIT_RETENTION = _("审计日志保存期限（YIZHAN_AUDIT_RETENTION_DAYS，至少 180 天）届满后可由 audit-purge 清理")
REVEAL_REFUSED = _("您的角色不能查看完整的个人信息")


@dataclass(frozen=True)
class PersonalField:
    model: str  # app_label.modelname, as Model._meta.label_lower
    field: str
    kind: str
    mask: Callable[[str], str]
    # Roles that see the value in full wherever they see the record; everyone else sees `mask`.
    shown_to: frozenset[str]
    retention: str
    # Where a role outside `shown_to` may see the full value through an audited reveal ...
    reveal: str = ""
    # ... and which roles may (within their data scope; `personal_data_reveal`).
    revealed_to: frozenset[str] = frozenset()
    # Whether audit snapshots keep the value masked (it must be erasable before the chain is purged).
    audit_masked: bool = False


@dataclass(frozen=True)
class NotPersonal:
    model: str
    field: str
    reason: str


# The inventory, filled at start-up: each app declares the fields of the models it owns in its
# `personal_data.py` and registers them (`register_personal_data`); the kernel declares its own.
PERSONAL_FIELDS: list[PersonalField] = []
NOT_PERSONAL: list[NotPersonal] = []
_BY_FIELD: dict[tuple[str, str], PersonalField] = {}
# model label → ((field, mask), …) of the fields the audit chain keeps masked.
_AUDIT_MASKS: dict[str, tuple[tuple[str, Callable[[str], str]], ...]] = {}

DECLARED_TWICE = "personal-data entry {model}.{field} is declared twice"


def register_personal_data(fields: Iterable[PersonalField] = (), not_personal: Iterable[NotPersonal] = ()) -> None:
    """Add one app's entries to the inventory: its personal fields and the fields that look
    personal but are not (with the reason). A field is declared once."""
    declared = {(e.model, e.field) for e in (*PERSONAL_FIELDS, *NOT_PERSONAL)}
    known = {*PERSONAL_FIELDS, *NOT_PERSONAL}
    for entry in (*fields, *not_personal):
        if entry in known:
            continue  # the same declaration again: AppConfig.ready() may run twice (Django's docs)
        if (entry.model, entry.field) in declared:
            raise ValueError(DECLARED_TWICE.format(model=entry.model, field=entry.field))
        declared.add((entry.model, entry.field))
        if isinstance(entry, NotPersonal):
            NOT_PERSONAL.append(entry)
            continue
        PERSONAL_FIELDS.append(entry)
        _BY_FIELD[(entry.model, entry.field)] = entry
        if entry.audit_masked:
            _AUDIT_MASKS[entry.model] = (*_AUDIT_MASKS.get(entry.model, ()), (entry.field, entry.mask))


MASKED_INPUT = _(
    "“{label}”是打码显示的值“{value}”，不能保存：请填写完整内容；不修改此项时请不要提交它（导入文件可删去此列）"
)


def masked_input_problem(model: type[models.Model], *, field: str, value) -> str:
    """Why `value` may not be stored in `model.field` (spec §11), or "": a masked value (张**,
    138****5678) copied back from a view, an API answer or an export would overwrite the full one."""
    if personal_field(model._meta.label_lower, field) is None or not looks_masked(value):
        return ""
    return MASKED_INPUT.format(label=model._meta.get_field(field).verbose_name, value=value)


def masked_input_check(obj: models.Model) -> None:
    """Refuse (ApplicationError naming the field) an inventoried personal field of `obj` holding a
    masked value; services call it before saving."""
    label = obj._meta.label_lower
    for field in [entry.field for entry in PERSONAL_FIELDS if entry.model == label]:
        if problem := masked_input_problem(type(obj), field=field, value=getattr(obj, field)):
            raise ApplicationError(problem, field=field)


def personal_field(model_label: str, field: str) -> PersonalField | None:
    """The inventory entry of a field, or None when it holds no personal information."""
    return _BY_FIELD.get((model_label, field))


def shown(actor: Actor | None, obj: models.Model, field: str) -> str:
    """The value of `obj.field` as `actor` may see it: in full for the roles of its entry,
    masked for everyone else (and for anyone without a role). Fields outside the inventory are
    returned as they are."""
    value = getattr(obj, field)
    entry = personal_field(obj._meta.label_lower, field)
    if entry is None or (actor is not None and actor.role in entry.shown_to):
        return value
    return entry.mask(value)


def masked_fields(actor: Actor | None, model: type[models.Model]) -> list[str]:
    """The personal fields of `model` that `actor` does not see in full (for views that can only
    leave a field out, such as the read-only admin)."""
    role = actor.role if actor is not None else None
    label = model._meta.label_lower
    return [entry.field for entry in PERSONAL_FIELDS if entry.model == label and role not in entry.shown_to]


def revealable_fields(actor: Actor | None, model: type[models.Model]) -> list[str]:
    """The personal fields of `model` that `actor`'s role may reveal (spec §11), in inventory order."""
    role = actor.role if actor is not None else None
    label = model._meta.label_lower
    return [entry.field for entry in PERSONAL_FIELDS if entry.model == label and role in entry.revealed_to]


def personal_data_reveal(*, actor: Actor, obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, str]:
    """The full values of `obj`'s personal fields (all those `actor` may reveal, or the given ones),
    with one audit entry naming the object and the revealed fields, never their values (spec §11:
    staff views mask by default; revealing needs a permission and writes an audit entry). Fields
    left empty are returned but reveal nothing, so they are not recorded. Refused for a role the
    inventory does not name. The caller fetched `obj` within the actor's scope (404 outside it)."""
    # The audit chain masks its snapshots through this module, so it is imported here.
    from yizhan.core.audit import audit_record

    allowed = revealable_fields(actor, type(obj))
    wanted = allowed if fields is None else [field for field in allowed if field in set(fields)]
    if not allowed or (fields is not None and len(wanted) != len(set(fields))):
        raise PermissionDeniedError(REVEAL_REFUSED)
    values = {field: getattr(obj, field) for field in wanted}
    revealed = [field for field, value in values.items() if value]
    if revealed:
        audit_record(action=AuditAction.REVEAL, obj=obj, after={"revealed": revealed})
    return values


# The kernel's own: the audit chain records who acted and from where, read by auditors only.
register_personal_data(
    (
        PersonalField(
            "core.auditentry", "actor_name", Kind.ACCOUNT, mask_name, frozenset({Role.AUDITOR}), AUDIT_RETENTION
        ),
        PersonalField(
            "core.auditentry", "remote_addr", Kind.IP_ADDRESS, mask_ip, frozenset({Role.AUDITOR}), AUDIT_RETENTION
        ),
        PersonalField("core.job", "owner_name", Kind.ACCOUNT, mask_name, ALL_STAFF, _("随任务记录保存")),
        PersonalField(
            "core.job", "remote_addr", Kind.IP_ADDRESS, mask_ip, frozenset({Role.AUDITOR}), _("随任务记录保存")
        ),
    ),
    (
        NotPersonal("core.auditentry", "unit_name", _("工会单位名称")),
        NotPersonal("core.auditentry", "actor_id", _("账号编号（账号的个人信息见 orgs.user）")),
        # Background jobs: who started one is named as in the audit chain; the queue's rows hold
        # no one's data.
        NotPersonal("core.job", "unit_name", _("工会单位名称")),
        NotPersonal("core.job", "result_filename", _("任务结果文件名（系统生成）")),
        NotPersonal("django_tasks_database.dbtaskresult", "queue_name", _("任务队列名称")),
        NotPersonal("django_tasks_database.dbtaskresult", "backend_name", _("任务后端名称")),
    ),
)


def audit_masked(model_label: str, snapshot: dict) -> dict:
    """An audit snapshot with the fields declared `audit_masked` masked: what the append-only
    chain keeps of personal data (spec §11: auditors read changes, not the data itself; it must be
    erasable before the chain is purged). A value already masked is kept as it is (masking twice
    would hide more of it than the mask does)."""
    for field, mask in _AUDIT_MASKS.get(model_label, ()):
        if field in snapshot and not looks_masked(snapshot[field]):
            snapshot[field] = mask(snapshot[field])
    return snapshot
