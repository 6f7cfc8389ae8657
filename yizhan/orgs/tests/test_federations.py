"""Several federations in one instance never see each other's data; every shipped boundary file imports."""

import pytest

from yizhan.core.audit import audit_verify
from yizhan.core.roles import Role
from yizhan.core.testing.shared import require_shared, shared_path
from yizhan.orgs.choices import UnitType
from yizhan.orgs.imports.regions import region_import
from yizhan.orgs.models import Region

pytestmark = pytest.mark.django_db

SHARED_BOUNDARIES = shared_path("data/boundaries")
# Missing (a clone outside /work): one case that skips, or fails under CI.
BOUNDARY_FILES = sorted(SHARED_BOUNDARIES.glob("*.geojson")) or [SHARED_BOUNDARIES]


def test_two_federations_are_invisible_to_each_other(dalian, make_unit, make_user, login):
    wuhan = make_unit(UnitType.CITY_FEDERATION, name="武汉市总工会", code="WH")
    jiangan = make_unit(UnitType.DISTRICT, wuhan, name="江岸区总工会", code="WH-JA")
    dalian_admin = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    wuhan_auditor = login(make_user(Role.AUDITOR, wuhan))

    names = {u["name"] for u in dalian_admin.get("/api/v1/units", {"limit": 500}).json()["items"]}
    assert "武汉市总工会" not in names and "江岸区总工会" not in names
    assert dalian_admin.get(f"/api/v1/units/{jiangan.pk}").status_code == 404
    assert "武汉" not in dalian_admin.get("/staff/units/").content.decode()

    entries = wuhan_auditor.get("/api/v1/audit", {"limit": 500}).json()["items"]
    assert {e["object_repr"] for e in entries} >= {"武汉市总工会", "江岸区总工会"}
    assert not any("大连" in e["object_repr"] or "中山区" in e["object_repr"] for e in entries)


@pytest.mark.parametrize(
    "path", sorted(SHARED_BOUNDARIES.glob("*.geojson")) or [SHARED_BOUNDARIES], ids=lambda p: p.stem
)
def test_every_shared_boundary_file_imports_and_reimports_unchanged(path):
    require_shared(path)
    first = region_import(path)
    assert first.created >= 5 and first.updated == 0
    city = Region.objects.get(adcode=path.stem)
    assert city.children.count() == first.created - 1
    again = region_import(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert audit_verify().ok
