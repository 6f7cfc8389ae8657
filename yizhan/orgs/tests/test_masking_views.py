"""Masking of a union unit's contact person (spec §11, issue 5 §4: "Staff views mask by default;
revealing needs a permission and writes an audit entry"): the unit list and detail pages, the API
list and detail, the xlsx export and the raw-data admin show the name and phone masked to every
role; the admins reveal them (detail page button, POST /api/v1/units/{id}/reveal, opening the edit
form), each time with an audit entry naming the fields, never the values; other roles are refused
(403; 404 outside the scope). The audit chain keeps them masked."""

import json
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from yizhan.core.errors import ApplicationError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs import services
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES
from yizhan.orgs.models import Unit
from yizhan.orgs.views import UNIT_EXPORT_HEADERS

NAME, PHONE = "李四光", "13987654321"
MASKED_NAME, MASKED_PHONE = "李**", "139****4321"
FULL_PHONE = re.compile(r"139[\s-]?8765[\s-]?4321")
PERSONAL = ["contact_name", "contact_phone"]

# Where each role is attached (reviewers and station managers see their own unit only) and whether
# it may reveal the contact: written out, so that a change to the inventory or a channel fails here.
ROLES = {
    Role.FEDERATION_ADMIN: ("city", True),
    Role.UNIT_ADMIN: ("zs", True),
    Role.STATION_MANAGER: ("zs", False),
    Role.REVIEWER: ("zs", False),
    Role.AUDITOR: ("city", False),
    Role.SECURITY_ADMIN: ("city", False),
    Role.SYSTEM_ADMIN: ("city", False),
}
REVEALERS = [role for role, (_unit, may) in ROLES.items() if may]
OTHERS = [role for role, (_unit, may) in ROLES.items() if not may]
EXPORTERS = [Role.FEDERATION_ADMIN, Role.UNIT_ADMIN, Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN]


@pytest.fixture
def unit(dalian, make_actor) -> Unit:
    admin = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    return services.unit_update(actor=admin, unit=dalian["zs"], contact_name=NAME, contact_phone=PHONE)


@pytest.fixture
def client_as(dalian, make_user, login):
    def make(role: str, at: str | None = None):
        return login(make_user(role, dalian[at or ROLES[role][0]]))

    return make


def reveals(unit) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(action=AuditAction.REVEAL, object_type="orgs.unit", object_id=str(unit.pk))
    return [e for e in entries if (e.after or {}).get("revealed")]


def holds_no_personal_value(entry: AuditEntry) -> bool:
    text = json.dumps([entry.object_repr, entry.before, entry.after], ensure_ascii=False)
    return NAME not in text and not FULL_PHONE.search(text)


@pytest.mark.parametrize("role", list(ROLES))
def test_list_and_detail_pages_mask_for_every_role(role, unit, client_as):
    client = client_as(role)
    listing = client.get("/staff/units/").content.decode()
    assert f"{MASKED_NAME} {MASKED_PHONE}" in listing
    detail = client.get(f"/staff/units/{unit.pk}/").content.decode()
    assert f"<dd>{MASKED_NAME}</dd>" in detail and f"<dd>{MASKED_PHONE}" in detail
    assert ("显示完整信息" in detail) == ROLES[role][1]  # the reveal button
    for body in (listing, detail):
        assert not FULL_PHONE.search(body) and NAME not in body
    assert not reveals(unit)


@pytest.mark.parametrize("role", list(ROLES))
def test_api_list_and_detail_mask_for_every_role(role, unit, client_as):
    client = client_as(role)
    detail = client.get(f"/api/v1/units/{unit.pk}").json()
    assert (detail["contact_name"], detail["contact_phone"]) == (MASKED_NAME, MASKED_PHONE)
    listed = next(item for item in client.get("/api/v1/units").json()["items"] if item["id"] == unit.pk)
    assert (listed["contact_name"], listed["contact_phone"]) == (MASKED_NAME, MASKED_PHONE)


@pytest.mark.parametrize("role", EXPORTERS)
def test_xlsx_export_masks_for_every_role(role, unit, client_as):
    response = client_as(role).get("/staff/units/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == UNIT_EXPORT_HEADERS
    row = dict(zip(UNIT_EXPORT_HEADERS, next(r for r in rows[1:] if r[0] == unit.code), strict=True))
    assert (row["联系人"], row["联系电话"]) == (MASKED_NAME, MASKED_PHONE)
    assert not FULL_PHONE.search(str(rows)) and NAME not in str(rows)


@pytest.mark.parametrize("role", list(ROLES))
def test_raw_data_admin_masks_for_every_role(role, unit, client_as):
    client = client_as(role)
    change = client.get(f"/admin/orgs/unit/{unit.pk}/change/")
    listing = client.get("/admin/orgs/unit/")
    assert (change.status_code, listing.status_code) == (200, 200)
    for body in (change.content.decode(), listing.content.decode()):
        assert not FULL_PHONE.search(body) and NAME not in body


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_carries_the_full_number_without_a_reveal(role, unit, client_as):
    client = client_as(role)
    for url in (
        "/staff/",
        "/staff/units/",
        f"/staff/units/{unit.pk}/",
        "/staff/units/export.xlsx",
        "/api/v1/units",
        f"/api/v1/units/{unit.pk}",
        "/api/v1/me",
        f"/admin/orgs/unit/{unit.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        body = response.content
        if url.endswith(".xlsx") and response.status_code == 200:
            body = str(list(load_workbook(BytesIO(body)).active.iter_rows(values_only=True))).encode()
        assert not FULL_PHONE.search(body.decode("utf-8", "replace")), url
    if not ROLES[role][1]:
        # Only admins edit a unit (and so see the stored values in its form).
        assert client.get(f"/staff/units/{unit.pk}/edit/").status_code in (403, 404)
    assert not reveals(unit)


@pytest.mark.parametrize("role", REVEALERS)
def test_the_reveal_button_shows_the_contact_and_is_audited(role, unit, client_as):
    response = client_as(role).post(f"/staff/units/{unit.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert NAME in body and PHONE in body and "已记入审计日志" in body
    (entry,) = reveals(unit)
    assert entry.action == AuditAction.REVEAL
    assert entry.after == {"revealed": PERSONAL} and holds_no_personal_value(entry)


@pytest.mark.parametrize("role", REVEALERS)
def test_the_api_reveal_answers_the_contact_and_is_audited(role, unit, client_as):
    response = client_as(role).post(f"/api/v1/units/{unit.pk}/reveal")
    assert response.status_code == 200
    assert response.json() == {"contact_name": NAME, "contact_phone": PHONE}
    (entry,) = reveals(unit)
    assert entry.action == AuditAction.REVEAL
    assert entry.after == {"revealed": PERSONAL} and holds_no_personal_value(entry)


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize("channel", ["/staff/units/{pk}/", "/api/v1/units/{pk}/reveal"])
def test_roles_without_the_need_are_refused_the_reveal(role, channel, unit, client_as):
    response = client_as(role).post(channel.format(pk=unit.pk))
    assert response.status_code == 403
    assert not FULL_PHONE.search(response.content.decode()) and NAME not in response.content.decode()
    assert not reveals(unit)


@pytest.mark.parametrize("channel", ["/staff/units/{pk}/", "/api/v1/units/{pk}/reveal"])
def test_the_reveal_outside_the_scope_answers_404(channel, unit, client_as):
    response = client_as(Role.UNIT_ADMIN, "xg").post(channel.format(pk=unit.pk))
    assert response.status_code == 404
    assert not reveals(unit)


def test_the_reveal_needs_the_csrf_token(unit, client_as):
    client = client_as(Role.UNIT_ADMIN)
    client.handler.enforce_csrf_checks = True
    assert client.post(f"/staff/units/{unit.pk}/").status_code == 403
    assert client.post(f"/api/v1/units/{unit.pk}/reveal").status_code == 403
    assert not reveals(unit)


@pytest.mark.parametrize("role", REVEALERS)
def test_opening_the_edit_form_reveals_and_is_audited(role, unit, client_as):
    form = client_as(role).get(f"/staff/units/{unit.pk}/edit/").content.decode()
    assert f'value="{PHONE}"' in form and f'value="{NAME}"' in form and "打开本页已记入审计日志" in form
    (entry,) = reveals(unit)
    assert entry.action == AuditAction.REVEAL
    assert entry.after == {"revealed": PERSONAL} and holds_no_personal_value(entry)


def test_the_audit_chain_stores_the_contact_masked(unit):
    entry = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="orgs.unit", object_id=str(unit.pk)
    ).latest("seq")
    assert entry.after["contact_name"] == MASKED_NAME and entry.after["contact_phone"] == MASKED_PHONE
    assert holds_no_personal_value(entry)


def test_a_masked_contact_sent_back_is_refused_and_the_stored_one_kept(unit, client_as, dalian, make_actor):
    """A client that reads the unit (contact masked) and sends it all back must not overwrite the
    stored contact with its mask (spec §11; the same rule as the positions' managers)."""
    client = client_as(Role.UNIT_ADMIN)
    shown = client.get(f"/api/v1/units/{unit.pk}").json()
    assert shown["contact_phone"] != PHONE
    response = client.patch(
        f"/api/v1/units/{unit.pk}",
        {"contact_name": shown["contact_name"], "address": "新地址"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "contact_name"
    stored = Unit.objects.get(pk=unit.pk)
    assert (stored.contact_name, stored.contact_phone, stored.address) == (NAME, PHONE, unit.address)

    admin = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    with pytest.raises(ApplicationError) as refused:
        services.unit_create(
            actor=admin, parent=dalian["zs"], code="ZS-NEW", name="新单位",
            type=sorted(ALLOWED_CHILD_TYPES[dalian["zs"].type])[0],
            region=dalian["zs"].region, contact_name="王**",
        )  # fmt: skip
    assert refused.value.field == "contact_name"
