"""`yizhan demo --national N` (issue 3 §9): N synthetic stations over China's cities for benchmarks —
the count, inside China, about 85 % operating, deterministic, additive and idempotent, one audit entry."""

import io

import pytest
from django.core.management import call_command

from yizhan.core.management.commands import demo as demo_command
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.orgs.models import Region, Unit
from yizhan.positions.choices import PositionState
from yizhan.positions.demo import CITIES, NATIONAL_PREFIX, load_national
from yizhan.positions.models import Position

pytestmark = pytest.mark.django_db

# The box outside which GCJ-02 applies no offset (the usual "out of China" test).
CHINA = {"min_lng": 72.004, "max_lng": 137.8347, "min_lat": 0.8293, "max_lat": 55.8271}
# Fixed seed: the first stations are always these (武汉, 东莞, 西安, 洛阳, 济南).
FIRST_FIVE = [
    ("NAT-000001", 114.281121, 30.635782),
    ("NAT-000002", 113.749036, 23.053155),
    ("NAT-000003", 109.00159, 34.297278),
    ("NAT-000004", 112.4269, 34.610077),
    ("NAT-000005", 117.020444, 36.631841),
]


def national():
    return Position.objects.filter(code__startswith=NATIONAL_PREFIX)


def test_n_stations_spread_over_chinas_cities_under_one_federation():
    load_national(2000)
    stations = national()
    assert stations.count() == 2000
    assert not stations.exclude(lng__range=(CHINA["min_lng"], CHINA["max_lng"])).exists()
    assert not stations.exclude(lat__range=(CHINA["min_lat"], CHINA["max_lat"])).exists()
    operating = stations.filter(state=PositionState.OPERATING).count() / 2000
    assert 0.80 < operating < 0.90
    assert stations.exclude(state=PositionState.OPERATING).values("state").distinct().count() == 4
    assert stations.values("unit").distinct().count() > 50
    root = Unit.objects.get(code="CN-DEMO")
    assert root.name == "全国演示总工会"
    assert Unit.objects.filter(code__startswith="CN-DEMO-", type="industry").count() == len(CITIES)
    # Cities without boundaries, under their provinces.
    assert Region.objects.get(adcode="440300").parent.adcode == "440000"
    assert all(p.always_open or p.weekly_hours for p in stations[:200])
    assert stations.values("construction_type").distinct().count() == 5


def test_it_is_deterministic_additive_and_idempotent():
    load_national(10)
    first = [(p.code, p.lng, p.lat) for p in national().order_by("code")[:5]]
    assert first == FIRST_FIVE
    entries = AuditEntry.objects.filter(action=AuditAction.IMPORT).count()
    load_national(2000)
    assert national().count() == 2000
    assert [(p.code, p.lng, p.lat) for p in national().order_by("code")[:5]] == FIRST_FIVE
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == entries + 1
    load_national(2000)
    assert national().count() == 2000
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == entries + 1


def test_the_demo_command_takes_national(monkeypatch):
    # The Dalian demo itself is covered by test_demo.py; here only the option's plumbing.
    monkeypatch.setattr(demo_command, "DEMO_LOADERS", [])
    out = io.StringIO()
    call_command("demo", "--national", "300", stdout=out)
    assert national().count() == 300
    assert "全国演示站点：新建 300 个" in out.getvalue()
