"""/api/v1/targets through the test client: CRUD, bulk, progress with the forecast, figures, and
the denials across units and federations (404 outside the subtree, 403 on a unit admin's own unit)."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.targets.metrics import ENTERPRISES_COVERED, STATIONS_OPERATING
from yizhan.targets.models import Target
from yizhan.targets.tests.conftest import open_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def _payload(unit, today, **fields):
    return {
        "unit_id": unit.pk,
        "metric": STATIONS_OPERATING,
        "value": "10",
        "due_on": (today + dt.timedelta(days=100)).isoformat(),
        "start_on": (today - dt.timedelta(days=100)).isoformat(),
        **fields,
    }


def test_create_read_update_delete(dalian, fed, login, today):
    for n in range(5):
        open_station(dalian["zs"], today - dt.timedelta(days=100 - 20 * n))
    client = login(fed.user)
    r = client.post("/api/v1/targets", _payload(dalian["zs"], today), content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["value"] == "10" and body["unit_name"] == "中山区总工会"
    progress = body["progress"]
    assert progress["achieved"] == "5" and progress["ratio"] == "1/2" and progress["percent"] == "50.0"
    # 5 stations in 100 days since the start (the first on the start date): 4 after it → 0.04 a day.
    assert progress["forecast"]["rate_per_day"] == "0.04" and progress["forecast"]["at_due"] == "9"
    assert progress["status"] == "behind"
    pk = body["id"]
    assert client.get(f"/api/v1/targets/{pk}").json()["id"] == pk
    listed = client.get("/api/v1/targets", {"status": "behind"}).json()
    assert [t["id"] for t in listed] == [pk]
    assert client.get("/api/v1/targets", {"status": "met"}).json() == []
    r = client.put(
        f"/api/v1/targets/{pk}",
        {"value": "8", "due_on": (today + dt.timedelta(days=100)).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["progress"]["status"] == "on_track"
    assert client.delete(f"/api/v1/targets/{pk}").status_code == 204
    assert not Target.objects.exists()


def test_bad_input_is_a_json_error_and_writes_nothing(dalian, fed, login, today):
    client = login(fed.user)
    for fields, field in (
        ({"value": "0"}, "value"),
        ({"value": "-3"}, "value"),
        ({"metric": "street_centres_up_to_standard", "value": "101"}, "value"),
        ({"due_on": (today - dt.timedelta(days=101)).isoformat()}, "due_on"),
    ):
        r = client.post("/api/v1/targets", _payload(dalian["zs"], today, **fields), content_type="application/json")
        assert r.status_code == 400, r.content
        assert r.json()["field"] == field and r.json()["detail"]
    r = client.post("/api/v1/targets", {"unit_id": dalian["zs"].pk}, content_type="application/json")
    assert r.status_code in (400, 422)
    assert not Target.objects.exists()


def test_denials_across_units_and_federations(dalian, fed, zs, other, login, today):
    target = Target.objects.create(unit=dalian["xg"], metric=STATIONS_OPERATING, value=5, due_on=today, set_by="x")
    own = Target.objects.create(unit=dalian["zs"], metric=STATIONS_OPERATING, value=5, due_on=today, set_by="x")
    client = login(zs.user)
    assert client.get(f"/api/v1/targets/{target.pk}").status_code == 404
    assert (
        client.put(
            f"/api/v1/targets/{target.pk}", {"value": "1", "due_on": today.isoformat()}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/targets/{target.pk}").status_code == 404
    assert [t["id"] for t in client.get("/api/v1/targets").json()] == [own.pk]
    # Its own unit's target: read, not changed.
    assert client.get(f"/api/v1/targets/{own.pk}").status_code == 200
    assert client.delete(f"/api/v1/targets/{own.pk}").status_code == 403
    r = client.post("/api/v1/targets", _payload(dalian["zs"], today), content_type="application/json")
    assert r.status_code == 403 and "上级" in r.json()["detail"]
    assert (
        client.post("/api/v1/targets", _payload(dalian["xg"], today), content_type="application/json").status_code
        == 404
    )
    assert (
        client.post("/api/v1/targets", _payload(dalian["street"], today), content_type="application/json").status_code
        == 201
    )
    # Another federation sees none of it.
    stranger = login(other["admin"].user)
    assert stranger.get("/api/v1/targets").json() == []
    assert stranger.get(f"/api/v1/targets/{own.pk}").status_code == 404
    assert (
        stranger.post("/api/v1/targets", _payload(dalian["zs"], today), content_type="application/json").status_code
        == 404
    )
    assert Target.objects.count() == 3


def test_bulk(dalian, fed, other, login, today):
    client = login(fed.user)
    payload = {k: v for k, v in _payload(dalian["zs"], today).items() if k != "unit_id"}
    r = client.post(
        "/api/v1/targets/bulk",
        {**payload, "unit_ids": [dalian["zs"].pk, dalian["xg"].pk]},
        content_type="application/json",
    )
    assert r.status_code == 201 and len(r.json()) == 2
    r = client.post(
        "/api/v1/targets/bulk",
        {**payload, "unit_ids": [dalian["street"].pk, other["district"].pk]},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert Target.objects.count() == 2


def test_metrics_and_figures(dalian, zs, xg, login, today):
    client = login(zs.user)
    metrics = {m["code"]: m for m in client.get("/api/v1/targets/metrics").json()}
    assert metrics[ENTERPRISES_COVERED]["reported"] and metrics["street_centres_up_to_standard"]["share"]
    r = client.post(
        "/api/v1/targets/figures",
        {
            "unit_id": dalian["zs"].pk,
            "metric": ENTERPRISES_COVERED,
            "value": "300",
            "as_of": today.isoformat(),
            "source": "统计表",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["value"] == "300"
    assert [f["value"] for f in client.get("/api/v1/targets/figures").json()] == ["300"]
    assert login(xg.user).get("/api/v1/targets/figures").json() == []
    r = login(xg.user).post(
        "/api/v1/targets/figures",
        {
            "unit_id": dalian["zs"].pk,
            "metric": ENTERPRISES_COVERED,
            "value": "1",
            "as_of": today.isoformat(),
            "source": "x",
        },
        content_type="application/json",
    )
    assert r.status_code == 404


def test_reported_metric_progress(dalian, fed, login, today):
    from yizhan.targets.models import ReportedFigure

    ReportedFigure.objects.create(
        unit=dalian["zs"],
        metric=ENTERPRISES_COVERED,
        value=200,
        as_of=today - dt.timedelta(days=100),
        source="s",
        recorded_by="x",
    )
    ReportedFigure.objects.create(
        unit=dalian["zs"], metric=ENTERPRISES_COVERED, value=400, as_of=today, source="s", recorded_by="x"
    )
    client = login(fed.user)
    r = client.post(
        "/api/v1/targets",
        _payload(dalian["zs"], today, metric=ENTERPRISES_COVERED, value="1000", start_on=None),
        content_type="application/json",
    )
    p = r.json()["progress"]
    assert (
        p["achieved"] == "400"
        and p["percent"] == "40.0"
        and p["forecast"]["at_due"] == "600"
        and p["status"] == "behind"
    )


def test_signed_out_and_other_roles(dalian, make_user, login, client):
    from yizhan.core.roles import Role

    assert client.get("/api/v1/targets").status_code == 401
    manager = login(make_user(Role.STATION_MANAGER, dalian["zs"]))
    assert manager.get("/api/v1/targets").status_code == 403
