"""Writes of the orgs context: union units and role memberships (spec §1, issue 2).

Every service takes the acting `Actor`, checks scope and role through `yizhan.core.scoping`, runs in
a transaction and raises `ApplicationError` with a message that can be shown as is.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_record
from yizhan.core.errors import ApplicationError, NotFoundError, from_validation_error
from yizhan.core.models import AuditAction
from yizhan.core.personal_data import masked_input_check
from yizhan.core.roles import FEDERATION_ONLY_ROLES, SEPARATED_ROLES, Action, Role
from yizhan.core.scoping import Actor, require, require_in_scope
from yizhan.orgs.accounts.passwords import password_set_checked
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES, FEDERATION_TYPES, UnitType
from yizhan.orgs.models import Membership, Region, Unit, User
from yizhan.orgs.selectors import ACTIVE_MEMBERSHIP_SESSION_KEY

CODE_TAKEN = _("单位代码“{code}”已被使用")
# A code held by a unit outside the actor's scope: refused (unit codes are unique everywhere)
# without a word on that unit (spec §1: nobody learns what lies outside their scope).
CODE_UNAVAILABLE = _("单位代码“{code}”不可用，请换一个代码")
ROOT_TYPE_ONLY = _("只有省总工会或市总工会可以作为顶级单位")
CHILD_TYPE_NOT_ALLOWED = _("“{parent}”（{parent_type}）下不能设立{child_type}")
CHILD_TYPES_BLOCK_CHANGE = _("下级单位“{child}”（{child_type}）不能隶属于{new_type}")
MOVE_INTO_OWN_SUBTREE = _("不能把单位移到它自己或它的下级单位之下")
MOVE_OWN_UNIT = _("不能移动或删除您当前代表的单位")
DELETE_HAS_CHILDREN = _("“{unit}”还有 {count} 个下级单位，请先移走或删除它们")
DELETE_HAS_RECORDS = _("“{unit}”仍有关联的数据（如用户授权），不能删除")
GRANT_SELF = _("不能给自己授予或撤销角色")
GRANT_FEDERATION_ROLE = _("“{role}”只能授予省总工会或市总工会")
GRANT_UNIT_ADMIN_AT_FEDERATION = _("总工会请授予“总工会管理员”角色")
GRANT_SEPARATION = _("三员分立：系统管理员、安全管理员、审计管理员不能兼任其他角色")
GRANT_DUPLICATE = _("该用户在该单位已有此角色")
USERNAME_TAKEN = _("用户名“{username}”已被使用")
UNKNOWN_FIELDS = _("不能修改字段：{fields}")
UNKNOWN_ROLE = _("未知角色：{role}")

NO_ROLE_AT_UNIT = _("您没有该单位的角色")

UNIT_FIELDS = ("code", "name", "type", "region", "contact_name", "contact_phone", "address")


def _full_clean(obj, *, exclude: tuple[str, ...] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise from_validation_error(error) from error


def _check_child_type(parent: Unit, child_type: str) -> None:
    if child_type not in ALLOWED_CHILD_TYPES[parent.type]:
        raise ApplicationError(
            CHILD_TYPE_NOT_ALLOWED.format(
                parent=parent.name, parent_type=parent.get_type_display(), child_type=UnitType(child_type).label
            ),
            field="type",
        )


def _check_code_free(code: str, *, actor: Actor | None, exclude_pk: int | None = None) -> None:
    """Unit codes are unique everywhere; a code held in the actor's scope (or anywhere, for the
    command line's operator, `actor` None) is named as taken, one held outside it as unavailable."""
    taken = Unit.objects.filter(code=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    holder = taken.values_list("path", flat=True).first()
    if holder is None:
        return
    if actor is None or actor.covers_path(holder):
        raise ApplicationError(CODE_TAKEN.format(code=code), field="code")
    raise ApplicationError(CODE_UNAVAILABLE.format(code=code), field="code")


@transaction.atomic
def federation_create(
    *, code: str, name: str, type: str, region: Region, parent: Unit | None = None, **contact
) -> Unit:
    """Create a top-level federation (or a city federation under a provincial one). Run by the
    system operator from the command line; no web role can create a root."""
    if parent is None and type not in FEDERATION_TYPES:
        raise ApplicationError(ROOT_TYPE_ONLY, field="type")
    _check_code_free(code, actor=None)
    unit = Unit(code=code, name=name, type=type, region=region, **contact)
    masked_input_check(unit)
    _full_clean(unit, exclude=("path", "depth", "numchild"))
    if parent is None:
        return Unit.objects.add_root(instance=unit)
    _check_child_type(parent, type)
    return Unit.objects.add_child(parent, instance=unit)


@transaction.atomic
def unit_create(*, actor: Actor, parent: Unit, code: str, name: str, type: str, region: Region, **contact) -> Unit:
    """Create a unit below `parent`, which must lie in the actor's scope."""
    require(actor, Action.CREATE, Unit)
    # Scope is decided on the stored tree: a caller's copy of `parent` may predate a move or a re-sort.
    parent = Unit.objects.get(pk=parent.pk)
    require_in_scope(actor, parent)
    _check_child_type(parent, type)
    _check_code_free(code, actor=actor)
    unit = Unit(code=code, name=name, type=type, region=region, **contact)
    masked_input_check(unit)
    _full_clean(unit, exclude=("path", "depth", "numchild"))
    try:
        return Unit.objects.add_child(parent, instance=unit)
    except IntegrityError as error:
        # Taken by a save that came between the check and this one: whose is not known here.
        raise ApplicationError(CODE_UNAVAILABLE.format(code=code), field="code") from error


@transaction.atomic
def unit_update(*, actor: Actor, unit: Unit, **changes) -> Unit:
    """Change a unit's own fields (not its place in the tree: see `unit_move`)."""
    require(actor, Action.UPDATE, Unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    require_in_scope(actor, unit)
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise ApplicationError(UNKNOWN_FIELDS.format(fields=", ".join(sorted(unknown))))
    if "code" in changes and changes["code"] != unit.code:
        _check_code_free(changes["code"], actor=actor, exclude_pk=unit.pk)
    new_type = changes.get("type", unit.type)
    if new_type != unit.type:
        parent = Unit.objects.get_parent(unit)
        if parent is None and new_type not in FEDERATION_TYPES:
            raise ApplicationError(ROOT_TYPE_ONLY, field="type")
        if parent is not None:
            _check_child_type(parent, new_type)
        for child in Unit.objects.get_children(unit):
            if child.type not in ALLOWED_CHILD_TYPES[new_type]:
                raise ApplicationError(
                    CHILD_TYPES_BLOCK_CHANGE.format(
                        child=child.name, child_type=child.get_type_display(), new_type=UnitType(new_type).label
                    ),
                    field="type",
                )
    for field, value in changes.items():
        setattr(unit, field, value)
    # A contact shown masked (spec §11) and sent back unchanged must not overwrite the stored one.
    masked_input_check(unit)
    _full_clean(unit)
    unit.save()
    return unit


@transaction.atomic
def unit_move(*, actor: Actor, unit: Unit, new_parent: Unit) -> Unit:
    """Move a unit and its whole subtree below `new_parent`. Refuses cycles, moves out of scope,
    moving the actor's own unit, and parent/child types the hierarchy does not allow."""
    require(actor, Action.UPDATE, Unit)
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    require_in_scope(actor, unit)
    require_in_scope(actor, new_parent)
    if unit.pk == actor.unit.pk:
        raise ApplicationError(MOVE_OWN_UNIT)
    if new_parent.path.startswith(unit.path):
        raise ApplicationError(MOVE_INTO_OWN_SUBTREE, field="parent")
    _check_child_type(new_parent, unit.type)
    old_parent = Unit.objects.get_parent(unit)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        return unit
    before = {"parent": old_parent.code if old_parent else None, "path": unit.path}
    Unit.objects.move(unit, new_parent, pos="last-child")
    unit.refresh_from_db()
    audit_record(action=AuditAction.MOVE, obj=unit, before=before, after={"parent": new_parent.code, "path": unit.path})
    return unit


@transaction.atomic
def unit_delete(*, actor: Actor, unit: Unit) -> None:
    """Delete an empty unit below the actor's own. Units with children or records are kept."""
    require(actor, Action.DELETE, Unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    require_in_scope(actor, unit)
    if unit.pk == actor.unit.pk:
        raise ApplicationError(MOVE_OWN_UNIT)
    if unit.numchild:
        raise ApplicationError(DELETE_HAS_CHILDREN.format(unit=unit.name, count=unit.numchild))
    try:
        with transaction.atomic():
            unit.delete()
    except ProtectedError as error:
        raise ApplicationError(DELETE_HAS_RECORDS.format(unit=unit.name)) from error


def _check_grantable(*, user: User, unit: Unit, role: str) -> None:
    if role in FEDERATION_ONLY_ROLES and unit.type not in FEDERATION_TYPES:
        raise ApplicationError(GRANT_FEDERATION_ROLE.format(role=Role(role).label), field="role")
    if role == Role.UNIT_ADMIN and unit.type in FEDERATION_TYPES:
        raise ApplicationError(GRANT_UNIT_ADMIN_AT_FEDERATION, field="role")
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    if held and (role in SEPARATED_ROLES or held & SEPARATED_ROLES) and held != {role}:
        raise ApplicationError(GRANT_SEPARATION, field="role")
    if Membership.objects.filter(user=user, unit=unit, role=role).exists():
        raise ApplicationError(GRANT_DUPLICATE, field="role")


@transaction.atomic
def membership_grant(*, actor: Actor, user: User, unit: Unit, role: str) -> Membership:
    """Let `user` act for `unit` in `role`. Only the security admin grants, never to themselves;
    the separated system roles are never combined with any other (三员分立)."""
    require(actor, Action.CREATE, Membership)
    unit = Unit.objects.get(pk=unit.pk)
    require_in_scope(actor, unit)
    if user.pk == actor.user.pk:
        raise ApplicationError(GRANT_SELF)
    if role not in Role.values:
        raise ApplicationError(UNKNOWN_ROLE.format(role=role), field="role")
    _check_grantable(user=user, unit=unit, role=role)
    membership = Membership(user=user, unit=unit, role=role, granted_by=actor.user)
    membership.save()
    return membership


@transaction.atomic
def membership_revoke(*, actor: Actor, membership: Membership) -> None:
    """Withdraw a role grant (security admin, not their own)."""
    require(actor, Action.DELETE, Membership)
    membership = Membership.objects.select_related("unit").get(pk=membership.pk)
    require_in_scope(actor, membership.unit)
    if membership.user_id == actor.user.pk:
        raise ApplicationError(GRANT_SELF)
    membership.delete()


@transaction.atomic
def account_create(
    *, actor: Actor, username: str, password: str, unit: Unit, role: str, full_name: str = "", phone: str = ""
) -> User:
    """Open an account with its first role (security admin). The security admin chose the
    password, so its holder must change it at the first login (issue 5 §1)."""
    require(actor, Action.CREATE, Membership)
    unit = Unit.objects.get(pk=unit.pk)
    require_in_scope(actor, unit)
    if User.objects.filter(username=username).exists():
        raise ApplicationError(USERNAME_TAKEN.format(username=username), field="username")
    user = User(username=username, full_name=full_name, phone=phone, must_change_password=True)
    password_set_checked(user=user, password=password)
    _full_clean(user, exclude=("password",))
    user.save()
    membership_grant(actor=actor, user=user, unit=unit, role=role)
    return user


def system_account_create(*, username: str, password: str, unit: Unit, role: str, full_name: str = "") -> User:
    """Bootstrap an account from the command line (no acting user yet, e.g. the first security
    admin, or the demo federation). The separation rules and the password rules still apply; the
    operator typed the password themselves, so no change is forced."""
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name)
            password_set_checked(user=user, password=password)
            _full_clean(user, exclude=("password",))
            user.save()
        if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
            _check_grantable(user=user, unit=unit, role=role)
            Membership(user=user, unit=unit, role=role).save()
    return user


def membership_switch(*, user: User, session, membership_id: int) -> Membership:
    """Act for another of the user's memberships (its unit and role) from now on in this session;
    audited. NotFoundError for a membership that is not the user's."""
    membership = Membership.objects.select_related("unit").filter(pk=membership_id, user=user).first()
    if membership is None:
        raise NotFoundError(NO_ROLE_AT_UNIT)
    session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
    audit_record(action=AuditAction.SWITCH_UNIT, obj=membership)
    return membership
