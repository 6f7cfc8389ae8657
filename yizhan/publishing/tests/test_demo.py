"""Publishing's demo data (issue 20): two partners of the Dalian demo with keys (one revoked), their
usage, a flagged webhook, and an Amap and a Baidu marking of some days ago whose differences hold a
realistic handful of rows; loaded once, the same every time; shown on the staff pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from yizhan.orgs.models import Unit, User
from yizhan.publishing import demo, marking
from yizhan.publishing.choices import MapPlatform
from yizhan.publishing.models import ApiKey, ApiKeyUsage, MapMarking, MapPoint, Partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def dalian_demo(demo):
    """The whole demo (the real loaders' rows, core.testing.demo), publishing's included."""
    return demo


def _delete_publishing_demo() -> None:
    MapPoint.objects.all().delete()
    MapMarking.objects.all().delete()
    ApiKeyUsage.objects.all().delete()
    ApiKey.objects.all().delete()
    Partner.objects.all().delete()


def _counts(platform: str) -> dict[str, int]:
    rows = marking.difference(unit=Unit.objects.get(code="DL"), platform=platform)
    counts: dict[str, int] = {}
    for row in rows:
        for change in row.changes:
            counts[change] = counts.get(change, 0) + 1
    return counts


def _differences() -> dict:
    unit = Unit.objects.get(code="DL")
    return {p: [(d.code, d.changes) for d in marking.difference(unit=unit, platform=p)] for p in MapPlatform}


def test_the_demo_has_partners_keys_usage_a_failing_webhook_and_markings(dalian_demo):
    _delete_publishing_demo()  # loaded now, over the rest of the demo: the markings dated from now
    lines = demo.load()
    assert "数据合作方：2 个" in lines[0] and "地图标注：2 次" in lines[1]
    app = Partner.objects.get(name=demo.UNION_APP)
    mini = Partner.objects.get(name=demo.MINI_PROGRAM)
    assert app.unit.code == "DL" and mini.unit.code == "DL-GJZ"
    assert app.keys.count() == 3 and app.keys.filter(revoked_at__isnull=False).count() == 1
    assert mini.keys.count() == 1 and not mini.keys.get().revoked
    for key in ApiKey.objects.all():
        assert ApiKeyUsage.objects.filter(key=key).exists(), key
    assert ApiKeyUsage.objects.filter(day=timezone.localdate()).count() == 3  # the live keys, today
    assert mini.webhook_failing and mini.webhook_url == demo.WEBHOOK_URL and mini.webhook_error
    assert not app.webhook_url
    # The markings of some days ago and what changed since.
    now = timezone.now()
    for platform, (days, kinds) in demo.MARKINGS.items():
        recorded = MapMarking.objects.get(platform=platform)
        assert abs(now - recorded.marked_at - timedelta(days=days)) < timedelta(minutes=5)
        assert recorded.unit.code == "DL" and recorded.rows > 100
        assert _counts(platform) == kinds
        assert marking.out_of_date_count(unit=recorded.unit, platform=platform) == sum(kinds.values())


def test_the_demo_loads_once_and_the_same_every_time(dalian_demo):
    demo.load()
    first = _differences()
    assert demo.load() == ["  数据合作方与地图标注：已有（未重复创建）"]
    assert Partner.objects.count() == 2 and MapMarking.objects.count() == 2
    # Loaded again from nothing: the same rows.
    _delete_publishing_demo()
    demo.load()
    assert _differences() == first


def test_the_staff_pages_show_the_demo(dalian_demo, login):
    demo.load()
    client = login(User.objects.get(username="fed_admin"))
    page = client.get("/staff/publishing/partners/").content.decode()
    assert demo.UNION_APP in page and demo.MINI_PROGRAM in page
    mini = Partner.objects.get(name=demo.MINI_PROGRAM)
    page = client.get(f"/staff/publishing/partners/{mini.pk}/").content.decode()
    assert "已停止（地址失效）" in page and demo.WEBHOOK_URL in page
    assert page.count("<tr>") > 20  # a row of usage per day
    page = client.get("/staff/publishing/map-marking/", {"unit": "DL"}).content.decode()
    for platform, (_days, kinds) in demo.MARKINGS.items():
        assert f'data-platform="{platform}"' in page
        assert f'data-out-of-date="{sum(kinds.values())}"' in page
    page = client.get("/staff/publishing/map-marking/amap/out-of-date/", {"unit": "DL"}).content.decode()
    for code, _changes in _differences()[MapPlatform.AMAP]:
        assert code in page
    download = client.get("/staff/publishing/map-marking/baidu/difference.csv", {"unit": "DL"})
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert len(rows) == sum(demo.MARKINGS[MapPlatform.BAIDU][1].values())
