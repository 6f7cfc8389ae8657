"""Masking of a union unit's contact person (spec §11, issue 5 §4): the unit list and detail pages,
the API list and detail, the xlsx export and the raw-data admin show the name and phone in full to
the admins (`core/personal_data.py`) and masked to every other role; no page of those roles
carries the full number."""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from yizhan.core.roles import Role
from yizhan.orgs import services
from yizhan.orgs.models import Unit
from yizhan.orgs.views import UNIT_EXPORT_HEADERS

NAME, PHONE = "李四光", "13987654321"
MASKED_NAME, MASKED_PHONE = "李**", "139****4321"
FULL_PHONE = re.compile(r"139[\s-]?8765[\s-]?4321")

# Where each role is attached (reviewers and station managers see their own unit only) and whether
# it sees the contact in full: written out, so that a change to the inventory or a channel fails here.
ROLES = {
    Role.FEDERATION_ADMIN: ("city", True),
    Role.UNIT_ADMIN: ("zs", True),
    Role.STATION_MANAGER: ("zs", False),
    Role.REVIEWER: ("zs", False),
    Role.AUDITOR: ("city", False),
    Role.SECURITY_ADMIN: ("city", False),
    Role.SYSTEM_ADMIN: ("city", False),
}
EXPORTERS = [Role.FEDERATION_ADMIN, Role.UNIT_ADMIN, Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN]


@pytest.fixture
def unit(dalian, make_actor) -> Unit:
    admin = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    return services.unit_update(actor=admin, unit=dalian["zs"], contact_name=NAME, contact_phone=PHONE)


@pytest.fixture
def client_as(dalian, make_user, login):
    def make(role: str):
        return login(make_user(role, dalian[ROLES[role][0]]))

    return make


def expected(role: str) -> tuple[str, str]:
    return (NAME, PHONE) if ROLES[role][1] else (MASKED_NAME, MASKED_PHONE)


@pytest.mark.parametrize("role", list(ROLES))
def test_list_and_detail_pages(role, unit, client_as):
    client = client_as(role)
    name, phone = expected(role)
    listing = client.get("/staff/units/").content.decode()
    assert f"{name} {phone}" in listing
    detail = client.get(f"/staff/units/{unit.pk}/").content.decode()
    assert f"<dd>{name}</dd>" in detail and f"<dd>{phone}</dd>" in detail
    for body in (listing, detail):
        assert bool(FULL_PHONE.search(body)) == ROLES[role][1]
        assert (NAME in body) == ROLES[role][1]


@pytest.mark.parametrize("role", list(ROLES))
def test_api_list_and_detail(role, unit, client_as):
    client = client_as(role)
    detail = client.get(f"/api/v1/units/{unit.pk}").json()
    assert (detail["contact_name"], detail["contact_phone"]) == expected(role)
    listed = next(item for item in client.get("/api/v1/units").json()["items"] if item["id"] == unit.pk)
    assert (listed["contact_name"], listed["contact_phone"]) == expected(role)


@pytest.mark.parametrize("role", EXPORTERS)
def test_xlsx_export(role, unit, client_as):
    response = client_as(role).get("/staff/units/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == UNIT_EXPORT_HEADERS
    row = dict(zip(UNIT_EXPORT_HEADERS, next(r for r in rows[1:] if r[0] == unit.code), strict=True))
    assert (row["联系人"], row["联系电话"]) == expected(role)


@pytest.mark.parametrize("role", list(ROLES))
def test_raw_data_admin(role, unit, client_as):
    client = client_as(role)
    change = client.get(f"/admin/orgs/unit/{unit.pk}/change/")
    listing = client.get("/admin/orgs/unit/")
    assert (change.status_code, listing.status_code) == (200, 200)
    assert bool(FULL_PHONE.search(change.content.decode())) == ROLES[role][1]
    assert not FULL_PHONE.search(listing.content.decode())  # the list has a name column only
    for body in (change.content.decode(), listing.content.decode()):
        assert (NAME in body) == ROLES[role][1]


@pytest.mark.parametrize("role", [role for role, (_unit, full) in ROLES.items() if not full])
def test_no_page_of_a_role_without_the_need_carries_the_full_number(role, unit, client_as):
    client = client_as(role)
    for url in (
        "/staff/",
        "/staff/units/",
        f"/staff/units/{unit.pk}/",
        f"/staff/units/{unit.pk}/edit/",
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
    # Only admins edit a unit (and so see the stored values in its form).
    assert client.get(f"/staff/units/{unit.pk}/edit/").status_code in (403, 404)
