"""The daily ledger's API (/api/v1/ledger): entering (201), correcting with the version (200),
a conflict (409 JSON naming who entered it), bad input as Chinese JSON errors (never a 500), the
list, totals over a unit's subtree, history, the xlsx template and upload; denials across units."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from yizhan.core.roles import Role
from yizhan.ledger.models import DailyLedger
from yizhan.ledger.tests.factories import DailyLedgerFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(dalian_map, make_user, login):
    return login(make_user(Role.STATION_MANAGER, dalian_map["zs"]))


def _url(position, day):
    return f"/api/v1/ledger/positions/{position.pk}/days/{day.isoformat()}"


def _put(client, position, day, body):
    return client.put(_url(position, day), body, content_type="application/json")


def test_entering_then_correcting_a_day(manager_client, station):
    today = timezone.localdate()
    r = _put(manager_client, station, today, {"figures": {"visits_delivery": 9, "ability_drink": 4}})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["outcome"] == "created" and body["version"] == 1 and body["visits_total"] == 9
    assert body["figures"]["visits_delivery"] == 9 and body["figures"]["visits_taxi"] == 0
    r = _put(manager_client, station, today, {"figures": {"visits_delivery": 10}, "version": 1, "reason": "补记"})
    assert r.status_code == 200 and r.json()["outcome"] == "corrected" and r.json()["version"] == 2
    history = manager_client.get(f"/api/v1/ledger/days/{body['id']}/history").json()
    assert [(h["version"], h["figures"]["visits_delivery"], h["reason"]) for h in history] == [(1, 9, "补记")]


def test_a_day_entered_meanwhile_answers_409_with_who_and_the_version(
    manager_client, station, dalian_map, make_user, login
):
    admin = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"], username="zs-clerk"))
    today = timezone.localdate()
    assert _put(admin, station, today, {"figures": {"visits_delivery": 3}}).status_code == 201
    r = _put(manager_client, station, today, {"figures": {"visits_delivery": 4}})
    assert r.status_code == 409
    assert "zs-clerk" in r.json()["detail"] and r.json()["version"] == 1
    assert DailyLedger.objects.get().visits_delivery == 3


@pytest.mark.parametrize(
    ("day_offset", "body", "status", "field"),
    [
        (1, {"figures": {"visits_delivery": 1}}, 400, "day"),
        (0, {"figures": {"visits_delivery": -1}}, 400, "visits_delivery"),
        (0, {"figures": {"visits_delivery": "十"}}, 400, "visits_delivery"),
        (0, {"figures": {"nonsense": 1}}, 400, "figures"),
        (0, {"figures": [1, 2]}, 422, None),
        (0, {"figures": {}, "version": "x"}, 422, None),
    ],
)
def test_bad_input_answers_a_chinese_json_error(manager_client, station, day_offset, body, status, field):
    r = _put(manager_client, station, timezone.localdate() + timedelta(days=day_offset), body)
    assert r.status_code == status, r.content
    if field:
        assert r.json()["field"] == field
        assert r.json()["problems"]


def test_a_malformed_day_in_the_path_is_not_a_500(manager_client, station):
    url = f"/api/v1/ledger/positions/{station.pk}/days/2026-13-40"
    r = manager_client.put(url, "{}", content_type="application/json")
    assert r.status_code == 422


def test_another_districts_position_is_not_found_and_its_days_not_listed(
    manager_client, dalian_map, make_position, station
):
    xg = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    theirs = DailyLedgerFactory(position=xg)
    mine = DailyLedgerFactory(position=station)
    assert _put(manager_client, xg, timezone.localdate(), {"figures": {}}).status_code == 404
    assert manager_client.get(f"/api/v1/ledger/days/{theirs.pk}").status_code == 404
    ids = [d["id"] for d in manager_client.get("/api/v1/ledger/days").json()["items"]]
    assert ids == [mine.pk]


def test_totals_roll_up_a_units_subtree(dalian_map, make_user, login, make_position, station):
    xg = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    DailyLedgerFactory(position=station, visits_delivery=5)
    DailyLedgerFactory(position=xg, visits_delivery=7)
    city = login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))
    assert city.get("/api/v1/ledger/totals").json()["figures"]["visits_delivery"] == 12
    zs_only = city.get("/api/v1/ledger/totals", {"unit": dalian_map["zs"].pk}).json()
    assert (zs_only["days"], zs_only["figures"]["visits_delivery"], zs_only["visits_total"]) == (1, 5, 9)
    zs = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    assert zs.get("/api/v1/ledger/totals", {"unit": dalian_map["xg"].pk}).status_code == 404


def test_the_template_downloads_and_uploads_back(manager_client, station):
    r = manager_client.get("/api/v1/ledger/import-template")
    assert r.status_code == 200
    book = load_workbook(BytesIO(r.content))
    sheet = book.active
    sheet.cell(row=2, column=3, value=2)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "ledger.xlsx"
    r = manager_client.post("/api/v1/ledger/import", {"file": out})
    assert r.status_code == 200, r.content
    assert r.json()["created"] == 1
    out.seek(0)
    bad = BytesIO(b"not an xlsx")
    bad.name = "bad.xlsx"
    r = manager_client.post("/api/v1/ledger/import", {"file": bad})
    assert r.status_code == 400 and "Excel" in r.json()["detail"]


def test_roles_without_ledgers_are_refused(dalian_map, make_user, login, station):
    reviewer = login(make_user(Role.REVIEWER, dalian_map["zs"]))
    assert reviewer.get("/api/v1/ledger/days").status_code == 403
    assert _put(reviewer, station, timezone.localdate(), {"figures": {}}).status_code == 403
