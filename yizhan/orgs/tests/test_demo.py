"""The demo federation (issue 2 §6): Dalian's federation, its ten district/county unions, the development
zone, three industry unions, street unions and one account per role; loading twice changes nothing."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from yizhan.core.audit import audit_verify
from yizhan.core.models import AuditEntry
from yizhan.core.roles import SEPARATED_ROLES, Role
from yizhan.orgs import demo
from yizhan.orgs.choices import ALLOWED_CHILD_TYPES, UnitType
from yizhan.orgs.models import Membership, Region, Unit, User

pytestmark = pytest.mark.django_db

INDUSTRY_UNIONS = {"大连市机重石化电信工会", "大连市财贸金融服务工会", "大连市公安局工会"}


def dalian_district_adcodes() -> set[str]:
    data = json.loads((demo.BOUNDARIES / "210200.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["adcode"] for f in data["features"] if f["properties"]["level"] == "district"}


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def check_federation_and_its_units():
    federation = Unit.objects.get(name="大连市总工会")
    assert (federation.type, federation.region.adcode, federation.depth) == (UnitType.CITY_FEDERATION, "210200", 1)
    below = Unit.objects.get_children(federation)

    districts = below.filter(type__in=[UnitType.DISTRICT, UnitType.COUNTY])
    adcodes = list(districts.values_list("region__adcode", flat=True))
    assert len(adcodes) == 10
    assert set(adcodes) == dalian_district_adcodes()  # one union per district/county, none twice

    zone = below.get(name="大连市开放先导区工会")
    assert zone.type == UnitType.DEVELOPMENT_ZONE
    assert set(below.filter(type=UnitType.INDUSTRY).values_list("name", flat=True)) == INDUSTRY_UNIONS

    streets = Unit.objects.filter(type=UnitType.STREET)
    assert streets.count() >= 5
    for street in streets:
        parent = Unit.objects.get_parent(street)
        assert parent.type in {UnitType.DISTRICT, UnitType.COUNTY}
        assert street.region_id == parent.region_id


def check_tree():
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    for unit in Unit.objects.exclude(depth=1):
        parent = Unit.objects.get_parent(unit)
        assert unit.type in ALLOWED_CHILD_TYPES[parent.type], unit
        assert unit.path.startswith(parent.path)


def check_accounts(output: str):
    for role in Role:
        memberships = Membership.objects.filter(role=role).select_related("user", "unit")
        assert memberships.exists(), role
        for membership in memberships:
            user = membership.user
            assert user.check_password(settings.YIZHAN_DEMO_PASSWORD), user
            assert user.is_active and not user.is_superuser
            assert user.username in output
    # 三员分立 holds in the demo too: separated duties are held alone.
    for membership in Membership.objects.filter(role__in=SEPARATED_ROLES):
        assert set(membership.user.memberships.values_list("role", flat=True)) == {membership.role}
    # Dalian's federation admin, Qingdao's (projects/demo.py) and Wuhan's (centres/demo.py), each at a city.
    federation_admins = Membership.objects.filter(role=Role.FEDERATION_ADMIN).select_related("unit", "user")
    assert {(m.user.username, m.unit.type) for m in federation_admins} == {
        ("fed_admin", UnitType.CITY_FEDERATION),
        ("qd_admin", UnitType.CITY_FEDERATION),
        ("wh_admin", UnitType.CITY_FEDERATION),
    }


def test_demo_builds_dalian_and_loading_twice_changes_nothing(demo):
    # `demo`: the rows and output lines of the real loaders' first run in this process (every context's,
    # as `manage.py demo` runs them; core.testing.demo), restored as they were stored.
    check_federation_and_its_units()
    check_tree()
    check_accounts("\n".join(demo.lines))
    first = counts()
    paths = dict(Unit.objects.values_list("code", "path"))
    assert audit_verify().ok

    out = StringIO()
    call_command("demo", stdout=out)

    check_accounts(out.getvalue())  # the accounts are printed again
    assert counts() == first
    assert dict(Unit.objects.values_list("code", "path")) == paths
    report = audit_verify()
    assert report.ok
    assert report.checked == first["audit"]
