"""The inventory of personal information in Yizhan (PIPL; spec §11): every field that holds it,
declared once, with its kind, its mask, the roles that see it in full, where it may be revealed,
what the audit chain keeps of it, and how long it is kept. Fields that look personal by name but
are not (places, organisations, a position's public contact phone) are declared in
`NOT_PERSONAL` with the reason. `core/tests/test_personal_data.py` walks every model of every
installed app and fails on a field that looks personal and is declared in neither list.

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
from yizhan.core.masking import looks_masked, mask_email, mask_hidden, mask_ip, mask_name, mask_phone
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
WHILE_ACCOUNT = _("账号存续期间；账号记录不删除，停用后保留以对应审计日志")
LOGIN_RECORDS = _("登录失败与锁定记录：锁定期满后不再使用，由安全管理员清理（axes_reset）")
REVEAL_REFUSED = _("您的角色不能查看完整的个人信息")
POSITION_MANAGER_REVEAL = _(
    "阵地详情页“显示完整信息”、修改页（打开即查看）、POST /api/v1/positions/{id}/reveal、"
    "Excel 导出勾选“包含完整联系方式”；限管理员和本阵地站长，记入审计日志"
)
UNIT_CONTACT_REVEAL = _(
    "单位详情页“显示完整信息”、修改页（打开即查看）、POST /api/v1/units/{id}/reveal；限管理员，记入审计日志"
)


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


PERSONAL_FIELDS: tuple[PersonalField, ...] = (
    # Staff accounts (orgs.User): managed by the security admin (accounts page).
    PersonalField("orgs.user", "username", Kind.ACCOUNT, mask_name, ALL_STAFF, WHILE_ACCOUNT),
    PersonalField("orgs.user", "full_name", Kind.PERSON_NAME, mask_name, ALL_STAFF, WHILE_ACCOUNT),
    PersonalField("orgs.user", "first_name", Kind.PERSON_NAME, mask_name, NOBODY, _("不使用（始终为空）")),
    PersonalField("orgs.user", "last_name", Kind.PERSON_NAME, mask_name, NOBODY, _("不使用（始终为空）")),
    # Only the security admin needs an account's email and phone: the audit chain, which auditors
    # read and nobody can edit, keeps them masked.
    PersonalField(
        "orgs.user", "email", Kind.EMAIL, mask_email, frozenset({Role.SECURITY_ADMIN}), WHILE_ACCOUNT, audit_masked=True
    ),
    PersonalField(
        "orgs.user", "phone", Kind.PHONE, mask_phone, frozenset({Role.SECURITY_ADMIN}), WHILE_ACCOUNT, audit_masked=True
    ),
    # A union unit's contact person: work contact data that the unit's administrators need. Staff
    # views mask it for everyone (spec §11); the admins reveal it, audited. The audit chain keeps
    # it masked, so that auditors reading changes do not read it.
    *(
        PersonalField(
            "orgs.unit",
            field,
            kind,
            mask,
            NOBODY,
            _("单位记录存续期间"),
            reveal=UNIT_CONTACT_REVEAL,
            revealed_to=ADMINS,
            audit_masked=True,
        )
        for field, kind, mask in (
            ("contact_name", Kind.PERSON_NAME, mask_name),
            ("contact_phone", Kind.PHONE, mask_phone),
        )
    ),
    # A position's manager (spec §11): published only with recorded consent; masked on staff pages
    # for everyone, revealed (audited) to those who run the position and the admins above it.
    *(
        PersonalField(
            "positions.position",
            field,
            kind,
            mask,
            NOBODY,
            _("阵地记录存续期间；更换管理员时覆盖"),
            reveal=POSITION_MANAGER_REVEAL,
            revealed_to=ADMINS | {Role.STATION_MANAGER},
            audit_masked=True,
        )
        for field, kind, mask in (
            ("manager_name", Kind.PERSON_NAME, mask_name),
            ("manager_phone", Kind.PHONE, mask_phone),
        )
    ),
    PersonalField(
        "positions.positionstatechange", "actor_name", Kind.ACCOUNT, mask_name, ALL_STAFF, _("随阵地永久保存")
    ),
    # Public feedback (spec §6, §11): the phone only to reply, revealed one at a time and audited,
    # anonymised after YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS or at the submitter's request.
    PersonalField(
        "ledger.feedback",
        "phone",
        Kind.PHONE,
        mask_phone,
        NOBODY,
        _("YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS（默认 365 天）后由 feedback-anonymise 清除；提交人可要求删除"),
        reveal=_("意见详情页“显示完整号码”与 POST /api/v1/feedback/{id}/phone，限可处理意见的角色，记入审计日志"),
        revealed_to=ADMINS | {Role.STATION_MANAGER},  # those who may update feedback (ledger.services)
        audit_masked=True,
    ),
    PersonalField(
        "ledger.feedback",
        "text",
        Kind.FREE_TEXT,
        mask_hidden,
        ADMINS | {Role.STATION_MANAGER},
        _("意见记录存续期间；提交人要求删除时清除（评分保留），审计日志中的原文随审计保存期限清理"),
    ),
    PersonalField(
        "ledger.feedback",
        "client_key",
        Kind.PSEUDONYM,
        mask_hidden,
        NOBODY,
        _("仅用于防刷限流；与电话号码同时清除"),
        audit_masked=True,
    ),
    # The audit chain: who acted and from where, read by auditors only.
    PersonalField("core.auditentry", "actor_name", Kind.ACCOUNT, mask_name, frozenset({Role.AUDITOR}), AUDIT_RETENTION),
    PersonalField(
        "core.auditentry", "remote_addr", Kind.IP_ADDRESS, mask_ip, frozenset({Role.AUDITOR}), AUDIT_RETENTION
    ),
    # Login lockout records (django-axes) and second-factor devices (django-otp).
    *(
        PersonalField(f"axes.{model}", field, kind, mask, frozenset({Role.SECURITY_ADMIN}), LOGIN_RECORDS)
        for model in ("accessattempt", "accessfailurelog", "accesslog")
        for field, kind, mask in (
            ("username", Kind.ACCOUNT, mask_name),
            ("ip_address", Kind.IP_ADDRESS, mask_ip),
            ("user_agent", Kind.DEVICE, mask_hidden),
            ("http_accept", Kind.DEVICE, mask_hidden),
        )
    ),
)

NOT_PERSONAL: tuple[NotPersonal, ...] = (
    NotPersonal(
        "positions.position", "public_phone", _("阵地对外联系电话，按规范第 11 节公开（机构电话，非个人号码）")
    ),
    NotPersonal("positions.position", "official_name", _("阵地名称")),
    NotPersonal("positions.position", "short_name", _("阵地简称")),
    NotPersonal("positions.position", "address", _("阵地地址（场所，非个人住址）")),
    NotPersonal("orgs.unit", "name", _("工会单位名称")),
    NotPersonal("orgs.unit", "address", _("工会单位办公地址")),
    NotPersonal("orgs.region", "name", _("行政区划名称")),
    NotPersonal("core.auditentry", "unit_name", _("工会单位名称")),
    NotPersonal("core.auditentry", "actor_id", _("账号编号（账号的个人信息见 orgs.user）")),
    NotPersonal("positions.positionstatechange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
    NotPersonal("auth.group", "name", _("权限组名称（未使用）")),
    NotPersonal("auth.permission", "name", _("权限名称")),
    NotPersonal("auth.permission", "codename", _("权限代码")),
    NotPersonal("otp_totp.totpdevice", "name", _("验证器名称（系统命名）")),
    NotPersonal("otp_static.staticdevice", "name", _("恢复码设备名称（系统命名）")),
)

_BY_FIELD = {(entry.model, entry.field): entry for entry in PERSONAL_FIELDS}


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


# model label → ((field, mask), …) of the fields the audit chain keeps masked.
_AUDIT_MASKS: dict[str, tuple[tuple[str, Callable[[str], str]], ...]] = {}
for _entry in PERSONAL_FIELDS:
    if _entry.audit_masked:
        _AUDIT_MASKS[_entry.model] = (*_AUDIT_MASKS.get(_entry.model, ()), (_entry.field, _entry.mask))


def audit_masked(model_label: str, snapshot: dict) -> dict:
    """An audit snapshot with the fields declared `audit_masked` masked: what the append-only
    chain keeps of personal data (spec §11: auditors read changes, not the data itself; it must be
    erasable before the chain is purged). A value already masked is kept as it is (masking twice
    would hide more of it than the mask does)."""
    for field, mask in _AUDIT_MASKS.get(model_label, ()):
        if field in snapshot and not looks_masked(snapshot[field]):
            snapshot[field] = mask(snapshot[field])
    return snapshot
