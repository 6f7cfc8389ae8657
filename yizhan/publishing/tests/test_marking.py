"""Map-platform marking by difference (issue 20 §4): after a marking, moving one station gives one
row; new, moved (> 20 m), renamed and closed rows in each platform's layout; the marking recorded
(who, when, which platform); a difference that changed since the download is refused."""

from __future__ import annotations

import csv
import io

import pytest

from yizhan.core.geo.crs import gcj02_to_bd09
from yizhan.core.geo.distance import distance_m
from yizhan.core.models import AuditEntry
from yizhan.positions import services as position_services
from yizhan.positions.choices import PositionState
from yizhan.publishing import marking
from yizhan.publishing.models import MapMarking, MapPoint

DIFF = "/api/v1/map-marking/{platform}/difference"
RECORD = "/api/v1/map-marking/{platform}/markings"


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def zs_client(login, zs_admin):
    return login(zs_admin.user)


@pytest.fixture
def marked(make_position, zs_client):
    """Three operating stations, marked on Amap."""
    positions = [make_position(state=PositionState.OPERATING) for _ in range(3)]
    make_position()  # planned: never on a map
    first = zs_client.get(DIFF.format(platform="amap"), {"unit": "DL-ZS"})
    assert [r["变更"] for r in rows_of(first)] == ["新增"] * 3
    r = zs_client.post(
        RECORD.format(platform="amap"),
        {"unit": "DL-ZS", "digest": first["X-Difference-Digest"]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    return positions


def test_moving_one_station_gives_one_row(zs_client, zs_admin, marked):
    assert rows_of(zs_client.get(DIFF.format(platform="amap"), {"unit": "DL-ZS"})) == []
    moved = marked[1]
    position_services.position_update(actor=zs_admin, position=moved, lng=moved.lng + 0.0005)
    moved.refresh_from_db()
    (row,) = rows_of(zs_client.get(DIFF.format(platform="amap"), {"unit": "DL-ZS"}))
    assert row["编号"] == moved.code and row["变更"] == "位置变更"
    assert (float(row["经度"]), float(row["纬度"])) == pytest.approx((moved.lng, moved.lat), abs=1e-7)  # GCJ-02


def test_the_clerk_downloads_one_row_from_the_staff_page_after_moving_one_station(zs_client, zs_admin, marked):
    """Done when of issue 20: the clerk's download (the staff page's link, not the API) after
    moving one station holds that station alone, in Amap's layout."""
    moved = marked[0]
    position_services.position_update(actor=zs_admin, position=moved, lat=moved.lat + 0.001)
    response = zs_client.get("/staff/publishing/map-marking/amap/difference.csv", {"unit": "DL-ZS"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    (row,) = rows_of(response)
    assert row["编号"] == moved.code and row["变更"] == "位置变更"


def test_a_move_within_20_m_is_no_change(zs_client, zs_admin, marked):
    position = marked[0]
    lng = position.lng + 0.0001  # about 9 m at 39° N
    assert distance_m(position.lng, position.lat, lng, position.lat) < marking.MOVED_M
    position_services.position_update(actor=zs_admin, position=position, lng=lng)
    assert rows_of(zs_client.get(DIFF.format(platform="amap"), {"unit": "DL-ZS"})) == []


def test_new_moved_and_renamed_closed_rows(zs_client, zs_admin, make_position, marked):
    a, b, c = marked
    position_services.position_update(
        actor=zs_admin, position=a, lng=a.lng + 0.001, official_name=a.official_name + "新"
    )
    position_services.position_transition(actor=zs_admin, position=b, to_state=PositionState.DELISTED, reason="撤站")
    position_services.position_transition(actor=zs_admin, position=c, to_state=PositionState.SUSPENDED, reason="维修")
    new = make_position(state=PositionState.OPERATING)
    rows = {r["编号"]: r for r in rows_of(zs_client.get(DIFF.format(platform="amap"), {"unit": "DL-ZS"}))}
    assert rows[a.code]["变更"] == "位置变更、名称变更"  # one row for both
    assert rows[b.code]["变更"] == "关闭或摘牌" and rows[b.code]["状态"] == "已摘牌"
    assert rows[c.code]["变更"] == "关闭或摘牌" and rows[c.code]["状态"] == "暂停服务"
    assert rows[new.code]["变更"] == "新增"
    assert len(rows) == 4
    zs = a.unit
    assert marking.out_of_date_count(unit=zs, platform="amap") == 4
    assert marking.out_of_date_count(unit=zs, platform="baidu") == 2
    # Baidu has its own marking: everything operating is new there, in BD-09.
    baidu = rows_of(zs_client.get(DIFF.format(platform="baidu"), {"unit": "DL-ZS"}))
    assert {r["code"] for r in baidu} == {a.code, new.code}
    a.refresh_from_db()
    row = next(r for r in baidu if r["code"] == a.code)
    assert (float(row["longitude"]), float(row["latitude"])) == pytest.approx(gcj02_to_bd09(a.lng, a.lat), abs=1e-7)
    assert row["coord_type"] == "3" and row["change"] == "新增"


def test_recording_applies_the_difference_and_says_who_when_which(zs_client, zs_admin, marked):
    position_services.position_transition(
        actor=zs_admin, position=marked[0], to_state=PositionState.DELISTED, reason="撤站"
    )
    r = zs_client.post(RECORD.format(platform="amap"), {"unit": "DL-ZS"}, content_type="application/json")
    body = r.json()
    assert r.status_code == 201
    assert body["platform"] == "amap" and body["marked_by"] == zs_admin.user.username and body["marked_at"]
    assert body["rows"] == 1 and body["codes"] == [marked[0].code] and body["counts"] == {"closed": 1}
    assert not MapPoint.objects.filter(position_id=marked[0].pk).exists()
    assert rows_of(zs_client.get(DIFF.format(platform="amap"), {"unit": "DL-ZS"})) == []
    assert AuditEntry.objects.filter(object_type="publishing.mapmarking", action="create").count() == 2
    assert AuditEntry.objects.filter(object_type="publishing.mapmarking", action="export").exists()
    assert MapMarking.objects.count() == 2


def test_a_difference_changed_since_the_download_is_refused(zs_client, zs_admin, marked):
    position_services.position_update(actor=zs_admin, position=marked[0], lng=marked[0].lng + 0.001)
    download = zs_client.get(DIFF.format(platform="amap"), {"unit": "DL-ZS"})
    position_services.position_update(actor=zs_admin, position=marked[1], lng=marked[1].lng + 0.001)
    r = zs_client.post(
        RECORD.format(platform="amap"),
        {"unit": "DL-ZS", "digest": download["X-Difference-Digest"]},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["detail"] == str(marking.DIFFERENCE_CHANGED)
    assert MapMarking.objects.count() == 1


def test_bad_platform_and_unit(zs_client, marked):
    r = zs_client.get(DIFF.format(platform="google"), {"unit": "DL-ZS"})
    assert r.status_code == 400 and r.json()["field"] == "platform"
    assert zs_client.get(DIFF.format(platform="amap"), {"unit": "DL-XG"}).status_code == 404


def test_the_page_shows_what_is_out_of_date(zs_client, zs_admin, marked):
    position_services.position_update(actor=zs_admin, position=marked[2], lng=marked[2].lng + 0.001)
    page = zs_client.get("/staff/publishing/map-marking/", {"unit": "DL-ZS"}).content.decode()
    assert 'data-platform="amap"' in page and 'data-out-of-date="1"' in page and 'data-out-of-date="3"' in page
    r = zs_client.post("/staff/publishing/map-marking/", {"unit": "DL-ZS", "platform": "amap"})
    assert r.status_code == 302
    page = zs_client.get("/staff/publishing/map-marking/", {"unit": "DL-ZS"}).content.decode()
    assert 'data-out-of-date="0"' in page


def test_the_dashboard_counts_the_out_of_date_points_and_links_to_them(login, zs_admin, marked):
    from yizhan.core.dashboard import dashboard_for

    position_services.position_update(actor=zs_admin, position=marked[0], lng=marked[0].lng + 0.001)
    position_services.position_update(actor=zs_admin, position=marked[1], lng=marked[1].lng + 0.00005)  # < 20 m
    (panel,) = [p for p in dashboard_for(actor=zs_admin).panels if p.name == "publishing"]
    amap, baidu = panel.figures
    assert (amap.count, baidu.count) == (1, 3)
    assert amap.todo and not baidu.todo  # marked on Amap only: Baidu's points are not yet its work
    client = login(zs_admin.user)
    page = client.get(amap.url).content.decode()
    assert '<p class="count">共 1 ' in page and f'data-difference="{marked[0].code}"' in page
    assert page.count("data-difference=") == 1
    assert client.get(baidu.url).content.decode().count("data-difference=") == 3
