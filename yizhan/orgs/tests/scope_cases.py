"""Scope-matrix declarations for the orgs models (see yizhan/orgs/testing/scope_matrix.py)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from yizhan.core.roles import Role
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE
from yizhan.orgs.models import Membership, Unit, User
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World, child_type_for, page_status

INVALID_CHOICE = "选择一个有效的选项"
OWN_AND_BELOW = frozenset({"own", "child"})
OWN = frozenset({"own"})
BELOW = frozenset({"child"})

# ---------------------------------------------------------------- Unit


def _unit_target(world: World, relation: str) -> Unit:
    return world.units[relation]


def _exists(unit: Unit) -> bool:
    return Unit.objects.filter(pk=unit.pk).exists()


def _api_list(world, unit, relation):
    r = world.client.get("/api/v1/units", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(unit.pk in ids, r.status_code)


def _api_detail(world, unit, relation):
    r = world.client.get(f"/api/v1/units/{unit.pk}")
    return Outcome(r.status_code == 200 and r.json()["id"] == unit.pk, r.status_code)


def _new_unit_fields(world, parent):
    code = world.fresh("NEW")
    return code, {
        "code": code,
        "name": f"新单位{code}",
        "type": child_type_for(parent),
        "region_adcode": parent.region.adcode,
    }


def _api_create(world, parent, relation):
    code, body = _new_unit_fields(world, parent)
    r = world.client.post("/api/v1/units", {"parent_id": parent.pk, **body}, content_type="application/json")
    created = Unit.objects.filter(code=code, path__startswith=parent.path).exists()
    return Outcome(r.status_code == 201 and created, r.status_code)


def _api_update(world, unit, relation):
    r = world.client.patch(f"/api/v1/units/{unit.pk}", {"contact_name": "矩阵测试"}, content_type="application/json")
    changed = Unit.objects.get(pk=unit.pk).contact_name == "矩阵测试"
    return Outcome(r.status_code == 200 and changed, r.status_code)


def _api_delete(world, unit, relation):
    r = world.client.delete(f"/api/v1/units/{unit.pk}")
    return Outcome(r.status_code == 204 and not _exists(unit), r.status_code)


def _page_list(world, unit, relation):
    r = world.client.get("/staff/units/")
    return Outcome(r.status_code == 200 and f"/staff/units/{unit.pk}/" in r.content.decode(), r.status_code)


def _page_detail(world, unit, relation):
    r = world.client.get(f"/staff/units/{unit.pk}/")
    return Outcome(r.status_code == 200 and unit.code in r.content.decode(), r.status_code)


def _page_create(world, parent, relation):
    code, body = _new_unit_fields(world, parent)
    form = {**body, "region": parent.region_id}
    del form["region_adcode"]
    r = world.client.post(f"/staff/units/{parent.pk}/new/", form)
    created = Unit.objects.filter(code=code, path__startswith=parent.path).exists()
    return Outcome(r.status_code == 302 and created, r.status_code)


def _page_update(world, unit, relation):
    form = {
        "code": unit.code,
        "name": unit.name,
        "type": unit.type,
        "region": unit.region_id,
        "contact_name": "矩阵测试",
        "contact_phone": "",
        "address": "",
    }
    r = world.client.post(f"/staff/units/{unit.pk}/edit/", form)
    changed = Unit.objects.get(pk=unit.pk).contact_name == "矩阵测试"
    return Outcome(r.status_code == 302 and changed, r.status_code)


def _page_delete(world, unit, relation):
    r = world.client.post(f"/staff/units/{unit.pk}/delete/")
    return Outcome(r.status_code == 302 and not _exists(unit), r.status_code)


def _page_export(world, unit, relation):
    r = world.client.get("/staff/units/export.xlsx")
    if r.status_code != 200:
        return Outcome(False, r.status_code)
    sheet = load_workbook(BytesIO(r.content)).active
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    return Outcome(unit.code in codes, r.status_code)


def _admin_list(world, unit, relation):
    r = world.client.get("/admin/orgs/unit/")
    return Outcome(r.status_code == 200 and f"/admin/orgs/unit/{unit.pk}/change/" in r.content.decode(), r.status_code)


def _admin_detail(world, unit, relation):
    r = world.client.get(f"/admin/orgs/unit/{unit.pk}/change/")
    return Outcome(r.status_code == 200 and unit.code in r.content.decode(), r.status_code)


CONTACT = {"contact_name": "矩阵乙", "contact_phone": "13900004321"}


def _with_contact(unit: Unit) -> None:
    Unit.objects.filter(pk=unit.pk).update(**CONTACT)


def _api_reveal(world, unit, relation):
    _with_contact(unit)
    r = world.client.post(f"/api/v1/units/{unit.pk}/reveal")
    return Outcome(r.status_code == 200 and r.json() == CONTACT, r.status_code)


def _page_reveal(world, unit, relation):
    _with_contact(unit)
    r = world.client.post(f"/staff/units/{unit.pk}/")
    return Outcome(r.status_code == 200 and CONTACT["contact_phone"] in r.content.decode(), r.status_code)


# Spec §11: the contact person in full is revealed (audited) to the admins only.
ADMINS = {
    "reveal": OWN_AND_BELOW,
    "list": OWN_AND_BELOW,
    "detail": OWN_AND_BELOW,
    "create": OWN_AND_BELOW,
    "update": OWN_AND_BELOW,
    # Never the unit one acts for: only units below it.
    "delete": BELOW,
    "export": OWN_AND_BELOW,
}
READERS = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW, "export": OWN_AND_BELOW}

UNIT_CASE = ScopeCase(
    model="orgs.unit",
    make_target=_unit_target,
    probes={
        ("api", "list"): _api_list,
        ("api", "detail"): _api_detail,
        ("api", "create"): _api_create,
        ("api", "update"): _api_update,
        ("api", "delete"): _api_delete,
        ("api", "reveal"): _api_reveal,
        ("page", "list"): _page_list,
        ("page", "reveal"): _page_reveal,
        ("page", "detail"): _page_detail,
        ("page", "create"): _page_create,
        ("page", "update"): _page_update,
        ("page", "delete"): _page_delete,
        ("page", "export"): _page_export,
        ("admin", "list"): _admin_list,
        ("admin", "detail"): _admin_detail,
    },
    expected={
        Role.FEDERATION_ADMIN: ADMINS,
        Role.UNIT_ADMIN: ADMINS,
        Role.STATION_MANAGER: {"list": OWN, "detail": OWN},
        Role.REVIEWER: {"list": OWN, "detail": OWN},
        Role.SOCIAL_ORG: {},
        Role.AUDITOR: READERS,
        Role.SECURITY_ADMIN: READERS,
        Role.SYSTEM_ADMIN: READERS,
    },
)

# ---------------------------------------------------------- Membership


def _membership_target(world: World, relation: str) -> Membership:
    holder = User.objects.create_user(username=world.fresh(f"holder-{relation}-"), password="x-Unused-2026")
    return Membership.objects.create(user=holder, unit=world.units[relation], role=Role.REVIEWER)


def _grantee(world: World) -> User:
    return User.objects.create_user(username=world.fresh("grantee-"), password="x-Unused-2026")


def _m_api_list(world, membership, relation):
    r = world.client.get("/api/v1/memberships", {"limit": 500})
    ids = {item["id"] for item in r.json()["items"]} if r.status_code == 200 else set()
    return Outcome(membership.pk in ids, r.status_code)


def _m_api_create(world, membership, relation):
    grantee = _grantee(world)
    body = {"username": grantee.username, "unit_id": membership.unit_id, "role": Role.REVIEWER}
    r = world.client.post("/api/v1/memberships", body, content_type="application/json")
    granted = Membership.objects.filter(user=grantee, unit_id=membership.unit_id).exists()
    return Outcome(r.status_code == 201 and granted, r.status_code)


def _m_api_delete(world, membership, relation):
    r = world.client.delete(f"/api/v1/memberships/{membership.pk}")
    gone = not Membership.objects.filter(pk=membership.pk).exists()
    return Outcome(r.status_code == 204 and gone, r.status_code)


def _m_page_list(world, membership, relation):
    r = world.client.get("/staff/accounts/")
    return Outcome(r.status_code == 200 and membership.user.username in r.content.decode(), r.status_code)


def _m_page_create(world, membership, relation):
    grantee = _grantee(world)
    form = {"form": "grant", "username": grantee.username, "unit": membership.unit_id, "role": Role.REVIEWER}
    r = world.client.post("/staff/accounts/", form)
    granted = Membership.objects.filter(user=grantee, unit_id=membership.unit_id).exists()
    # The unit list offers only units in scope: an outside unit gets the same "invalid choice"
    # as a unit that does not exist, which is the page's way of answering "not found".
    return Outcome(r.status_code == 302 and granted, page_status(r, INVALID_CHOICE))


def _m_page_delete(world, membership, relation):
    r = world.client.post(f"/staff/accounts/memberships/{membership.pk}/revoke/")
    gone = not Membership.objects.filter(pk=membership.pk).exists()
    return Outcome(r.status_code == 302 and gone, r.status_code)


MEMBERSHIP_CASE = ScopeCase(
    model="orgs.membership",
    make_target=_membership_target,
    probes={
        ("api", "list"): _m_api_list,
        ("api", "create"): _m_api_create,
        ("api", "delete"): _m_api_delete,
        ("page", "list"): _m_page_list,
        ("page", "create"): _m_page_create,
        ("page", "delete"): _m_page_delete,
    },
    expected={
        Role.SECURITY_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW, "delete": OWN_AND_BELOW},
        Role.AUDITOR: {"list": OWN_AND_BELOW},
    },
)

# ---------------------------------------------------------------- User

# Accounts are managed by the security admin on the accounts page, under the role-grant permission
# (orgs.membership CREATE): opening an account with its first role at a unit in scope, and resetting
# the password of an account whose roles all lie in scope. The target is an account holding a role
# at the relation's unit.
RESET_PASSWORD = "Matrix-Reset-2026!"


def _user_target(world: World, relation: str) -> User:
    return _membership_target(world, relation).user


def _u_page_list(world, user, relation):
    r = world.client.get("/staff/accounts/")
    return Outcome(r.status_code == 200 and user.username in r.content.decode(), r.status_code)


def _u_page_create(world, user, relation):
    unit = user.memberships.get().unit
    username = world.fresh("opened-")
    form = {
        "form": "create",
        "username": username,
        "password": "Matrix-Open-2026!",
        "unit": unit.pk,
        "role": Role.REVIEWER,
    }
    r = world.client.post("/staff/accounts/", form)
    opened = Membership.objects.filter(user__username=username, unit=unit).exists()
    return Outcome(r.status_code == 302 and opened, page_status(r, INVALID_CHOICE))


def _u_page_update(world, user, relation):
    form = {"form": "reset", "username": user.username, "password": RESET_PASSWORD}
    r = world.client.post("/staff/accounts/", form)
    stored = User.objects.get(pk=user.pk)
    reset = stored.check_password(RESET_PASSWORD) and stored.must_change_password
    # An account outside the scope is named by its username: "not found", as for an unknown one.
    return Outcome(r.status_code == 302 and reset, page_status(r, OUT_OF_SCOPE_MESSAGE))


USER_CASE = ScopeCase(
    model="orgs.user",
    make_target=_user_target,
    probes={
        ("page", "list"): _u_page_list,
        ("page", "create"): _u_page_create,
        ("page", "update"): _u_page_update,
    },
    expected={
        Role.SECURITY_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW, "update": OWN_AND_BELOW},
        Role.AUDITOR: {"list": OWN_AND_BELOW},
    },
)

CASES = [UNIT_CASE, MEMBERSHIP_CASE, USER_CASE]
