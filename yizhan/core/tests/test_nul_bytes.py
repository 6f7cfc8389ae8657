"""NUL characters are refused with a 400 before they reach the database (PostgreSQL cannot store them)."""

import pytest

from yizhan.core.middleware import NUL_MESSAGE
from yizhan.core.roles import Role

pytestmark = pytest.mark.django_db


def test_nul_in_query_json_and_form_is_a_400(dalian, make_user, login):
    client = login(make_user(Role.UNIT_ADMIN, dalian["zs"]))
    query = client.get("/api/v1/positions/export", {"format": "geojson", "q": "a\x00b"})
    assert query.status_code == 400 and query.json() == {"detail": NUL_MESSAGE}
    body = client.patch(f"/api/v1/units/{dalian['zs'].pk}", {"contact_name": "a\x00"}, "application/json")
    assert body.status_code == 400
    page = client.post(f"/staff/units/{dalian['zs'].pk}/edit/", {"name": "x\x00"})
    assert page.status_code == 400 and NUL_MESSAGE in page.content.decode()
    assert client.get("/api/v1/units", {"search": "中山"}).status_code == 200
