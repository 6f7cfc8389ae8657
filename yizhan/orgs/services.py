"""Writes of the orgs context: union units and role memberships (spec §1, issue 2).

Every service takes the acting `Actor`, checks scope and role through `yizhan.core.scoping`, runs in
a transaction and raises `ApplicationError` with a message that can be shown as is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from yizhan.core.audit import audit_record
from yizhan.core.errors import ApplicationError, NotFoundError, from_validation_error
from yizhan.core.models import AuditAction
from yizhan.core.personal_data import masked_input_check
from yizhan.core.roles import FEDERATION_ONLY_ROLES, SEPARATED_ROLES, Action, Role
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, require, require_in_scope
from yizhan.orgs.accounts.passwords import character_classes, password_set_checked
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES, FEDERATION_TYPES, RegionLevel, UnitType
from yizhan.orgs.geo import boundaries_changed
from yizhan.orgs.imports.areas import area_geometry_read, area_geometry_union, geometry_json
from yizhan.orgs.imports.regions import RegionImportResult, region_import_adcode
from yizhan.orgs.models import CUSTOM_AREA_PREFIX, Membership, Region, Unit, User
from yizhan.orgs.selectors import ACTIVE_MEMBERSHIP_SESSION_KEY
from yizhan.orgs.signals import federation_created

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


# --- Setting a federation up (issue 14 §1) ---------------------------------------------------------

PARENT_FEDERATION_UNKNOWN = _("上级总工会“{code}”不存在")
# Unambiguous letters and digits (no 0/O, 1/l/I): a one-time password is read off a screen or a sheet.
ONE_TIME_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def one_time_password() -> str:
    """A password for an account someone else opens (a federation's first security admin, an
    imported account), e.g. `Kp7x-M3qa-9RtZ-w4Nd`: four groups of four random characters (~94 bits),
    all four character classes, so it meets the password rules. Its holder must change it at the
    first login (`User.must_change_password`)."""
    while True:
        password = "-".join("".join(secrets.choice(ONE_TIME_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))
        if character_classes(password) == 4:
            return password


@dataclass
class FederationSetup:
    unit: Unit
    security_admin: User
    password: str  # the security admin's one-time password, shown once
    regions: RegionImportResult
    notes: tuple[str, ...] = ()  # what `federation_created`'s receivers did


def security_admin_open(*, unit: Unit, username: str, full_name: str = "") -> tuple[User, str]:
    """Open a federation's first security admin from the command line (no acting user exists yet):
    a one-time password, returned to be shown once and changed at the first login, where the second
    factor is also enrolled (`twofactor.TWO_FACTOR_ROLES`). The security admin then opens every
    other account, the federation admin's included (三员分立)."""
    if User.objects.filter(username=username).exists():
        raise ApplicationError(USERNAME_TAKEN.format(username=username), field="username")
    password = one_time_password()
    user = User(username=username, full_name=full_name, must_change_password=True)
    password_set_checked(user=user, password=password)
    _full_clean(user, exclude=("password",))
    user.save()
    _check_grantable(user=user, unit=unit, role=Role.SECURITY_ADMIN)
    Membership(user=user, unit=unit, role=Role.SECURITY_ADMIN).save()
    return user, password


@transaction.atomic
def federation_setup(
    *,
    code: str,
    name: str,
    adcode: str,
    security_admin: str,
    security_admin_name: str = "",
    type: str = "",
    parent_code: str = "",
) -> FederationSetup:
    """Set a federation up from the command line (issue 14 §1), all or nothing: load the area of
    `adcode` and every area below it (`region_import_adcode`), create the federation (a provincial
    federation for a province, a city federation otherwise, unless `type` says; a city federation
    below the provincial federation `parent_code`), open its first security admin, and send
    `signals.federation_created` for what other apps give a new federation (its standards)."""
    regions = region_import_adcode(adcode)
    region = Region.objects.defer("boundary").get(adcode=adcode)
    parent = None
    if parent_code:
        parent = Unit.objects.filter(code=parent_code).first()
        if parent is None:
            raise ApplicationError(PARENT_FEDERATION_UNKNOWN.format(code=parent_code), field="parent")
    if not type:
        type = UnitType.PROVINCIAL_FEDERATION if region.level == RegionLevel.PROVINCE else UnitType.CITY_FEDERATION
    unit = federation_create(code=code, name=name, type=type, region=region, parent=parent)
    user, password = security_admin_open(unit=unit, username=security_admin, full_name=security_admin_name)
    # What other apps give a new federation (the standards app: its shipped standards), in this
    # transaction: a receiver that fails undoes the whole set-up.
    notes = tuple(str(note) for _receiver, note in federation_created.send(sender=Unit, unit=unit) if note)
    return FederationSetup(unit=unit, security_admin=user, password=password, regions=regions, notes=notes)


# --- Custom areas (issue 14 §2) ---------------------------------------------------------------------

AREA_NAME_REQUIRED = _("请填写区域名称")
AREA_ONE_SOURCE = _("请上传 GeoJSON 文件、在地图上绘制，或列出组成区域的区划代码，三者选一")
AREA_MEMBER_UNKNOWN = _("区划代码“{code}”不存在")
AREA_MEMBER_NO_BOUNDARY = _("“{name}”（{code}）没有边界，不能用来组成区域")
AREA_NOT_CUSTOM = _("只能修改自定义区域；行政区划由 import-regions 导入")
AREA_CODES_EXHAUSTED = _("“{area}”下的自定义区域已满 99 个")


def _administrative_area(region: Region) -> Region:
    """The GB/T 2260 area a custom area lies below: the region itself, or the nearest above it."""
    while region.level == RegionLevel.CUSTOM and region.parent_id is not None:
        region = Region.objects.defer("boundary").get(pk=region.parent_id)
    return region


def _custom_area_code(parent: Region) -> str:
    """The next free code below `parent`: X + its adcode + 01…99."""
    prefix = f"{CUSTOM_AREA_PREFIX}{parent.adcode}"
    taken = set(Region.objects.filter(adcode__startswith=prefix).values_list("adcode", flat=True))
    for number in range(1, 100):
        if f"{prefix}{number:02d}" not in taken:
            return f"{prefix}{number:02d}"
    raise ApplicationError(AREA_CODES_EXHAUSTED.format(area=parent.name))


def _custom_outline(*, geometry, crs: str, members) -> tuple[dict, tuple, dict]:
    """(stored outline, bounds, what it was made from) of a custom area: a GeoJSON geometry
    (uploaded or drawn, in `crs`) or the union of the areas coded in `members`."""
    members = [str(code).strip() for code in members or () if str(code).strip()]
    if bool(geometry) == bool(members):
        raise ApplicationError(AREA_ONE_SOURCE, field="geometry")
    if geometry:
        outline = area_geometry_read(geometry, crs=crs)
        source = {"source": "geometry", "crs": str(crs)}
    else:
        shapes = []
        for code in dict.fromkeys(members):
            member = Region.objects.filter(adcode=code).first()
            if member is None:
                raise ApplicationError(AREA_MEMBER_UNKNOWN.format(code=code), field="members")
            if not member.boundary:
                raise ApplicationError(AREA_MEMBER_NO_BOUNDARY.format(name=member.name, code=code), field="members")
            shapes.append(shape(member.boundary))
        outline = area_geometry_union(shapes)
        source = {"source": "members", "members": list(dict.fromkeys(members))}
    return geometry_json(outline), outline.bounds, source


def _set_outline(region: Region, outline: dict, bounds: tuple) -> None:
    region.boundary = outline
    region.min_lng, region.min_lat, region.max_lng, region.max_lat = bounds


def _outlines_changed() -> None:
    # Now, for this process (and tests, whose transaction never commits), and again after the
    # commit, so that no other process keeps the outline it read before the commit.
    boundaries_changed()
    transaction.on_commit(boundaries_changed)


@transaction.atomic
def custom_area_create(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    geometry: dict | str | None = None,
    crs: str = "gcj02",
    members: list[str] | tuple[str, ...] = (),
    assign: bool = True,
) -> Region:
    """Give `unit` an area of its own where none has an adcode (a development zone, a new district):
    an outline uploaded or drawn (`geometry`, GeoJSON in `crs`) or the union of listed areas
    (`members`, adcodes or other custom areas' codes). It is coded X…, lies below the unit's
    administrative area, and (with `assign`) becomes the unit's area, which the positions' "inside
    its area" check and the finder's place search then use like any other (issue 14 §2)."""
    require(actor, Action.UPDATE, Unit)
    unit = Unit.objects.select_related("region").defer("region__boundary").get(pk=unit.pk)
    require_in_scope(actor, unit)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(AREA_NAME_REQUIRED, field="name")
    outline, bounds, source = _custom_outline(geometry=geometry, crs=crs, members=members)
    parent = _administrative_area(unit.region)
    area = Region(adcode=_custom_area_code(parent), name=name, level=RegionLevel.CUSTOM, parent=parent, owner=unit)
    _set_outline(area, outline, bounds)
    _full_clean(area)
    area.save()
    audit_record(
        action=AuditAction.CREATE,
        obj=area,
        unit_path=unit.path,
        unit_name=unit.name,
        after={"adcode": area.adcode, "name": name, "owner": unit.code, "parent": parent.adcode, **source},
    )
    _outlines_changed()
    if assign:
        unit_update(actor=actor, unit=unit, region=area)
    return area


@transaction.atomic
def custom_area_update(
    *,
    actor: Actor,
    area: Region,
    name: str | None = None,
    geometry: dict | str | None = None,
    crs: str = "gcj02",
    members: list[str] | tuple[str, ...] = (),
) -> Region:
    """Rename a custom area, or give it a new outline (uploaded, drawn or composed, as at creation).
    Its owner must lie in the actor's scope; administrative areas change only by `import-regions`."""
    require(actor, Action.UPDATE, Unit)
    area = Region.objects.select_for_update().get(pk=area.pk)
    if area.level != RegionLevel.CUSTOM:
        raise ApplicationError(AREA_NOT_CUSTOM)
    owner = Unit.objects.filter(pk=area.owner_id).first()
    if owner is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    require_in_scope(actor, owner)
    changed = {}
    if name is not None and name.strip() != area.name:
        if not name.strip():
            raise ApplicationError(AREA_NAME_REQUIRED, field="name")
        changed["name"] = area.name = name.strip()
    source = {}
    if geometry or members:
        outline, bounds, source = _custom_outline(geometry=geometry, crs=crs, members=members)
        if outline != area.boundary:
            _set_outline(area, outline, bounds)
            changed["boundary"] = True
    if not changed:
        return area
    _full_clean(area)
    area.save()
    audit_record(
        action=AuditAction.UPDATE,
        obj=area,
        unit_path=owner.path,
        unit_name=owner.name,
        after={"adcode": area.adcode, "name": area.name, "changed": sorted(changed), **source},
    )
    if "boundary" in changed:
        _outlines_changed()
    return area


@transaction.atomic
def unit_area_set(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    geometry: dict | str | None = None,
    crs: str = "gcj02",
    members: list[str] | tuple[str, ...] = (),
) -> tuple[Region, bool]:
    """Set the custom area of `unit`: a new outline for the custom area it owns and stands on, or a
    new custom area that becomes its area. Returns the area and whether it was created."""
    unit = Unit.objects.select_related("region").defer("region__boundary").get(pk=unit.pk)
    if unit.region.level == RegionLevel.CUSTOM and unit.region.owner_id == unit.pk:
        area = custom_area_update(actor=actor, area=unit.region, name=name, geometry=geometry, crs=crs, members=members)
        return area, False
    area = custom_area_create(actor=actor, unit=unit, name=name, geometry=geometry, crs=crs, members=members)
    return area, True
