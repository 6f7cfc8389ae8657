"""Several federations in one instance never see each other's data; every shipped boundary file imports."""

from pathlib import Path

import pytest

from yizhan.core.audit import audit_verify
from yizhan.core.roles import Role
from yizhan.core.testing.shared import assert_same_as_shared
from yizhan.orgs.choices import UnitType
from yizhan.orgs.imports.regions import region_import
from yizhan.orgs.models import Region

pytestmark = pytest.mark.django_db

BOUNDARIES = Path(__file__).resolve().parents[1] / "data" / "boundaries"
BOUNDARY_FILES = sorted(BOUNDARIES.glob("*.geojson"))


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


def test_the_seed_cities_boundaries_are_shipped():
    """The cities of the source documents (data/boundaries/README.md), in every clone."""
    seed_cities = {"210200", "420100", "370200", "340100", "341500", "340400", "340200", "341600"}
    assert {path.stem for path in BOUNDARY_FILES} >= seed_cities


def test_the_shipped_boundaries_are_those_of_shared():
    assert_same_as_shared(BOUNDARIES, "data/boundaries", "*.geojson")


@pytest.mark.parametrize("path", BOUNDARY_FILES, ids=lambda p: p.stem)
def test_every_shipped_boundary_file_imports_and_reimports_unchanged(path):
    first = region_import(path)
    assert first.created >= 5 and first.updated == 0
    city = Region.objects.get(adcode=path.stem)
    assert city.children.count() == first.created - 1
    again = region_import(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert audit_verify().ok
